/**
 * Window helpers shared by the convolution and pooling backwards: zero-insertion ("dilation") of a
 * strided map, and placing a map at an offset inside a larger one. Built from reshape/pad/slice so
 * they run on every tfjs backend.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor4D } from '@tensorflow/tfjs-core';
import { consume } from '../consume.js';
import { sliceMerged } from './fast-slice.js';

/**
 * Spreads `t` (`[N, H, W, C]`) over an `[N, H·sh, W·sw, C]` map at rows `y·sh + a`, columns
 * `x·sw + b`, zeros elsewhere: one pad of a rank-5 view.
 */
function spreadPhase(t: Tensor4D, a: number, b: number, sh: number, sw: number): Tensor4D {
  const [n, h, w, c] = t.shape;
  return tf.tidy(() => {
    const spread = tf.pad(tf.reshape(t, [n * h, 1, w, 1, c]), [
      [0, 0],
      [a, sh - 1 - a],
      [0, 0],
      [b, sw - 1 - b],
      [0, 0],
    ]);
    return tf.reshape(spread, [n, h * sh, w * sw, c]) as Tensor4D;
  });
}

/** Inserts `s − 1` zeros between neighbouring rows/columns: `[N,H,W,C] → [N,(H−1)sh+1,(W−1)sw+1,C]`. */
export function insertZeros(t: Tensor4D, sh: number, sw: number): Tensor4D {
  if (sh === 1 && sw === 1) return t;
  const [n, h, w, c] = t.shape;
  return tf.tidy(() => sliceMerged(spreadPhase(t, 0, 0, sh, sw), [0, 0, 0, 0], [n, (h - 1) * sh + 1, (w - 1) * sw + 1, c]));
}

/** `out[y, x] = t[y − dy, x − dx]` inside an `H × W` frame, zero where `t` does not reach. */
export function placeAt(t: Tensor4D, dy: number, dx: number, height: number, width: number): Tensor4D {
  return tf.tidy(() => {
    const [n, h, w, c] = t.shape;
    // Crop what falls before the frame's origin.
    const y0 = Math.max(-dy, 0);
    const x0 = Math.max(-dx, 0);
    const hh = Math.min(h - y0, height - Math.max(dy, 0));
    const ww = Math.min(w - x0, width - Math.max(dx, 0));
    if (hh <= 0 || ww <= 0) return tf.zeros([n, height, width, c]) as Tensor4D;
    const cropped = y0 === 0 && x0 === 0 && hh === h && ww === w ? t : sliceMerged(t, [0, y0, x0, 0], [n, hh, ww, c]);
    const top = Math.max(dy, 0);
    const left = Math.max(dx, 0);
    return tf.pad(cropped, [
      [0, 0],
      [top, height - top - hh],
      [left, width - left - ww],
      [0, 0],
    ]);
  });
}

/**
 * Interleaves stride-phase maps back to full resolution: `maps[a][b]` (`[N, mh, mw, C]`, or `null`
 * for a phase that is all zeros) lands at rows `m·sh + a`, columns `q·sw + b` of the
 * `[N, mh·sh, mw·sw, C]` result. With every phase present: one stack along a new leading axis (a
 * plain copy of each map) and two transposes; otherwise each present phase is spread by one pad
 * and the spread maps are summed. Never a stack or concat along an inner axis, which
 * tfjs-backend-wasm copies one short row at a time.
 */
export function interleavePhases(maps: readonly (readonly (Tensor4D | null)[])[], n: number, mh: number, mw: number, c: number): Tensor4D {
  const sh = maps.length;
  const sw = maps[0]!.length;
  return tf.tidy(() => {
    const present: [number, number, Tensor4D][] = [];
    maps.forEach((row, a) => row.forEach((m, b) => m && present.push([a, b, m])));
    if (present.length === 0) return tf.zeros([n, mh * sh, mw * sw, c]) as Tensor4D;
    if (present.length === sh * sw) {
      // [sh·sw, n·mh, mw·c] → [n·mh, sh·sw, mw·c] → (as [n·mh·sh, sw, mw, c]) → [n·mh·sh, mw, sw, c]:
      // two transposes of rank ≤ 4 (tfjs-backend-wasm transposes rank 5 elementwise: ~50× slower here).
      // Each full-size intermediate is freed once the next has read it (`consume`).
      const stacked = consume(tf.stack(present.map(([, , m]) => m)), (t) => tf.reshape(t, [sh * sw, n * mh, mw * c]));
      const byRow = consume(consume(stacked, (t) => tf.transpose(t, [1, 0, 2])), (t) => tf.reshape(t, [n * mh * sh, sw, mw, c]));
      return consume(consume(byRow, (t) => tf.transpose(t, [0, 2, 1, 3])), (t) => tf.reshape(t, [n, mh * sh, mw * sw, c])) as Tensor4D;
    }
    const spread = present.map(([a, b, m]) => spreadPhase(m, a, b, sh, sw));
    return spread.length === 1 ? spread[0]! : (tf.addN(spread) as Tensor4D);
  });
}
