/** What a perturbed pixel is replaced with (pixel flipping, region perturbation). */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';
import { InvalidArgumentError } from '@nrm/core';
import { seededRandom, streamSeed } from './random.js';

/**
 * The value a removed pixel takes.
 *
 * - `constant`: a fixed value (e.g. 0, the black background of digits);
 * - `mean`: the image's own mean, per channel;
 * - `noise`: seeded uniform noise in `[low, high]` (default: the batch's min and max), drawn once
 *   per image, so a pixel keeps its noise value at every later step;
 * - `blur`: the image blurred by a Gaussian of standard deviation `sigma` (default 2 pixels),
 *   normalised at the borders.
 */
export type Replacement =
  | { readonly kind: 'constant'; readonly value: number }
  | { readonly kind: 'mean' }
  | { readonly kind: 'noise'; readonly low?: number; readonly high?: number }
  | { readonly kind: 'blur'; readonly sigma?: number };

function gaussianKernel(sigma: number, channels: number): tf.Tensor4D {
  const radius = Math.max(1, Math.ceil(3 * sigma));
  const size = 2 * radius + 1;
  const g = Array.from({ length: size }, (_, i) => Math.exp(-((i - radius) ** 2) / (2 * sigma * sigma)));
  const data = new Float32Array(size * size * channels);
  for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) for (let c = 0; c < channels; c++) data[(y * size + x) * channels + c] = g[y]! * g[x]!;
  return tf.tensor4d(data, [size, size, channels, 1]);
}

/**
 * The image a removed pixel is taken from: `[N, H, W, C]`, the same shape as `inputs` (a new
 * tensor; the caller disposes it).
 *
 * @param seed - seeds the `noise` replacement.
 * @throws InvalidArgumentError for an unknown kind or a bad parameter.
 */
export function replacementImages(inputs: tf.Tensor4D, replacement: Replacement, seed = 0): tf.Tensor4D {
  switch (replacement.kind) {
    case 'constant':
      if (!Number.isFinite(replacement.value)) throw new InvalidArgumentError(`A constant replacement needs a finite value, got ${replacement.value}.`);
      return tf.fill(inputs.shape, replacement.value) as tf.Tensor4D;
    case 'mean':
      return tf.tidy(() => tf.broadcastTo(tf.mean(inputs, [1, 2], true), inputs.shape) as tf.Tensor4D);
    case 'noise': {
      let { low, high } = replacement;
      if (low === undefined || high === undefined) {
        const range = tf.tidy(() => tf.stack([tf.min(inputs), tf.max(inputs)]));
        const [min, max] = range.dataSync();
        range.dispose();
        low ??= min!;
        high ??= max!;
      }
      if (!(high >= low) || !Number.isFinite(low) || !Number.isFinite(high)) {
        throw new InvalidArgumentError(`A noise replacement needs finite low ≤ high, got [${low}, ${high}].`);
      }
      const random = seededRandom(streamSeed(seed, 0x6e6f6973));
      const data = new Float32Array(inputs.size);
      for (let i = 0; i < data.length; i++) data[i] = low + (high - low) * random();
      return tf.tensor4d(data, inputs.shape);
    }
    case 'blur': {
      const sigma = replacement.sigma ?? 2;
      if (!(sigma > 0) || !Number.isFinite(sigma)) throw new InvalidArgumentError(`A blur replacement needs a sigma > 0, got ${sigma}.`);
      const channels = inputs.shape[3];
      return tf.tidy(() => {
        const kernel = gaussianKernel(sigma, channels);
        const blurred = tf.depthwiseConv2d(inputs, kernel, 1, 'same');
        // Dividing by the blurred image of ones undoes the darkening by the zero padding.
        const weight = tf.depthwiseConv2d(tf.onesLike(inputs), kernel, 1, 'same');
        return tf.div(blurred, weight);
      });
    }
    default:
      throw new InvalidArgumentError(`Unknown replacement '${(replacement as { kind: string }).kind}'; use constant, mean, noise or blur.`);
  }
}
