/** Pooling: forward, and backward by explicit window offsets (runs on every backend). */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor, Tensor4D } from '@tensorflow/tfjs-core';
import { consume, consume2 } from '../consume.js';
import type { IRNodeOf } from '../ir.js';
import { windowGeometry } from './conv-geometry.js';
import type { OpImpl } from './op-impl.js';
import { sliceMerged } from './fast-slice.js';
import { alias } from './shape-ops.js';
import { insertZeros, interleavePhases, placeAt } from './window-ops.js';

type PoolAttrs = IRNodeOf<'maxPool2d'>['attrs'];

function geometry(a: PoolAttrs, h: number, w: number) {
  return {
    gh: windowGeometry(h, a.poolSize[0], a.strides[0], a.padding),
    gw: windowGeometry(w, a.poolSize[1], a.strides[1], a.padding),
  };
}

/** Every window offset `(i, j)` in row-major order. */
function offsets(a: PoolAttrs): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < a.poolSize[0]; i++) for (let j = 0; j < a.poolSize[1]; j++) out.push([i, j]);
  return out;
}

/**
 * Winner-take-all: each window's value goes to the window's maximum (the first one, in row-major
 * order, on a tie); an element that is the maximum of several overlapping windows gets the sum.
 *
 * Every window offset `(i, j)` is picked at the output's (low) resolution — by a strided depthwise
 * conv with a one-hot kernel for valid windows (exact, and on the wasm backend's fast path, unlike
 * strided slices), by a strided slice of the −∞-padded input for same windows. The first maximum
 * takes what is left of the window's value (what is left becomes exactly 0 once it is taken, so no
 * boolean bookkeeping is needed). Offsets of the same stride phase are summed at low resolution
 * (shifted by whole output rows/columns), and the phases are interleaved back to full resolution
 * by one stack and two transposes ({@link interleavePhases}) — instead of a `depthToSpace` (slow
 * on wasm) or one full-resolution placement per offset.
 */
export function maxPoolBackward(a: PoolAttrs, s: Tensor4D, x: Tensor4D, y: Tensor4D): Tensor4D {
  return tf.tidy(() => {
    const [n, h, w, c] = x.shape;
    const { gh, gw } = geometry(a, h, w);
    const [sh, sw] = a.strides;
    const [kh, kw] = a.poolSize;
    const padded = a.padding === 'valid' ? x : tf.pad(x, [[0, 0], [gh.before, gh.after], [gw.before, gw.after], [0, 0]], -Infinity);
    // Low-resolution rows/columns of each phase: output o, offset i lands on phase i mod s, row o + ⌊i/s⌋.
    const mh = gh.out + Math.floor((kh - 1) / sh);
    const mw = gw.out + Math.floor((kw - 1) / sw);
    const phases = new Map<string, Tensor4D>();
    let remaining: Tensor4D = s;
    const all = offsets(a);
    all.forEach(([i, j], k) => {
      let share: Tensor4D;
      if (k === all.length - 1) {
        share = remaining;
      } else {
        const candidate =
          a.padding === 'valid'
            ? tf.depthwiseConv2d(x, offsetPicker(kh, kw, c, i, j), a.strides, 'valid')
            : tf.stridedSlice(padded, [0, i, j, 0], [n, i + (gh.out - 1) * sh + 1, j + (gw.out - 1) * sw + 1, c], [1, sh, sw, 1]);
        // step(y − candidate) is 0 where the candidate is the maximum, else 1 (float kernels only).
        // Intermediates are freed as soon as they are read (`consume`): on VGG16's first pool each
        // is 3 MB, and the tidy would otherwise hold all of them until the interleave is done.
        const notMax = consume(consume(candidate, (cand) => tf.sub(y, cand)), tf.step);
        const kept = consume(notMax, (m) => tf.mul(remaining, m)) as Tensor4D;
        share = tf.sub(remaining, kept);
        if (remaining !== s) remaining.dispose();
        remaining = kept;
      }
      const di = Math.floor(i / sh);
      const dj = Math.floor(j / sw);
      const placed =
        mh === gh.out && mw === gw.out
          ? share
          : consume(share, (t) => tf.pad(t, [[0, 0], [di, mh - gh.out - di], [dj, mw - gw.out - dj], [0, 0]]) as Tensor4D);
      const key = `${i % sh},${j % sw}`;
      const previous = phases.get(key);
      phases.set(key, previous ? (consume2(previous, placed, tf.add) as Tensor4D) : placed);
    });
    // Interleave: row phase a, column phase b → padded coordinates (m·sh + a, q·sw + b).
    const maps = Array.from({ length: sh }, (_, pa) => Array.from({ length: sw }, (_, pb) => phases.get(`${pa},${pb}`) ?? null));
    const full = sh === 1 && sw === 1 ? maps[0]![0]! : interleavePhases(maps, n, mh, mw, c);
    // Back from padded to input coordinates: drop the leading padding, crop or zero-fill the rest.
    const top = gh.before;
    const left = gw.before;
    const keepH = Math.min(h, mh * sh - top);
    const keepW = Math.min(w, mw * sw - left);
    const cropped =
      top === 0 && left === 0 && keepH === mh * sh && keepW === mw * sw ? full : sliceMerged(full, [0, top, left, 0], [n, keepH, keepW, c]);
    const out = keepH === h && keepW === w ? (cropped as Tensor4D) : (tf.pad(cropped, [[0, 0], [0, h - keepH], [0, w - keepW], [0, 0]]) as Tensor4D);
    // A 1×1 pool hands `s` itself through: return a tensor the caller owns.
    return out === s ? alias(s) : out;
  });
}

