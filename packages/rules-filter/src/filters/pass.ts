/** The pass filter: keep the normalized values inside `[a1, a2]`, zero the rest. */
import * as tf from '@tensorflow/tfjs-core';
import { filterNormalized, requireBand, type RelevanceFilter } from './amplitude.js';

/**
 * `pass(a1, a2)`: per sample, `m = max|R|`, `r = R/m`, `p = max(r, 0)`, `n = max(−r, 0)`;
 * `p' = p` where `a1 ≤ p ≤ a2` (bounds inclusive), else 0 (likewise `n'`), and
 * `R' = m (p' − n')`. Kept values are returned bit-exact, so `pass(0, 1)` is the identity
 * exactly (`|r| ≤ 1` always). A sample with `m = 0` is returned unchanged. Noise-spike
 * suppression is `pass(0, a2)` with a small `a2`.
 *
 * @throws InvalidArgumentError unless `a1 ≤ a2`, both finite.
 */
export function passFilter(a1: number, a2: number): RelevanceFilter {
  requireBand('pass', a1, a2);
  return (relevance) =>
    filterNormalized(relevance, ({ magnitude, relevance: r }) => {
      const keep = tf.logicalAnd(tf.greaterEqual(magnitude, a1), tf.lessEqual(magnitude, a2));
      return tf.where(keep, r, tf.zerosLike(r));
    });
}
