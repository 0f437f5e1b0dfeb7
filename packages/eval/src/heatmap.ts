/** From the relevance at the model input to one value per pixel. */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';
import { ShapeMismatchError } from '@nrm/core';

/**
 * The heatmap of an input relevance: `[N, H, W, C]` summed over its channel axis → `[N, H, W]`
 * (a `[N, H, W]` tensor is returned as a copy). This is the map every metric of this package
 * takes. Returns a new tensor; the caller disposes it.
 *
 * @throws ShapeMismatchError for a tensor of another rank.
 */
export function heatmapOf(relevance: Tensor): tf.Tensor3D {
  if (relevance.rank === 4) return tf.sum(relevance, 3) as tf.Tensor3D;
  if (relevance.rank === 3) return tf.clone(relevance) as tf.Tensor3D;
  throw new ShapeMismatchError('An input relevance (NHWC, or NHW)', [null, null, null, null], relevance.shape);
}
