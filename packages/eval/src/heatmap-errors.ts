/**
 * The MSE and SMAPE of heatmaps against reference maps (paper 001's scores; the functions are
 * `@nrm/measure`'s, shared with its selection optimizer).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';
import { InvalidArgumentError } from '@nrm/core';
import { mse, smape } from '@nrm/measure';
import { flattenRows, readTidy, sameShape } from './tensors.js';

/**
 * How each map is scaled before comparing:
 * - `'positive-sum'` (default): `max(R, 0) / Σ max(R, 0)`, the share of the positive relevance
 *   (a ground-truth mask becomes the uniform distribution over its pixels);
 * - `'sum'`: `R / Σ R` (the measure's normalisation; NaN where `Σ R = 0`);
 * - `'max-abs'`: `R / max |R|`;
 * - `'none'`: as given.
 */
export type HeatmapNormalisation = 'positive-sum' | 'sum' | 'max-abs' | 'none';

/** Options of {@link heatmapErrors}. */
export interface HeatmapErrorOptions {
  /** Scaling of both the heatmaps and the references (default `'positive-sum'`). */
  readonly normalise?: HeatmapNormalisation;
}

/** Per-sample errors. */
export interface HeatmapErrors {
  /** Mean squared error per sample. */
  readonly mse: number[];
  /** SMAPE per sample, in percent (0–200). */
  readonly smape: number[];
}

/** Scales every row of `t` `[N, …]` → `[N, D]` as `mode` says. */
export function normaliseRows(t: Tensor, mode: HeatmapNormalisation): tf.Tensor2D {
  return tf.tidy(() => {
    const rows = tf.cast(flattenRows(t), 'float32') as tf.Tensor2D;
    switch (mode) {
      case 'none':
        return rows;
      case 'sum':
        return tf.div(rows, tf.sum(rows, 1, true));
      case 'positive-sum': {
        const positive = tf.relu(rows);
        const total = tf.sum(positive, 1, true);
        return tf.div(positive, tf.where(tf.greater(total, 0), total, tf.fill(total.shape, Number.NaN)));
      }
      case 'max-abs': {
        const m = tf.max(tf.abs(rows), 1, true);
        return tf.div(rows, tf.where(tf.greater(m, 0), m, tf.onesLike(m)));
      }
      default:
        throw new InvalidArgumentError(`Unknown normalisation '${String(mode)}'; use positive-sum, sum, max-abs or none.`);
    }
  });
}

/**
 * MSE and SMAPE between each heatmap and its reference, after normalising both (by default to
 * their positive share, see {@link HeatmapNormalisation}), per sample. With ground-truth masks as
 * the references they say how far a heatmap is from "all relevance, evenly, on the ground truth";
 * with the full heatmap as the reference they are the scores of `@nrm/measure`'s selection
 * optimizer. SMAPE counts every pixel equally, including pixels that are 0 in one map only.
 *
 * @param heatmaps - `[N, …]` (not disposed).
 * @param references - the same shape (not disposed).
 * @throws ShapeMismatchError if the shapes differ.
 */
export async function heatmapErrors(heatmaps: Tensor, references: Tensor, options: HeatmapErrorOptions = {}): Promise<HeatmapErrors> {
  sameShape('The reference maps', heatmaps, references);
  const mode = options.normalise ?? 'positive-sum';
  const n = heatmaps.shape[0] ?? 1;
  const d = heatmaps.size / Math.max(n, 1);
  const a = await readTidy(() => normaliseRows(heatmaps, mode));
  const b = await readTidy(() => normaliseRows(references, mode));
  const result: { mse: number[]; smape: number[] } = { mse: [], smape: [] };
  for (let i = 0; i < n; i++) {
    const x = a.subarray(i * d, (i + 1) * d);
    const y = b.subarray(i * d, (i + 1) * d);
    result.mse.push(mse(y, x));
    result.smape.push(smape(y, x));
  }
  return result;
}
