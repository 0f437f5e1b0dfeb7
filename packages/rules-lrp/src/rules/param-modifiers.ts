/**
 * Parameter modifiers shared by the LRP rules (`W⁺`, `W⁻`, `W + γW⁺`, …). Each returns a function
 * suitable for `Branch.param` (from `@nrm/core`); `keepBias: false` drops the bias of that branch.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';
import type { ParamName } from '@nrm/core';

/** A parameter modifier, as `Branch.param` (from `@nrm/core`) takes it. */
export type ParamModifier = (p: Tensor, name: ParamName) => Tensor | null;

/** Applies `f` to kernel and bias (or drops the bias). */
export function eachParam(f: (p: Tensor) => Tensor, keepBias = true): ParamModifier {
  return (p, name) => (name === 'bias' && !keepBias ? null : f(p));
}

/** `p⁺ = max(p, 0)`. */
export const positivePart = (p: Tensor): Tensor => tf.relu(p);
/** `p⁻ = min(p, 0)`. */
export const negativePart = (p: Tensor): Tensor => tf.minimum(p, 0);
