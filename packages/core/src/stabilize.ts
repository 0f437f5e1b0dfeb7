import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';

/**
 * Zennit's stabilizer: `t + ε·sign₀(t)` with `sign₀(t) = +1` for `t ≥ 0` and `−1` otherwise, so a
 * denominator of exactly 0 becomes `+ε` and there is never a division by zero.
 */
export function stabilize(t: Tensor, epsilon: number): Tensor {
  return tf.tidy(() => tf.where(tf.greaterEqual(t, 0), tf.add(t, epsilon), tf.sub(t, epsilon)));
}
