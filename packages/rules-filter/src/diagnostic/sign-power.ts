/** The percentile mean power of one sign's magnitudes, with the guards of the authors' code. */

/** Fraction of the sorted values in the lower part: `n_th = ceil(0.8 n)`. */
export const LOWER_FRACTION = 0.8;
/** What replaces a lower mean of 0. */
export const ZERO_LOWER_MEAN = 1e-9;

function mean(values: Float64Array, from: number, to: number): number {
  let sum = 0;
  for (let i = from; i < to; i++) sum += values[i]!;
  return sum / (to - from);
}

/**
 * Percentile mean power of one sign's magnitudes (non-negative numbers, any order): sort
 * ascending, `n_th = ceil(0.8 n)`, and return mean(top `n − n_th`) / mean(bottom `n_th`).
 * Guards, in this order: no values → `undefined` (the caller copies the other sign);
 * `n_th = 1` (i.e. `n = 1`) → the power is 1; `n_th ≥ n` (n = 2…4) → `n_th = n − 1`; upper
 * mean 0 → 0; lower mean 0 → the lower mean is taken as 1e-9.
 */
export function signPercentileMeanPower(magnitudes: ArrayLike<number>): number | undefined {
  const n = magnitudes.length;
  if (n === 0) return undefined;
  let nTh = Math.ceil(LOWER_FRACTION * n);
  if (nTh === 1) return 1;
  if (nTh >= n) nTh = n - 1;
  const sorted = Float64Array.from(magnitudes).sort();
  const upper = mean(sorted, nTh, n);
  if (upper === 0) return 0;
  const lower = mean(sorted, 0, nTh);
  return upper / (lower === 0 ? ZERO_LOWER_MEAN : lower);
}

/**
 * Percentile mean power of one sample's values: {@link signPercentileMeanPower} of the positive
 * values and of the magnitudes of the negative values, averaged; when one sign has no values,
 * the other's power is copied (so it is the result); with neither (an all-zero sample), 0.
 * Zeros belong to neither sign unless `includeZeros`, which uses the dense parts
 * `max(R, 0)` and `max(−R, 0)` (every element in both, zeros included).
 */
export function samplePercentileMeanPower(values: ArrayLike<number>, includeZeros = false): number {
  const positive: number[] = [];
  const negative: number[] = [];
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (includeZeros) {
      positive.push(v > 0 ? v : 0);
      negative.push(v < 0 ? -v : 0);
    } else if (v > 0) {
      positive.push(v);
    } else if (v < 0) {
      negative.push(-v);
    }
  }
  const p = signPercentileMeanPower(positive);
  const q = signPercentileMeanPower(negative);
  if (p === undefined && q === undefined) return 0;
  return ((p ?? q!) + (q ?? p!)) / 2;
}
