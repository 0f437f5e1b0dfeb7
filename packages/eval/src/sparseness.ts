/** Sparseness of a heatmap: the Gini index of its absolute values (Chalasani et al. 2020). */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';
import { flattenRows, readTidy } from './tensors.js';

/**
 * The Gini index of `|R|`, per sample (Hurley & Rickard 2009; used as "sparseness" by Chalasani
 * et al. 2020): with the `n` values `a_(1) ≤ … ≤ a_(n)` of `|R|` sorted ascending,
 * `G = Σ_k (2k − n − 1) a_(k) / (n Σ_k a_(k))`. 0 when every value is the same, `(n − 1)/n` (≈ 1)
 * when one value holds everything. NaN for an all-zero heatmap. Any shape `[N, …]`.
 *
 * @param heatmaps - `[N, …]` (not disposed).
 */
export async function gini(heatmaps: Tensor): Promise<number[]> {
  const n = heatmaps.shape[0] ?? 1;
  const d = heatmaps.size / Math.max(n, 1);
  const values = await readTidy(() => {
    // topk sorts descending: the k-th largest (k = 1 … d) is a_(d+1−k), weight 2(d+1−k) − d − 1 = d + 1 − 2k.
    const sorted = tf.topk(tf.abs(flattenRows(heatmaps)), d, true).values;
    const weights = tf.sub(tf.scalar(d + 1), tf.mul(tf.range(1, d + 1, 1, 'float32'), 2));
    const total = tf.sum(sorted, 1);
    return tf.stack([tf.sum(tf.mul(sorted, weights), 1), total], 1);
  });
  return Array.from({ length: n }, (_, i) => (values[2 * i + 1]! > 0 ? values[2 * i]! / (d * values[2 * i + 1]!) : Number.NaN));
}
