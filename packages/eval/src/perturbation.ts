/**
 * Pixel flipping and region perturbation (Bach et al. 2015; Samek et al. 2017): replace the
 * pixels (or square patches) of an image in the order a heatmap gives, most relevant first, and
 * follow the model's output for the explained target. A faithful heatmap makes the output fall
 * fast: a low area under the curve, lower than a random order's.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';
import { InvalidArgumentError, ShapeMismatchError, TargetOutOfRangeError } from '@nrm/core';
import { trapezoidAuc } from './auc.js';
import { permutation, seededRandom, streamSeed } from './random.js';
import { replacementImages, type Replacement } from './replacement.js';
import { finiteMean, flattenRows } from './tensors.js';

/** In which order patches are removed. */
export type PerturbationOrder = 'most-relevant-first' | 'least-relevant-first' | 'random';

/**
 * A model as a function: a batch of inputs `[B, H, W, C]` → its outputs `[B, …]`. It is called
 * inside `tf.tidy`, so it must be synchronous (an `Explainer`'s `forward` is).
 */
export type ModelFunction = (inputs: Tensor) => Tensor;

/** What is perturbed and how it is scored. */
export interface PerturbationInput {
  /** The model (its output for each perturbed batch). */
  readonly model: ModelFunction;
  /** The images `[N, H, W, C]` (not disposed). */
  readonly inputs: Tensor;
  /** Their heatmaps `[N, H, W]` (not disposed); unused (may be `null`) with `order: 'random'`. */
  readonly heatmaps: Tensor | null;
  /** Per image, the flat index (batch axis excluded) of the model output that is followed. */
  readonly targets: readonly number[];
}

/** Options of {@link perturbationCurve}. */
export interface PerturbationOptions {
  /** Default `'most-relevant-first'`. */
  readonly order?: PerturbationOrder;
  /** Number of perturbation steps after the unperturbed image (default 20). */
  readonly steps?: number;
  /** Side of the square patches, in pixels (default 1: pixel flipping). Edge patches may be smaller. */
  readonly patchSize?: number;
  /** Fraction of the patches removed at the last step (default 1: all of them). */
  readonly fraction?: number;
  /** What removed pixels become (default `{ kind: 'constant', value: 0 }`). */
  readonly replacement?: Replacement;
  /** Seeds the random order and noise replacement (default 0). */
  readonly seed?: number;
  /** Perturbed images per model call (default 128). */
  readonly batchSize?: number;
}

/** What {@link perturbationCurve} returns. */
export interface PerturbationResult {
  /** The order used. */
  readonly order: PerturbationOrder;
  /** The patch side. */
  readonly patchSize: number;
  /** Number of patches per image. */
  readonly patches: number;
  /** The fraction of patches removed at each step, `steps + 1` values from 0. */
  readonly fractions: number[];
  /** Per image, the target output after each step (`steps + 1` values, the first unperturbed). */
  readonly curves: number[][];
  /** Per image, the trapezoidal area under its curve over `fractions` (lower: the output fell faster). */
  readonly auc: number[];
  /** The mean curve over the images. */
  readonly meanCurve: number[];
  /** The mean of `auc`. */
  readonly meanAuc: number;
}

function checkInteger(name: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min) throw new InvalidArgumentError(`${name} must be an integer ≥ ${min}, got ${value}.`);
}

/** Per image, the removal order of the patches: their indices, first removed first. */
function patchOrders(
  heat: Float32Array | null,
  n: number,
  h: number,
  w: number,
  patchOf: Int32Array,
  patches: number,
  order: PerturbationOrder,
  seed: number,
): Int32Array[] {
  if (order === 'random') {
    const random = seededRandom(streamSeed(seed, 0x6f726472));
    return Array.from({ length: n }, () => permutation(patches, random));
  }
  const sign = order === 'most-relevant-first' ? -1 : 1;
  return Array.from({ length: n }, (_, i) => {
    const scores = new Float64Array(patches);
    for (let p = 0; p < h * w; p++) scores[patchOf[p]!] = scores[patchOf[p]!]! + heat![i * h * w + p]!;
    const idx = Array.from({ length: patches }, (_, k) => k);
    // Ties keep the lower patch index first (the sort is stable).
    idx.sort((a, b) => sign * (scores[a]! - scores[b]!));
    return Int32Array.from(idx);
  });
}

/**
 * Runs a perturbation: for each image and step `s = 0 … steps`, the first
 * `round(s / steps · fraction · P)` of its `P` patches (in the order the heatmap or `order` gives:
 * patches ranked by the **signed** sum of their heatmap values) are replaced, and the model's
 * output at the image's target is recorded. Images and steps are batched together, `batchSize`
 * perturbed images per model call; all image work runs as tfjs ops on the current backend.
 *
 * @throws ShapeMismatchError when the heatmaps do not match the inputs; InvalidArgumentError for
 *   bad options; TargetOutOfRangeError for a target outside the model output.
 */
