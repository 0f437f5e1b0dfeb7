/** Per-sample reductions shared by the R-LRP rules (batch axis 0). */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';

/** The axes of `t` other than the batch axis. */
function featureAxes(t: Tensor): number[] {
  return Array.from({ length: t.rank - 1 }, (_, i) => i + 1);
}

/** `Σ t` over every axis but the batch axis: shape `[N]`. */
export function sumPerSample(t: Tensor): Tensor {
  return t.rank <= 1 ? tf.clone(t) : tf.sum(t, featureAxes(t));
}

/** `Σ |t|` over every axis but the batch axis: shape `[N]`. */
export function l1PerSample(t: Tensor): Tensor {
  return sumPerSample(tf.abs(t));
}

/** Reshapes a per-sample `[N]` tensor so that it broadcasts against `like` (`[N, 1, …, 1]`). */
export function broadcastPerSample(perSample: Tensor, like: Tensor): Tensor {
  return tf.reshape(perSample, [perSample.shape[0]!, ...Array<number>(Math.max(like.rank - 1, 0)).fill(1)]);
}

/**
 * `num / den` where `den ≠ 0` and the quotient is finite, `fallback` elsewhere: never Inf or NaN
 * (the unused branch is computed on a safe denominator).
 */
export function safeRatio(num: Tensor, den: Tensor, fallback: number): Tensor {
  const zero = tf.equal(den, 0);
  const q = tf.div(num, tf.where(zero, tf.onesLike(den), den));
  const ok = tf.logicalAnd(tf.logicalNot(zero), tf.isFinite(q));
  return tf.where(ok, q, tf.fill(q.shape, fallback));
}

/** Throws when a rule with no options is given one (R-LRP has nothing to tune). */
export function rejectOptions(ruleId: string, options: object): void {
  const keys = Object.keys(options);
  if (keys.length > 0) {
    throw new RangeError(`${ruleId} has no options (R-LRP has no hyperparameter); got: ${keys.join(', ')}`);
  }
}
