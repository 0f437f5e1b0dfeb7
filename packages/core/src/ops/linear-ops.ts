/** Forward and transpose of the linear ops that carry parameters. */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor, Tensor2D, Tensor4D } from '@tensorflow/tfjs-core';
import type { DeviceParams } from '../contracts.js';
import type { IRNode, IRNodeOf } from '../ir.js';
import { conv2dBackwardInput, prepareConv2dBackwardInput, type DeriveKernel } from './conv2d-backward.js';
import { derived } from './derived-tensors.js';
import type { OpImpl } from './op-impl.js';

function need(params: DeviceParams | undefined, node: IRNode): DeviceParams {
  if (!params) throw new Error(`internal: node '${node.id}' (${node.op}) has no parameters`);
  return params;
}

/** Caches the kernels the transposed conv derives from `kernel` (see `derived`), under `prefix + key`. */
const cacheOn =
  (kernel: Tensor, prefix = ''): DeriveKernel =>
  (key, compute) =>
    derived(kernel, prefix + key, compute);

function addBias(y: Tensor, bias: Tensor | undefined): Tensor {
  return bias ? tf.add(y, bias) : y;
}

function linear(
  forward: (node: IRNode, x: Tensor, p: DeviceParams) => Tensor,
  transpose: (node: IRNode, s: Tensor, p: DeviceParams, inputShape: readonly number[]) => Tensor,
): OpImpl {
  return {
    forward: (node, inputs, params) => forward(node, inputs[0]!, need(params, node)),
    transpose: (node, s, params, shapes) => [transpose(node, s, need(params, node), shapes[0]!)],
    vjp: (node, s, inputs, _out, params) => [transpose(node, s, need(params, node), inputs[0]!.shape)],
  };
}

/** Dense on the last axis (inputs of any rank). */
export const denseOp = linear(
  (_n, x, p) =>
    tf.tidy(() => {
      const [inF, outF] = p.kernel.shape as [number, number];
      const flat = x.rank === 2 ? (x as Tensor2D) : tf.reshape(x, [-1, inF]);
      const y = tf.fused.matMul({ a: flat, b: p.kernel as Tensor2D, bias: p.bias });
      return x.rank === 2 ? y : tf.reshape(y, [...x.shape.slice(0, -1), outF]);
    }),
  (_n, s, p, inputShape) =>
    tf.tidy(() => {
      const [inF, outF] = p.kernel.shape as [number, number];
      const flat = (s.rank === 2 ? s : tf.reshape(s, [-1, outF])) as Tensor2D;
      return tf.reshape(denseTranspose(flat, p.kernel as Tensor2D, inF, outF), inputShape as number[]);
    }),
);

/**
 * Dense kernels up to this many weights keep a transposed copy for the backward (ResNet50's
 * 2048×1000: 8 MB); larger ones (VGG16's 25088×4096: 411 MB, twice over once XNNPACK packs it)
 * do without.
 */
const TRANSPOSED_DENSE_MAX_WEIGHTS = 4_000_000;

/**
 * `s·Wᵀ` for `s` `[rows, out]`, `W` `[in, out]`. tfjs-backend-wasm runs `matMul(s, W, false, true)`
 * (transposed B) outside XNNPACK, 2× (one row) to 6× (four rows) slower than `(W·sᵀ)ᵀ`; a cached
 * `Wᵀ` is faster still where it is small.
 */
function denseTranspose(s: Tensor2D, kernel: Tensor2D, inF: number, outF: number): Tensor2D {
  if (kernel.size <= TRANSPOSED_DENSE_MAX_WEIGHTS) {
    return tf.matMul(s, derived(kernel, 'transposed', () => tf.transpose(kernel)));
  }
  const rows = s.shape[0];
  const column = rows === 1 ? tf.reshape(s, [outF, 1]) : tf.transpose(s);
  const product = tf.matMul(kernel, column as Tensor2D);
  return (rows === 1 ? tf.reshape(product, [1, inF]) : tf.transpose(product)) as Tensor2D;
}

