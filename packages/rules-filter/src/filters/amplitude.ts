/**
 * The frame shared by every amplitude filter: per-sample max-normalization, and the operator
 * applied to the positive and negative parts separately.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';
import { InvalidArgumentError } from '@nrm/core';

/** A filter of the relevance: returns a new tensor of the same shape and leaves `R` undisposed. */
export type RelevanceFilter = (relevance: Tensor) => Tensor;

/**
 * What an operator sees, per element: `a = |R| / m` (the value of `p` or of `n`, whichever is
 * non-zero; both are zero where `R` is), `m` the sample's `max|R|` broadcastable to `R` (1 where
 * the sample is all zero), and `R` itself.
 */
export interface NormalizedRelevance {
  /** `|r| = p + n` with `r = R/m`, in `[0, 1]`. */
  readonly magnitude: Tensor;
  /** The sample's `max|R|`, shape `[N, 1, …, 1]` (1 in place of 0: guard `m = 0`). */
  readonly scale: Tensor;
  /** The relevance being filtered. */
  readonly relevance: Tensor;
}

/**
 * Runs an operator inside the normalization frame, in one `tidy` scope. The operator returns
 * `R' = m (p' − n')` directly: since exactly one of `p, n` is non-zero per element, an operator
 * that keeps a value may return `R` there (bit-exact, instead of `m · (R/m)`).
 *
 * @throws InvalidArgumentError for a scalar (rank 0) relevance: the first axis is the batch.
 */
export function filterNormalized(relevance: Tensor, operator: (x: NormalizedRelevance) => Tensor): Tensor {
  if (relevance.rank < 1) {
    throw new InvalidArgumentError('An amplitude filter needs relevance with a batch axis (rank ≥ 1); got a scalar.');
  }
  return tf.tidy(() => {
    const abs = tf.abs(relevance);
    const axes = Array.from({ length: relevance.rank - 1 }, (_, i) => i + 1);
    const max = axes.length > 0 ? tf.max(abs, axes, true) : abs;
    const scale = tf.where(tf.greater(max, 0), max, tf.onesLike(max));
    return operator({ magnitude: tf.div(abs, scale), scale, relevance });
  });
}

/** Checks that every named parameter is a finite number. */
export function requireFinite(filter: string, values: Readonly<Record<string, number>>): void {
  for (const [name, value] of Object.entries(values)) {
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new InvalidArgumentError(`The ${filter} filter's ${name} must be a finite number; got ${String(value)}.`);
    }
  }
}

/** Checks `a1 ≤ a2` for the band filters (clamp, pass). */
export function requireBand(filter: string, a1: number, a2: number): void {
  requireFinite(filter, { a1, a2 });
  if (a1 > a2) throw new InvalidArgumentError(`The ${filter} filter needs a1 ≤ a2; got a1 = ${a1}, a2 = ${a2}.`);
}
