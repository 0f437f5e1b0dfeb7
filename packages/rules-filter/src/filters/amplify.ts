/** The amplify filter: multiply the normalized values at or above a threshold by a factor. */
import * as tf from '@tensorflow/tfjs-core';
import { filterNormalized, requireFinite, type RelevanceFilter } from './amplitude.js';

/**
 * `amplify(a, factor)`: per sample, `m = max|R|`, `r = R/m`, `p = max(r, 0)`, `n = max(−r, 0)`;
 * `p' = factor · p` where `p ≥ a`, else `p` (likewise `n'`), and `R' = m (p' − n')`, i.e.
 * `factor · R` where `|R| ≥ a·m` and `R` elsewhere (bit-exact). Identities: `factor = 1`, or
 * `a > 1` (no normalized value exceeds 1). A sample with `m = 0` is returned unchanged. The
 * paper's sweep: `a ∈ {0.5, 0.7}`, `factor = 2`.
 *
 * @throws InvalidArgumentError unless `a` and `factor` are finite.
 */
export function amplifyFilter(a: number, factor: number): RelevanceFilter {
  requireFinite('amplify', { a, factor });
  return (relevance) =>
    filterNormalized(relevance, ({ magnitude, relevance: r }) => tf.where(tf.greaterEqual(magnitude, a), tf.mul(r, factor), r));
}
