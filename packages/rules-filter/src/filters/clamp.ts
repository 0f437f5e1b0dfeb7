/** The clamp filter: clip the normalized positive and negative parts into `[a1, a2]` on their support. */
import * as tf from '@tensorflow/tfjs-core';
import { filterNormalized, requireBand, type RelevanceFilter } from './amplitude.js';

/**
 * `clamp(a1, a2)`: per sample, `m = max|R|`, `r = R/m`, `p = max(r, 0)`, `n = max(−r, 0)`;
 * `p' = clip(p, a1, a2)` where `p > 0` and `p' = 0` where `p = 0` (likewise `n'`), and
 * `R' = m (p' − n')`. "On its own support": a zero stays zero, so `a1 > 0` lifts small non-zero
 * values of either sign to `a1·m` but never creates relevance where there was none. Values
 * already inside `[a1, a2]` are returned bit-exact; a sample with `m = 0` is returned unchanged.
 * Noise-spike suppression is `clamp(0, a2)` with a small `a2`.
 *
 * @throws InvalidArgumentError unless `a1 ≤ a2`, both finite.
 */
export function clampFilter(a1: number, a2: number): RelevanceFilter {
  requireBand('clamp', a1, a2);
  return (relevance) =>
    filterNormalized(relevance, ({ magnitude, scale, relevance: r }) => {
      // sign(0) = 0: a zero (on neither part's support) stays zero even where it is below a1.
      const sign = tf.sign(r);
      const below = tf.less(magnitude, a1);
      const above = tf.greater(magnitude, a2);
      const low = tf.mul(sign, tf.mul(scale, a1));
      const high = tf.mul(sign, tf.mul(scale, a2));
      return tf.where(above, high, tf.where(below, low, r));
    });
}
