/**
 * The transposed convolution (input-gradient of `conv2d`) in its fast form: zero-insert the
 * output-side map by the stride, then run a forward `conv2d` with the kernel rotated 180° and its
 * in/out channels swapped. Same numbers as `tf.conv2dTranspose`, but on the wasm backend a forward
 * convolution is on XNNPACK's fast path and `Conv2DBackpropInput` is not (~10× slower).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor4D } from '@tensorflow/tfjs-core';
import type { Padding } from '../ir.js';
import { effectiveKernel, windowGeometry } from './conv-geometry.js';
import { insertZeros } from './window-ops.js';

/** The kernel rotated 180° with in/out channels swapped: `[kh, kw, cin, cout] → [kh, kw, cout, cin]`. */
export function flipKernel(kernel: Tensor4D): Tensor4D {
  return tf.tidy(() => tf.transpose(tf.reverse(kernel, [0, 1]), [0, 1, 3, 2]) as Tensor4D);
}

/**
 * Returns a kernel derived from a layer's kernel (flipped, or a stride phase's sub-kernel), computed
 * by `compute`; callers that keep the layer's kernel cache the result under `key`.
 */
export type DeriveKernel = (key: string, compute: () => Tensor4D) => Tensor4D;

const uncached: DeriveKernel = (_key, compute) => compute();

/**
 * `Wᵀ dy` for `y = conv2d(x, W)`: kernel `[kh, kw, cin, cout]`, `dy` `[N, oh, ow, cout]`,
 * result `[N, H, W, cin]` with `H, W` from `inputHW`. Strided (undilated) convs go by stride
 * phases (`conv2dBackwardInputByPhases`); the others zero-insert `dy` by the stride and run a
 * forward conv with the flipped kernel. `derive` lets the caller cache the derived kernels.
 */
export function conv2dBackwardInput(
  dy: Tensor4D,
  kernel: Tensor4D,
  inputHW: readonly [number, number],
  strides: readonly [number, number],
  padding: Padding,
  dilations: readonly [number, number] = [1, 1],
  derive: DeriveKernel = uncached,
): Tensor4D {
  return tf.tidy(() => {
    const [kh, kw] = kernel.shape;
    const [sh, sw] = strides;
    const [dh, dw] = dilations;
    if ((sh > 1 || sw > 1) && dh === 1 && dw === 1) {
      return conv2dBackwardInputByPhases(dy, kernel.shape, inputHW, strides, padding, (a, b) => {
        // A phase without taps is kept as an empty tensor.
        const k = derive(`phase:${sh},${sw}:${a},${b}`, () => phaseKernel(kernel, strides, a, b) ?? tf.zeros([0, 0, 0, 0]));
        return k.size === 0 ? null : k;
      });
    }
    const [inH, inW] = inputHW;
    const keH = effectiveKernel(kh, dh);
    const keW = effectiveKernel(kw, dw);
    const gh = windowGeometry(inH, keH, sh, padding);
    const gw = windowGeometry(inW, keW, sw, padding);
    const [, oh, ow] = dy.shape;
    // Rows/columns the forward windows never reached (valid padding with a remainder).
    const extraH = inH + gh.before + gh.after - ((oh - 1) * sh + keH);
    const extraW = inW + gw.before + gw.after - ((ow - 1) * sw + keW);
    const flipped = derive('flipped', () => flipKernel(kernel));
    return tf.conv2d(
      insertZeros(dy, sh, sw),
      flipped,
      1,
      [
        [0, 0],
        [keH - 1 - gh.before, keH - 1 - gh.after + extraH],
        [keW - 1 - gw.before, keW - 1 - gw.after + extraW],
        [0, 0],
      ],
      'NHWC',
      [dh, dw],
    );
  });
}

/**
 * The flipped, channel-swapped sub-kernel of stride phase `(a, b)`: taps `W[a + sh·i, b + sw·j]`
 * (`[ceil((kh − a)/sh), ceil((kw − b)/sw), cout, cin]`), or `null` when the phase has no tap.
 */
export function phaseKernel(kernel: Tensor4D, strides: readonly [number, number], a: number, b: number): Tensor4D | null {
  const [kh, kw, cin, cout] = kernel.shape;
  const [sh, sw] = strides;
  const jh = Math.ceil((kh - a) / sh);
  const jw = Math.ceil((kw - b) / sw);
  if (jh <= 0 || jw <= 0) return null;
  return tf.tidy(() => {
    const taps = tf.stridedSlice(kernel, [a, b, 0, 0], [kh, kw, cin, cout], [sh, sw, 1, 1]) as Tensor4D;
    return flipKernel(taps);
  });
}

/**
 * `Wᵀ dy` for a strided `y = conv2d(x, W)` (dilation 1) by stride phases: the input rows of phase
 * `a` (padded coordinates `m·sh + a`) receive `Σ_i dy[m − i]·W[a + sh·i]`, a stride-1 convolution of
 * `dy` at the output's resolution with the phase's sub-kernel. The `sh·sw` phase maps are
 * interleaved by stacking and reshaping, then cropped to the input. Same numbers as the
 * zero-inserted form, with `sh·sw` times fewer multiply-adds. `subKernel(a, b)` returns
 * {@link phaseKernel} (callers cache it).
 */
export function conv2dBackwardInputByPhases(
  dy: Tensor4D,
  kernelShape: readonly [number, number, number, number],
  inputHW: readonly [number, number],
  strides: readonly [number, number],
  padding: Padding,
  subKernel: (a: number, b: number) => Tensor4D | null,
): Tensor4D {
  return tf.tidy(() => {
    const [kh, kw, cin] = kernelShape;
    const [sh, sw] = strides;
    const [inH, inW] = inputHW;
    const [n, oh, ow] = dy.shape;
    const gh = windowGeometry(inH, kh, sh, padding);
    const gw = windowGeometry(inW, kw, sw, padding);
    // Rows/columns of each phase, enough to cover the input in padded coordinates.
    const mh = Math.ceil((gh.before + inH) / sh);
    const mw = Math.ceil((gw.before + inW) / sw);
    const rows: Tensor4D[] = [];
    for (let a = 0; a < sh; a++) {
      const cols: Tensor4D[] = [];
      for (let b = 0; b < sw; b++) {
        const k = subKernel(a, b);
        if (!k) {
          cols.push(tf.zeros([n, mh, mw, cin]));
          continue;
        }
        const [jh, jw] = k.shape;
        // dy[m − i] for m ∈ [0, mh), i ∈ [0, jh): jh − 1 zero rows before, mh − oh after (or crop).
        const padded = tf.pad(dy, [
          [0, 0],
          [jh - 1, Math.max(0, mh - oh)],
          [jw - 1, Math.max(0, mw - ow)],
          [0, 0],
        ]);
        const g = tf.conv2d(padded, k, 1, 'valid');
        cols.push(g.shape[1] === mh && g.shape[2] === mw ? g : (tf.slice(g, [0, 0, 0, 0], [n, mh, mw, cin]) as Tensor4D));
      }
      rows.push(sw === 1 ? cols[0]! : (tf.reshape(tf.stack(cols, 3), [n, mh, mw * sw, cin]) as Tensor4D));
    }
    const full = sh === 1 ? rows[0]! : (tf.reshape(tf.stack(rows, 2), [n, mh * sh, mw * sw, cin]) as Tensor4D);
    return tf.slice(full, [0, gh.before, gw.before, 0], [n, inH, inW, cin]) as Tensor4D;
  });
}