/** A depthwise kernel `[kh, kw, c, 1]` that picks offset `(i, j)` of each window. */
function offsetPicker(kh: number, kw: number, c: number, i: number, j: number): Tensor4D {
  const data = new Float32Array(kh * kw * c);
  data.fill(1, (i * kw + j) * c, (i * kw + j + 1) * c);
  return tf.tensor4d(data, [kh, kw, c, 1]);
}

/** Number of in-bounds elements of each window (TensorFlow's average excludes the padding). */
function windowCounts(a: PoolAttrs, h: number, w: number): Tensor4D {
  const { gh, gw } = geometry(a, h, w);
  const counts = new Float32Array(gh.out * gw.out);
  const span = (o: number, g: { before: number }, k: number, s: number, size: number) =>
    Math.min(o * s - g.before + k, size) - Math.max(o * s - g.before, 0);
  for (let r = 0; r < gh.out; r++) {
    for (let q = 0; q < gw.out; q++) {
      counts[r * gw.out + q] = span(r, gh, a.poolSize[0], a.strides[0], h) * span(q, gw, a.poolSize[1], a.strides[1], w);
    }
  }
  return tf.tensor4d(counts, [1, gh.out, gw.out, 1]);
}

/** Transpose of average pooling: each window's value, divided by its count, to each element. */
export function avgPoolBackward(a: PoolAttrs, s: Tensor4D, inputShape: readonly number[]): Tensor4D {
  return tf.tidy(() => {
    const [n, h, w, c] = inputShape as [number, number, number, number];
    const { gh, gw } = geometry(a, h, w);
    const share = insertZeros(tf.div(s, windowCounts(a, h, w)), a.strides[0], a.strides[1]);
    let result: Tensor4D = tf.zeros([n, h, w, c]);
    for (const [i, j] of offsets(a)) result = tf.add(result, placeAt(share, i - gh.before, j - gw.before, h, w));
    return result;
  });
}

export const maxPool2dOp: OpImpl = {
  forward: (node, [x]) => {
    const a = (node as IRNodeOf<'maxPool2d'>).attrs;
    return tf.maxPool(x as Tensor4D, a.poolSize, a.strides, a.padding);
  },
  vjp: (node, s, [x], y) => [maxPoolBackward((node as IRNodeOf<'maxPool2d'>).attrs, s as Tensor4D, x as Tensor4D, y as Tensor4D)],
};

export const avgPool2dOp: OpImpl = {
  forward: (node, [x]) => {
    const a = (node as IRNodeOf<'avgPool2d'>).attrs;
    return tf.avgPool(x as Tensor4D, a.poolSize, a.strides, a.padding);
  },
  transpose: (node, s, _p, [shape]) => [avgPoolBackward((node as IRNodeOf<'avgPool2d'>).attrs, s as Tensor4D, shape!)],
  vjp: (node, s, [x]) => [avgPoolBackward((node as IRNodeOf<'avgPool2d'>).attrs, s as Tensor4D, x!.shape)],
};

function globalAvgBackward(s: Tensor, shape: readonly number[]): Tensor {
  return tf.tidy(() => {
    const [n, h, w, c] = shape as [number, number, number, number];
    // Copies by concat, not broadcastTo: tfjs-backend-wasm's Tile is many times slower.
    const share = tf.reshape(tf.div(s, h * w), [n, 1, c]);
    return tf.reshape(h * w === 1 ? share : tf.concat(Array<Tensor>(h * w).fill(share), 1), [n, h, w, c]);
  });
}

export const globalAvgPool2dOp: OpImpl = {
  forward: (node, [x]) => tf.mean(x!, [1, 2], (node as IRNodeOf<'globalAvgPool2d'>).attrs.keepDims),
  transpose: (_n, s, _p, [shape]) => [globalAvgBackward(s, shape!)],
  vjp: (_n, s, [x]) => [globalAvgBackward(s, x!.shape)],
};

export const globalMaxPool2dOp: OpImpl = {
  forward: (node, [x]) => tf.max(x!, [1, 2], (node as IRNodeOf<'globalMaxPool2d'>).attrs.keepDims),
  // Winner-take-all over the whole map; the first maximum wins a tie.
  vjp: (_n, s, [x]) => [
    tf.tidy(() => {
      const [n, h, w, c] = x!.shape as [number, number, number, number];
      const first = tf.reshape(tf.argMax(tf.reshape(x!, [n, h * w, c]), 1), [-1]);
      // tfjs-backend-wasm 4.22's OneHot writes zeros for dtype float32: one-hot in int32, then cast.
      const hot = tf.transpose(tf.reshape(tf.cast(tf.oneHot(first, h * w), 'float32'), [n, c, h * w]), [0, 2, 1]);
      return tf.reshape(tf.mul(hot, tf.reshape(s, [n, 1, c])), [n, h, w, c]);
    }),
  ],
};