/**
 * Conv2D, kernel `[kh, kw, in, out]`. Its transposed map reads only the flipped kernel (stride 1 or
 * dilated), which `prepareTranspose` derives ahead.
 */
export const conv2dOp: OpImpl = {
  ...linear(
    (node, x, p) => {
      const a = (node as IRNodeOf<'conv2d'>).attrs;
      // The fused conv adds the bias inside the kernel: no separate broadcasting add.
      return tf.fused.conv2d({
        x: x as Tensor4D,
        filter: p.kernel as Tensor4D,
        strides: a.strides,
        pad: a.padding,
        dataFormat: 'NHWC',
        dilations: a.dilations,
        bias: p.bias,
      });
    },
    (node, s, p, inputShape) => {
      const a = (node as IRNodeOf<'conv2d'>).attrs;
      return conv2dBackwardInput(s as Tensor4D, p.kernel as Tensor4D, [inputShape[1]!, inputShape[2]!], a.strides, a.padding, a.dilations, cacheOn(p.kernel));
    },
  ),
  prepareTranspose: (node, p) => {
    const a = (node as IRNodeOf<'conv2d'>).attrs;
    return prepareConv2dBackwardInput(p.kernel as Tensor4D, a.strides, a.dilations, cacheOn(p.kernel));
  },
};

/** Conv2DTranspose, kernel `[kh, kw, out, in]`: the transpose of a conv2d with that kernel. */
export const conv2dTransposeOp = linear(
  (node, x, p) => {
    const a = (node as IRNodeOf<'conv2dTranspose'>).attrs;
    const [h, w] = node.outputShape as [number, number, number];
    return tf.tidy(() => addBias(conv2dBackwardInput(x as Tensor4D, p.kernel as Tensor4D, [h, w], a.strides, a.padding, [1, 1], cacheOn(p.kernel)), p.bias));
  },
  (node, s, p) => {
    const a = (node as IRNodeOf<'conv2dTranspose'>).attrs;
    return tf.conv2d(s as Tensor4D, p.kernel as Tensor4D, a.strides, a.padding);
  },
);

/** The block-diagonal full kernel `[kh, kw, in, in·m]` of a depthwise kernel `[kh, kw, in, m]`. */
function depthwiseAsFull(kernel: Tensor): Tensor4D {
  return tf.tidy(() => {
    const [kh, kw, cin, m] = kernel.shape as [number, number, number, number];
    const eye = tf.reshape(tf.eye(cin), [1, 1, cin, cin, 1]);
    return tf.reshape(tf.mul(eye, tf.reshape(kernel, [kh, kw, 1, cin, m])), [kh, kw, cin, cin * m]);
  });
}

/** DepthwiseConv2D, kernel `[kh, kw, in, multiplier]`. */
export const depthwiseConv2dOp = linear(
  (node, x, p) => {
    const a = (node as IRNodeOf<'depthwiseConv2d'>).attrs;
    return tf.tidy(() =>
      addBias(tf.depthwiseConv2d(x as Tensor4D, p.kernel as Tensor4D, a.strides, a.padding, 'NHWC', a.dilations), p.bias),
    );
  },
  (node, s, p, inputShape) => {
    const a = (node as IRNodeOf<'depthwiseConv2d'>).attrs;
    return tf.tidy(() => {
      const full = derived(p.kernel, 'full', () => depthwiseAsFull(p.kernel));
      return conv2dBackwardInput(s as Tensor4D, full, [inputShape[1]!, inputShape[2]!], a.strides, a.padding, a.dilations, cacheOn(p.kernel, 'full-'));
    });
  },
);

/** A standalone BatchNormalization: `x ⊙ kernel + bias` per channel. */
export const batchNormOp = linear(
  (_n, x, p) => tf.tidy(() => addBias(tf.mul(x, p.kernel), p.bias)),
  (_n, s, p) => tf.mul(s, p.kernel),
);