export async function perturbationCurve(input: PerturbationInput, options: PerturbationOptions = {}): Promise<PerturbationResult> {
  const { model, inputs, heatmaps, targets } = input;
  const order = options.order ?? 'most-relevant-first';
  const steps = options.steps ?? 20;
  const patchSize = options.patchSize ?? 1;
  const fraction = options.fraction ?? 1;
  const seed = options.seed ?? 0;
  const batchSize = options.batchSize ?? 128;
  if (!['most-relevant-first', 'least-relevant-first', 'random'].includes(order)) {
    throw new InvalidArgumentError(`Unknown perturbation order '${order}'; use most-relevant-first, least-relevant-first or random.`);
  }
  checkInteger('steps', steps, 1);
  checkInteger('patchSize', patchSize, 1);
  checkInteger('batchSize', batchSize, 1);
  if (!(fraction > 0 && fraction <= 1)) throw new InvalidArgumentError(`fraction must be in (0, 1], got ${fraction}.`);
  if (inputs.rank !== 4) throw new ShapeMismatchError('The perturbed inputs (NHWC)', [null, null, null, null], inputs.shape);
  const [n, h, w] = inputs.shape as [number, number, number, number];
  if (order !== 'random') {
    if (!heatmaps) throw new InvalidArgumentError(`Order '${order}' needs heatmaps.`);
    if (heatmaps.rank !== 3 || heatmaps.shape[0] !== n || heatmaps.shape[1] !== h || heatmaps.shape[2] !== w) {
      throw new ShapeMismatchError('The heatmaps', [n, h, w], heatmaps.shape);
    }
  }
  if (targets.length !== n) throw new InvalidArgumentError(`perturbationCurve needs one target per image: ${n} images, ${targets.length} targets.`);

  const gw = Math.ceil(w / patchSize);
  const patches = Math.ceil(h / patchSize) * gw;
  const patchOf = new Int32Array(h * w);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) patchOf[y * w + x] = Math.floor(y / patchSize) * gw + Math.floor(x / patchSize);
  const heat = order === 'random' ? null : ((await heatmaps!.data()) as Float32Array);
  const orders = patchOrders(heat, n, h, w, patchOf, patches, order, seed);
  // rank[i, pixel] = the step order of the pixel's patch in image i: removed once rank < count.
  const rank = new Float32Array(n * h * w);
  for (let i = 0; i < n; i++) {
    const position = new Int32Array(patches);
    orders[i]!.forEach((patch, k) => (position[patch] = k));
    for (let p = 0; p < h * w; p++) rank[i * h * w + p] = position[patchOf[p]!]!;
  }
  const counts = Array.from({ length: steps + 1 }, (_, s) => Math.round((s / steps) * fraction * patches));
  const fractions = counts.map((k) => k / patches);

  const curves = Array.from({ length: n }, () => new Array<number>(steps + 1).fill(Number.NaN));
  const x = inputs as tf.Tensor4D;
  const replacement = replacementImages(x, options.replacement ?? { kind: 'constant', value: 0 }, seed);
  const rankT = tf.tensor4d(rank, [n, h, w, 1]);
  try {
    const total = n * (steps + 1);
    for (let start = 0; start < total; start += batchSize) {
      const pairs = Array.from({ length: Math.min(batchSize, total - start) }, (_, b) => start + b);
      const images = pairs.map((p) => Math.floor(p / (steps + 1)));
      const thresholds = pairs.map((p) => counts[p % (steps + 1)]!);
      const scores = tf.tidy(() => {
        const which = tf.tensor1d(images, 'int32');
        const original = tf.gather(x, which);
        const removed = tf.cast(tf.less(tf.gather(rankT, which), tf.tensor4d(thresholds, [pairs.length, 1, 1, 1])), 'float32');
        const perturbed = tf.add(original, tf.mul(removed, tf.sub(tf.gather(replacement, which), original)));
        const out = flattenRows(model(perturbed));
        const outputs = out.shape[1];
        images.forEach((i) => {
          const t = targets[i]!;
          if (!Number.isInteger(t) || t < 0 || t >= outputs) {
            throw new TargetOutOfRangeError(`Target ${t} of image ${i} is outside the model output (${outputs} values).`);
          }
        });
        return tf.gather(tf.reshape(out, [-1]), tf.tensor1d(images.map((i, b) => b * outputs + targets[i]!), 'int32'));
      });
      const values = (await scores.data()) as Float32Array;
      scores.dispose();
      pairs.forEach((p, b) => (curves[images[b]!]![p % (steps + 1)] = values[b]!));
    }
  } finally {
    replacement.dispose();
    rankT.dispose();
  }
  const auc = curves.map((curve) => trapezoidAuc(fractions, curve));
  const meanCurve = fractions.map((_, s) => finiteMean(curves.map((c) => c[s]!)));
  return { order, patchSize, patches, fractions, curves, auc, meanCurve, meanAuc: finiteMean(auc) };
}

/**
 * Pixel flipping (Bach et al. 2015): {@link perturbationCurve} with single pixels (`patchSize` 1).
 */
export function pixelFlipping(input: PerturbationInput, options: Omit<PerturbationOptions, 'patchSize'> = {}): Promise<PerturbationResult> {
  return perturbationCurve(input, { ...options, patchSize: 1 });
}

/**
 * Region perturbation (Samek et al. 2017): {@link perturbationCurve} with square patches, ranked
 * by the summed heatmap inside each patch; `patchSize` defaults to 4 pixels.
 */
export function regionPerturbation(input: PerturbationInput, options: PerturbationOptions = {}): Promise<PerturbationResult> {
  return perturbationCurve(input, { ...options, patchSize: options.patchSize ?? 4 });
}
