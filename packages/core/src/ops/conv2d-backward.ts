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
import { sliceMerged } from './fast-slice.js';
import { insertZeros, interleavePhases } from './window-ops.js';

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

/** Strided, undilated convs are transposed by stride phases; the others through one flipped kernel. */
function goesByPhases(strides: readonly [number, number], dilations: readonly [number, number]): boolean {
  return (strides[0] > 1 || strides[1] > 1) && dilations[0] === 1 && dilations[1] === 1;
}

/**
 * Derives, through `derive`, every kernel {@link conv2dBackwardInput} will read for these strides
 * and dilations, and returns `true` when it will then read nothing of `kernel` itself but its shape
 * (the flipped-kernel path; the stride-phase path derives kernels per phase and is left alone:
 * `false`). A caller that caches the derived kernels may then free a kernel used only transposed;
 * without a cache there is nothing to prepare, so `derive` is required.
 */
export function prepareConv2dBackwardInput(
  kernel: Tensor4D,
  strides: readonly [number, number],
  dilations: readonly [number, number],
  derive: DeriveKernel,
): boolean {
  if (goesByPhases(strides, dilations)) return false;
  derive('flipped', () => flipKernel(kernel));
  return true;
}

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
    if (goesByPhases(strides, dilations)) {
      return conv2dBackwardInputByPhases(dy, kernel, inputHW, strides, padding, derive);
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
 * The kernel of all stride phases in one conv: phase `(a, b)`'s {@link phaseKernel}, zero-padded
 * in front to `[⌈kh/sh⌉, ⌈kw/sw⌉]` taps, in output channels `(a·sw + b)·cin … + cin`. Needs every
 * phase to have a tap (`kh ≥ sh`, `kw ≥ sw`).
 */
export function combinedPhaseKernel(kernel: Tensor4D, strides: readonly [number, number]): Tensor4D {
  const [kh, kw] = kernel.shape;
  const [sh, sw] = strides;
  const th = Math.ceil(kh / sh);
  const tw = Math.ceil(kw / sw);
  return tf.tidy(() => {
    const parts: Tensor4D[] = [];
    for (let a = 0; a < sh; a++) {
      for (let b = 0; b < sw; b++) {
        const k = phaseKernel(kernel, strides, a, b)!;
        parts.push(tf.pad(k, [[th - k.shape[0], 0], [tw - k.shape[1], 0], [0, 0], [0, 0]]));
      }
    }
    return tf.concat(parts, 3) as Tensor4D;
  });
}

/**
 * Transposed convs with at most this many output channels (the forward conv's input channels)
 * run all stride phases as one conv ({@link combinedPhaseKernel}): XNNPACK pads a conv's output
 * channels to its tile width, so four 3-channel phase convs (ResNet50's 7×7/2 stem) cost more
 * than one 12-channel conv with some zero taps. Wider ones run one conv per phase, which skips
 * the zero taps (`3×3/2`: 9 taps instead of 16).
 */
const COMBINE_PHASES_MAX_CHANNELS = 16;

/**
 * `Wᵀ dy` for a strided `y = conv2d(x, W)` (dilation 1) by stride phases: the input rows of phase
 * `a` (padded coordinates `m·sh + a`) receive `Σ_i dy[m − i]·W[a + sh·i]`, a stride-1 convolution of
 * `dy` at the output's resolution with the phase's sub-kernel. The `sh·sw` phase maps are
 * interleaved back to full resolution, then cropped to the input. Same numbers as the
 * zero-inserted form, with `sh·sw` times fewer multiply-adds. `derive` caches the phase kernels.
 */
export function conv2dBackwardInputByPhases(
  dy: Tensor4D,
  kernel: Tensor4D,
  inputHW: readonly [number, number],
  strides: readonly [number, number],
  padding: Padding,
  derive: DeriveKernel = uncached,
): Tensor4D {
  return tf.tidy(() => {
    const [kh, kw, cin] = kernel.shape;
    const [sh, sw] = strides;
    const [inH, inW] = inputHW;
    const [n, oh, ow] = dy.shape;
    const gh = windowGeometry(inH, kh, sh, padding);
    const gw = windowGeometry(inW, kw, sw, padding);
    // Rows/columns of each phase, enough to cover the input in padded coordinates.
    const mh = Math.ceil((gh.before + inH) / sh);
    const mw = Math.ceil((gw.before + inW) / sw);
    const phaseConv = (k: Tensor4D): Tensor4D => {
      const [jh, jw, , channels] = k.shape;
      // dy[m − i] for m ∈ [0, mh), i ∈ [0, jh): jh − 1 zero rows before, mh − oh after (or crop).
      const padded = tf.pad(dy, [
        [0, 0],
        [jh - 1, Math.max(0, mh - oh)],
        [jw - 1, Math.max(0, mw - ow)],
        [0, 0],
      ]);
      const g = tf.conv2d(padded, k, 1, 'valid');
      return g.shape[1] === mh && g.shape[2] === mw ? g : sliceMerged(g, [0, 0, 0, 0], [n, mh, mw, channels]);
    };
    let full: Tensor4D;
    if (kh >= sh && kw >= sw && cin <= COMBINE_PHASES_MAX_CHANNELS) {
      const g = phaseConv(derive(`phases:${sh},${sw}`, () => combinedPhaseKernel(kernel, strides)));
      // Channel (a·sw + b)·cin + c goes to row m·sh + a, column q·sw + b.
      const rows = tf.transpose(tf.reshape(g, [n * mh, mw, sh, sw * cin]), [0, 2, 1, 3]);
      full = tf.reshape(rows, [n, mh * sh, mw * sw, cin]);
    } else {
      const maps = Array.from({ length: sh }, (_, a) =>
        Array.from({ length: sw }, (_, b) => {
          // A phase without taps is cached as an empty tensor.
          const k = derive(`phase:${sh},${sw}:${a},${b}`, () => phaseKernel(kernel, strides, a, b) ?? tf.zeros([0, 0, 0, 0]));
          return k.size === 0 ? null : phaseConv(k);
        }),
      );
      full = interleavePhases(maps, n, mh, mw, cin);
    }
    return sliceMerged(full, [0, gh.before, gw.before, 0], [n, inH, inW, cin]);
  });
}
