/**
 * Coverage of the ground truth by the thresholded heatmap (paper 003's evaluation, our reading:
 * "the fraction of the ground truth covered by the thresholded heatmap").
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';
import { InvalidArgumentError } from '@nrm/core';
import { flattenRows, mapShape, readTidy, sameShape } from './tensors.js';

/** Options of {@link coverage}. */
export interface CoverageOptions {
  /** A pixel is "on" when `R ≥ threshold · max R` and `R > 0` (default 0.5). */
  readonly threshold?: number;
}

/** Per-sample coverage and its companion precision. */
export interface CoverageResult {
  /** `|T ∩ M| / |M|`: the share of the ground truth the thresholded heatmap covers (NaN for an empty mask). */
  readonly coverage: number[];
  /** `|T ∩ M| / |T|`: the share of the thresholded heatmap on the ground truth (NaN when nothing is on). */
  readonly precision: number[];
}

/**
 * Thresholds each heatmap at a fraction of its own maximum, `T = {i : R_i > 0, R_i ≥ τ · max R}`,
 * and returns the share of the ground-truth mask `M` it covers, `|T ∩ M| / |M|`, with its
 * precision `|T ∩ M| / |T|`. Coverage alone rewards a heatmap that is high everywhere (a constant
 * positive heatmap covers everything); read it with the precision, or with the relevance mass
 * accuracy. A heatmap equal to the mask scores 1 on both.
 *
 * @param heatmaps - `[N, H, W]` (not disposed).
 * @param masks - `[N, H, W]`, non-zero inside the ground truth (not disposed).
 * @throws ShapeMismatchError if the shapes differ; InvalidArgumentError for a threshold outside (0, 1].
 */
export async function coverage(heatmaps: Tensor, masks: Tensor, options: CoverageOptions = {}): Promise<CoverageResult> {
  const [n] = mapShape('The heatmaps', heatmaps);
  sameShape('The masks', heatmaps, masks);
  const tau = options.threshold ?? 0.5;
  if (!(tau > 0 && tau <= 1)) throw new InvalidArgumentError(`The coverage threshold must be in (0, 1], got ${tau}.`);
  const counts = await readTidy(() => {
    const r = flattenRows(heatmaps);
    const peak = tf.max(r, 1, true);
    const on = tf.cast(tf.logicalAnd(tf.greater(r, 0), tf.greaterEqual(r, tf.mul(peak, tau))), 'float32');
    const inside = tf.cast(tf.notEqual(flattenRows(masks), 0), 'float32');
    return tf.stack([tf.sum(tf.mul(on, inside), 1), tf.sum(inside, 1), tf.sum(on, 1)], 1);
  });
  const result: { coverage: number[]; precision: number[] } = { coverage: [], precision: [] };
  for (let i = 0; i < n; i++) {
    const [hit, area, lit] = [counts[3 * i]!, counts[3 * i + 1]!, counts[3 * i + 2]!];
    result.coverage.push(area > 0 ? hit / area : Number.NaN);
    result.precision.push(lit > 0 ? hit / lit : Number.NaN);
  }
  return result;
}
