/** Reading R-LRP's reported layer factors, and the optional one-time rescale of a heatmap. */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';
import { InvalidArgumentError, type Explanation } from '@nrm/core';

/** What {@link layerFactors} reads from an explanation. */
export interface LayerFactors {
  /**
   * Node id → the factor `c = Σ R_in / Σ R` that `relative/linear` reported there, one number per
   * row (sample); only nodes R-LRP's linear rule ran on appear.
   */
  readonly layers: Readonly<Record<string, readonly number[]>>;
  /** Per row: the product of every reported factor (equal to {@link LayerFactors.cumulative} on a chain). */
  readonly product: readonly number[];
  /**
   * Per row: `Σ R_input / Σ seed`, the factor by which the heatmap's total differs from the seed's
   * (`1` where `Σ seed = 0`). On a chain of layers it is the product of the layer factors; on a
   * graph with parallel branches (residual blocks) only this measured ratio describes the whole.
   * When the walk stopped above the input (`stopAtRecorded`), it is {@link LayerFactors.product}.
   */
  readonly cumulative: readonly number[];
}

/** Row `r` of a list of `m` rows, for an explanation of `rows` rows (`m` divides `rows`). */
function rowOf(values: ArrayLike<number>, r: number, rows: number): number {
  const m = values.length;
  return values[m === rows ? r : Math.floor((r * m) / rows)]!;
}

async function perRowSums(t: Tensor): Promise<Float32Array> {
  const sums = tf.tidy(() => (t.rank <= 1 ? tf.clone(t) : tf.sum(t, Array.from({ length: t.rank - 1 }, (_, i) => i + 1))));
  try {
    return (await sums.data()) as Float32Array;
  } finally {
    sums.dispose();
  }
}

/**
 * Reads `explanation.reports[node].factor` (written by `relative/linear`) into numbers, and the
 * cumulative factor of the whole explanation. Nothing is disposed; the explanation stays usable.
 * With an expanding condition, rows above the expanded layer are repeated for its `K` rows.
 */
export async function layerFactors(explanation: Explanation): Promise<LayerFactors> {
  const layers: Record<string, number[]> = {};
  for (const [node, byName] of Object.entries(explanation.reports)) {
    const factor = byName['factor'];
    if (factor) layers[node] = Array.from(await factor.data());
  }
  const inputRows = explanation.input.size === 0 ? 0 : explanation.input.shape[0]!;
  const lists = Object.values(layers);
  const rows = inputRows || Math.max(explanation.seed.shape[0]!, ...lists.map((l) => l.length));
  const product = Array.from({ length: rows }, (_, r) => lists.reduce((p, l) => p * rowOf(l, r, rows), 1));
  if (inputRows === 0) return { layers, product, cumulative: product };
  const inputSums = await perRowSums(explanation.input);
  const seedSums = await perRowSums(explanation.seed);
  const cumulative = Array.from({ length: rows }, (_, r) => {
    const seed = rowOf(seedSums, r, rows);
    return seed === 0 ? 1 : inputSums[r]! / seed;
  });
  return { layers, product, cumulative };
}

/**
 * Optional: rescales a heatmap once, dividing row `r` by the cumulative factor of row `r`, so that
 * its total equals the seed's again (`Σ R_input = Σ seed`). This is a division by a per-sample
 * total, which R-LRP's propagation itself avoids: rows whose factor is 0 or not finite are
 * returned unchanged. Returns a new tensor (the caller disposes it).
 *
 * @param heatmap `[N, …]`, e.g. `explanation.input`.
 * @param factors {@link layerFactors}' result (its `cumulative`), or one number per row.
 */
export function rescale(heatmap: Tensor, factors: LayerFactors | readonly number[]): Tensor {
  const perRow = 'cumulative' in factors ? factors.cumulative : factors;
  const rows = heatmap.shape[0] ?? 0;
  if (perRow.length !== rows) {
    throw new InvalidArgumentError(`rescale: ${perRow.length} factor(s) for a heatmap of ${rows} row(s).`);
  }
  const divisors = perRow.map((c) => (c !== 0 && Number.isFinite(c) ? c : 1));
  return tf.tidy(() => tf.div(heatmap, tf.tensor(divisors, [rows, ...Array<number>(Math.max(heatmap.rank - 1, 0)).fill(1)])));
}
