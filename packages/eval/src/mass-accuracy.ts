/** Relevance mass accuracy (Arras et al. 2022): the share of the positive relevance inside the ground truth. */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';
import { flattenRows, mapShape, readTidy, sameShape } from './tensors.js';

/**
 * Relevance mass accuracy, per sample: `Σ_{i ∈ M} R⁺_i / Σ_i R⁺_i`, with `R⁺ = max(R, 0)` the
 * positive part of the heatmap and `M` the ground-truth mask (non-zero = inside). 1 when all
 * positive relevance lies on the ground truth; for a heatmap that ignores the image (random
 * values) it is about the mask's area fraction. NaN where the heatmap has no positive value.
 *
 * @param heatmaps - `[N, H, W]` (not disposed).
 * @param masks - `[N, H, W]`, 0 outside the ground truth and non-zero inside (not disposed).
 * @throws ShapeMismatchError if the shapes differ or are not `[N, H, W]`.
 */
export async function relevanceMassAccuracy(heatmaps: Tensor, masks: Tensor): Promise<number[]> {
  mapShape('The heatmaps', heatmaps);
  sameShape('The masks', heatmaps, masks);
  const sums = await readTidy(() => {
    const positive = tf.relu(flattenRows(heatmaps));
    const inside = tf.cast(tf.notEqual(flattenRows(masks), 0), 'float32');
    return tf.stack([tf.sum(tf.mul(positive, inside), 1), tf.sum(positive, 1)], 1);
  });
  const n = heatmaps.shape[0]!;
  return Array.from({ length: n }, (_, i) => (sums[2 * i + 1]! > 0 ? sums[2 * i]! / sums[2 * i + 1]! : Number.NaN));
}
