/** Ops that only move values, the ReLU, and the sum of a residual Add. */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor, Tensor4D } from '@tensorflow/tfjs-core';
import type { IRNodeOf } from '../ir.js';
import type { OpImpl } from './op-impl.js';
import { sliceMerged } from './fast-slice.js';

const reshapeBack: OpImpl['vjp'] = (_n, s, [x]) => [tf.reshape(s, x!.shape)];

export const flattenOp: OpImpl = {
  forward: (_n, [x]) => tf.reshape(x!, [x!.shape[0]!, -1]),
  transpose: (_n, s, _p, [shape]) => [tf.reshape(s, shape as number[])],
  vjp: reshapeBack,
};

export const reshapeOp: OpImpl = {
  forward: (node, [x]) => tf.reshape(x!, [x!.shape[0]!, ...(node as IRNodeOf<'reshape'>).attrs.targetShape]),
  transpose: (_n, s, _p, [shape]) => [tf.reshape(s, shape as number[])],
  vjp: reshapeBack,
};

/**
 * A new tensor on the same data (`tf.reshape` to its own shape: the backend counts references).
 * Unlike `tf.clone`, which tfjs-backend-wasm runs as a full copy, it costs nothing.
 */
export function alias<T extends Tensor>(t: T): T {
  return tf.reshape(t, t.shape) as T;
}

export const identityOp: OpImpl = {
  forward: (_n, [x]) => alias(x!),
  transpose: (_n, s) => [alias(s)],
  vjp: (_n, s) => [alias(s)],
};

export const reluOp: OpImpl = {
  forward: (_n, [x]) => tf.relu(x!),
  vjp: (_n, s, [x]) => [tf.tidy(() => tf.mul(s, tf.step(x!)))],
};

export const addOp: OpImpl = {
  forward: (_n, inputs) => tf.addN(inputs as Tensor[]),
  transpose: (_n, s, _p, shapes) => shapes.map(() => alias(s)),
  vjp: (_n, s, inputs) => inputs.map(() => alias(s)),
};

function splitConcat(node: IRNodeOf<'concat'>, s: Tensor, shapes: readonly (readonly number[])[]): Tensor[] {
  const axis = node.attrs.axis;
  return tf.split(s, shapes.map((sh) => sh[axis]!), axis);
}

export const concatOp: OpImpl = {
  forward: (node, inputs) => tf.concat(inputs as Tensor[], (node as IRNodeOf<'concat'>).attrs.axis),
  transpose: (node, s, _p, shapes) => splitConcat(node as IRNodeOf<'concat'>, s, shapes),
  vjp: (node, s, inputs) => splitConcat(node as IRNodeOf<'concat'>, s, inputs.map((x) => x.shape)),
};

function upsampleBackward(node: IRNodeOf<'upSampling2d'>, s: Tensor, shape: readonly number[]): Tensor {
  const [n, h, w, c] = shape as [number, number, number, number];
  const [sh, sw] = node.attrs.size;
  return tf.tidy(() => tf.sum(tf.reshape(s, [n, h, sh, w, sw, c]), [2, 4]));
}

export const upSampling2dOp: OpImpl = {
  forward: (node, [x]) =>
    tf.tidy(() => {
      const [n, h, w, c] = x!.shape as [number, number, number, number];
      const [sh, sw] = (node as IRNodeOf<'upSampling2d'>).attrs.size;
      const spread = tf.tile(tf.reshape(x!, [n, h, 1, w, 1, c]), [1, 1, sh, 1, sw, 1]);
      return tf.reshape(spread, [n, h * sh, w * sw, c]);
    }),
  transpose: (node, s, _p, [shape]) => [upsampleBackward(node as IRNodeOf<'upSampling2d'>, s, shape!)],
  vjp: (node, s, [x]) => [upsampleBackward(node as IRNodeOf<'upSampling2d'>, s, x!.shape)],
};

function crop(node: IRNodeOf<'zeroPadding2d'>, s: Tensor, shape: readonly number[]): Tensor {
  const [[top], [left]] = node.attrs.padding;
  const [n, h, w, c] = shape as [number, number, number, number];
  return sliceMerged(s as Tensor4D, [0, top, left, 0], [n, h, w, c]);
}

/** Zero padding; its backward crops (relevance on the border is dropped). */
export const zeroPadding2dOp: OpImpl = {
  forward: (node, [x]) => {
    const [[t, b], [l, r]] = (node as IRNodeOf<'zeroPadding2d'>).attrs.padding;
    return tf.pad(x!, [[0, 0], [t, b], [l, r], [0, 0]]);
  },
  transpose: (node, s, _p, [shape]) => [crop(node as IRNodeOf<'zeroPadding2d'>, s, shape!)],
  vjp: (node, s, [x]) => [crop(node as IRNodeOf<'zeroPadding2d'>, s, x!.shape)],
};
