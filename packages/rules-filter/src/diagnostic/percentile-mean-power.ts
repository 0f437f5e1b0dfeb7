/** The percentile-mean-power diagnostic of relevance tensors and of explainer layers. */
import type { Tensor } from '@tensorflow/tfjs-core';
import { InvalidArgumentError, type Explainer, type Target } from '@nrm/core';
import { samplePercentileMeanPower } from './sign-power.js';

/** Options of the diagnostic. */
export interface PercentileMeanPowerOptions {
  /**
   * Count zeros in both signs (the dense parts `max(R,0)`, `max(−R,0)`) instead of in neither
   * (default false: only positive values and magnitudes of negative values).
   */
  readonly includeZeros?: boolean;
}

/**
 * Percentile mean power of each sample (first axis) of `relevance`, over all its other axes:
 * see {@link samplePercentileMeanPower}. Reads the tensor (does not dispose it). Scale-free
 * apart from the 1e-9 guard, so the values are taken as they are (no max-normalization).
 *
 * @throws InvalidArgumentError for a scalar (rank 0) tensor.
 */
export async function percentileMeanPower(relevance: Tensor, options: PercentileMeanPowerOptions = {}): Promise<number[]> {
  if (relevance.rank < 1) throw new InvalidArgumentError('percentileMeanPower needs a batch axis (rank ≥ 1); got a scalar.');
  const data = await relevance.data();
  const batch = relevance.shape[0]!;
  const size = batch === 0 ? 0 : data.length / batch;
  return Array.from({ length: batch }, (_, n) => samplePercentileMeanPower(data.subarray(n * size, (n + 1) * size), options.includeZeros));
}

/**
 * The diagnostic per layer: explains `input` for `target` with `explainer` (its composite and
 * any `outgoing` filters included), records `layers` (the relevance at each layer's output) and
 * returns layer → one percentile mean power per sample. The explanation is disposed.
 */
export async function diagnose(
  explainer: Explainer,
  input: Tensor,
  target: Target,
  layers: readonly string[],
  options: PercentileMeanPowerOptions = {},
): Promise<Record<string, number[]>> {
  const explanation = explainer.explain(input, { target, record: layers });
  try {
    const result: Record<string, number[]> = {};
    for (const layer of layers) result[layer] = await percentileMeanPower(explanation.layers[layer]!, options);
    return result;
  } finally {
    explanation.dispose();
  }
}
