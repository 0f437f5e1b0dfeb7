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
 * `Wᵀ dy` for `y = conv2d(x, W)`: kernel `[kh, kw, cin, cout]`, `dy` `[N, oh, ow, cout]`,
 * result `[N, H, W, cin]` with `H, W` from `inputHW`.
 */
export function conv2dBackwardInput(
  dy: Tensor4D,
  kernel: Tensor4D,
  inputHW: readonly [number, number],
  strides: readonly [number, number],
  padding: Padding,
  dilations: readonly [number, number] = [1, 1],
  flippedKernel?: Tensor4D,
): Tensor4D {
  return tf.tidy(() => {
    const [kh, kw] = kernel.shape;
    const [sh, sw] = strides;
    const [dh, dw] = dilations;
    const [inH, inW] = inputHW;
    const keH = effectiveKernel(kh, dh);
    const keW = effectiveKernel(kw, dw);
    const gh = windowGeometry(inH, keH, sh, padding);
    const gw = windowGeometry(inW, keW, sw, padding);
    const [, oh, ow] = dy.shape;
    // Rows/columns the forward windows never reached (valid padding with a remainder).
    const extraH = inH + gh.before + gh.after - ((oh - 1) * sh + keH);
    const extraW = inW + gw.before + gw.after - ((ow - 1) * sw + keW);
    const flipped = flippedKernel ?? flipKernel(kernel);
    if (keH === 1 && keW === 1 && (sh > 1 || sw > 1)) {
      // A strided 1×1 conv: mix the channels at the output's resolution, then spread the result
      // (the zero-inserted map would cost sh·sw times the multiply-adds for the same numbers).
      const mixed = insertZeros(tf.conv2d(dy, flipped, 1, 'valid'), sh, sw);
      const [, mh, mw] = mixed.shape;
      // A 1×1 window has no padding before it: the spread map starts at the input's origin.
      return tf.pad(mixed, [
        [0, 0],
        [0, inH - mh],
        [0, inW - mw],
        [0, 0],
      ]);
    }
    const spread = insertZeros(dy, sh, sw);
    return tf.conv2d(
      spread,
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
