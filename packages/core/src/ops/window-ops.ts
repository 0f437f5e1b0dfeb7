/**
 * Window helpers shared by the convolution and pooling backwards: zero-insertion ("dilation") of a
 * strided map, and placing a map at an offset inside a larger one. Built from reshape/pad/slice so
 * they run on every tfjs backend.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor4D } from '@tensorflow/tfjs-core';

/** Inserts `s − 1` zeros between neighbouring rows/columns: `[N,H,W,C] → [N,(H−1)sh+1,(W−1)sw+1,C]`. */
export function insertZeros(t: Tensor4D, sh: number, sw: number): Tensor4D {
  if (sh === 1 && sw === 1) return t;
  const [n, h, w, c] = t.shape;
  return tf.tidy(() => {
    const spread = tf.pad(tf.reshape(t, [n, h, 1, w, 1, c]), [
      [0, 0],
      [0, 0],
      [0, sh - 1],
      [0, 0],
      [0, sw - 1],
      [0, 0],
    ]);
    const full = tf.reshape(spread, [n, h * sh, w * sw, c]);
    return tf.slice(full, [0, 0, 0, 0], [n, (h - 1) * sh + 1, (w - 1) * sw + 1, c]) as Tensor4D;
  });
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
    const cropped = y0 === 0 && x0 === 0 && hh === h && ww === w ? t : tf.slice(t, [0, y0, x0, 0], [n, hh, ww, c]);
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
