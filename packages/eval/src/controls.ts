/**
 * Control "explanations" that ignore the model, to calibrate the metrics: an edge detector (what
 * the randomisation test must catch) and seeded random heatmaps (chance level).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';
import { ShapeMismatchError } from '@nrm/core';
import { seededRandom, streamSeed } from './random.js';

/**
 * An edge detector: the Sobel gradient magnitude of each input channel, summed over channels,
 * `[N, H, W, C]` → `[N, H, W]` (zero padding at the borders). It is a fixed function of the
 * input that ignores the model's weights. Returns a new tensor.
 *
 * @throws ShapeMismatchError for an input that is not NHWC.
 */
export function edgeHeatmaps(inputs: Tensor): tf.Tensor3D {
  if (inputs.rank !== 4) throw new ShapeMismatchError('The input of the edge detector (NHWC)', [null, null, null, null], inputs.shape);
  const channels = inputs.shape[3]!;
  return tf.tidy(() => {
    const tile = (k: number[]) => tf.tile(tf.tensor4d(k, [3, 3, 1, 1]), [1, 1, channels, 1]) as tf.Tensor4D;
    const x = inputs as tf.Tensor4D;
    const gx = tf.depthwiseConv2d(x, tile([-1, 0, 1, -2, 0, 2, -1, 0, 1]), 1, 'same');
    const gy = tf.depthwiseConv2d(x, tile([-1, -2, -1, 0, 0, 0, 1, 2, 1]), 1, 'same');
    return tf.sum(tf.sqrt(tf.add(tf.square(gx), tf.square(gy))), 3) as tf.Tensor3D;
  });
}

/** Seeded uniform random heatmaps in `[-1, 1)` of shape `[N, H, W]`: a heatmap that knows nothing. */
export function randomHeatmaps(shape: readonly [number, number, number], seed = 0): tf.Tensor3D {
  const random = seededRandom(streamSeed(seed, 0x72616e64));
  const data = new Float32Array(shape[0] * shape[1] * shape[2]);
  for (let i = 0; i < data.length; i++) data[i] = 2 * random() - 1;
  return tf.tensor3d(data, [...shape]);
}
