/** The structural similarity index (SSIM, Wang et al. 2004) of two batches of maps. */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';
import { InvalidArgumentError } from '@nrm/core';
import { mapShape, readTidy, sameShape } from './tensors.js';

/** Options of {@link ssim}. */
export interface SsimOptions {
  /** Side of the Gaussian window, odd (default 7; shrunk to fit small maps). */
  readonly window?: number;
  /** Standard deviation of the Gaussian window, in pixels (default 1.5). */
  readonly sigma?: number;
  /**
   * The dynamic range `L` of the values (default: per pair of maps, the largest value minus the
   * smallest over both; 1 if that is 0).
   */
  readonly dataRange?: number;
  /** The luminance stabiliser is `C1 = (k1 L)²` (default k1 = 0.01). */
  readonly k1?: number;
  /** The contrast stabiliser is `C2 = (k2 L)²` (default k2 = 0.03). */
  readonly k2?: number;
}

/**
 * The mean SSIM of each pair of maps `a[n]`, `b[n]`: local means, variances and covariance under
 * a Gaussian window, `((2 μa μb + C1)(2 σab + C2)) / ((μa² + μb² + C1)(σa² + σb² + C2))`,
 * averaged over every window position that fits in the map ("valid", as scikit-image does).
 * `ssim(a, a) = 1`; it falls towards 0 (or below) as the structures differ. It depends on
 * scale: normalise heatmaps (e.g. by their max |R|) before comparing them.
 *
 * @param a - `[N, H, W]` (not disposed).
 * @param b - `[N, H, W]` (not disposed).
 * @returns one value per pair.
 * @throws ShapeMismatchError if the shapes differ; InvalidArgumentError for bad options.
 */
export async function ssim(a: Tensor, b: Tensor, options: SsimOptions = {}): Promise<number[]> {
  const [n, h, w] = mapShape('The first maps', a);
  sameShape('The second maps', a, b);
  let size = options.window ?? 7;
  const sigma = options.sigma ?? 1.5;
  if (!Number.isInteger(size) || size < 1 || size % 2 === 0) throw new InvalidArgumentError(`The SSIM window must be an odd integer ≥ 1, got ${size}.`);
  if (!(sigma > 0)) throw new InvalidArgumentError(`The SSIM sigma must be > 0, got ${sigma}.`);
  const fit = Math.min(h, w) % 2 === 1 ? Math.min(h, w) : Math.min(h, w) - 1;
  size = Math.min(size, Math.max(fit, 1));
  const k1 = options.k1 ?? 0.01;
  const k2 = options.k2 ?? 0.03;
  const values = await readTidy(() => {
    const x = tf.reshape(a, [n, h, w, 1]) as tf.Tensor4D;
    const y = tf.reshape(b, [n, h, w, 1]) as tf.Tensor4D;
    const r = (size - 1) / 2;
    const g = Array.from({ length: size }, (_, i) => Math.exp(-((i - r) ** 2) / (2 * sigma * sigma)));
    const weights = new Float32Array(size * size);
    let total = 0;
    for (let i = 0; i < size; i++) for (let j = 0; j < size; j++) total += weights[i * size + j] = g[i]! * g[j]!;
    const kernel = tf.div(tf.tensor4d(weights, [size, size, 1, 1]), total) as tf.Tensor4D;
    const filter = (t: tf.Tensor4D) => tf.conv2d(t, kernel, 1, 'valid');
    let range: Tensor;
    if (options.dataRange !== undefined) {
      if (!(options.dataRange > 0)) throw new InvalidArgumentError(`The SSIM data range must be > 0, got ${options.dataRange}.`);
      range = tf.scalar(options.dataRange);
    } else {
      const both = tf.concat([tf.reshape(a, [n, -1]), tf.reshape(b, [n, -1])], 1);
      const spread = tf.sub(tf.max(both, 1), tf.min(both, 1));
      range = tf.reshape(tf.where(tf.greater(spread, 0), spread, tf.onesLike(spread)), [n, 1, 1, 1]);
    }
    const c1 = tf.square(tf.mul(range, k1));
    const c2 = tf.square(tf.mul(range, k2));
    const mx = filter(x);
    const my = filter(y);
    const vx = tf.sub(filter(tf.mul(x, x)), tf.mul(mx, mx));
    const vy = tf.sub(filter(tf.mul(y, y)), tf.mul(my, my));
    const cxy = tf.sub(filter(tf.mul(x, y)), tf.mul(mx, my));
    const numerator = tf.mul(tf.add(tf.mul(tf.mul(mx, my), 2), c1), tf.add(tf.mul(cxy, 2), c2));
    const denominator = tf.mul(tf.add(tf.add(tf.mul(mx, mx), tf.mul(my, my)), c1), tf.add(tf.add(vx, vy), c2));
    return tf.mean(tf.div(numerator, denominator), [1, 2, 3]);
  });
  return Array.from(values);
}
