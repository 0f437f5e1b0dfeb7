/** The pointing game (Zhang et al. 2018): does the heatmap's maximum fall on the ground truth? */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';
import { InvalidArgumentError } from '@nrm/core';
import { flattenRows, mapShape, readTidy, sameShape } from './tensors.js';

/** Options of {@link pointingGame}. */
export interface PointingGameOptions {
  /**
   * A hit may miss the mask by up to this many pixels in each direction (the mask is dilated by
   * a `(2t+1)²` square, i.e. Chebyshev distance ≤ t). Default 0: the maximum must be on the mask.
   */
  readonly tolerance?: number;
}

/**
 * The pointing game, per sample: 1 if the pixel of the heatmap's largest (signed) value lies on
 * the ground-truth mask (dilated by `tolerance`), else 0. When several pixels share the maximum,
 * the first in row-major order counts. A heatmap equal to the mask always hits; a random one hits
 * with a probability near the dilated mask's area fraction.
 *
 * @param heatmaps - `[N, H, W]` (not disposed).
 * @param masks - `[N, H, W]`, non-zero inside the ground truth (not disposed).
 * @throws ShapeMismatchError if the shapes differ; InvalidArgumentError for a bad tolerance.
 */
export async function pointingGame(heatmaps: Tensor, masks: Tensor, options: PointingGameOptions = {}): Promise<number[]> {
  const [n, h, w] = mapShape('The heatmaps', heatmaps);
  sameShape('The masks', heatmaps, masks);
  const tolerance = options.tolerance ?? 0;
  if (!Number.isInteger(tolerance) || tolerance < 0) throw new InvalidArgumentError(`The pointing game's tolerance must be an integer ≥ 0 pixels, got ${tolerance}.`);
  const hits = await readTidy(() => {
    let inside = tf.reshape(tf.cast(tf.notEqual(masks, 0), 'float32'), [n, h, w, 1]) as tf.Tensor4D;
    if (tolerance > 0) inside = tf.maxPool(inside, 2 * tolerance + 1, 1, 'same');
    const peak = tf.argMax(flattenRows(heatmaps), 1);
    const flat = tf.reshape(inside, [-1]);
    return tf.gather(flat, tf.add(peak, tf.range(0, n * h * w, h * w, 'int32')));
  });
  return Array.from(hits);
}
