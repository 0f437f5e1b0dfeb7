/**
 * Heatmap error metrics of the selection optimizer: mean squared error and symmetric mean absolute
 * percentage error. Pure host code on plain arrays.
 */
import { InvalidArgumentError } from '@nrm/core';

/** What {@link mse} and {@link smape} accept: a flat array of numbers. */
export type NumericArray = Float32Array | Float64Array | readonly number[];

function checkPair(name: string, a: NumericArray, b: NumericArray): number {
  if (a.length !== b.length) throw new InvalidArgumentError(`${name} needs two arrays of one length, got ${a.length} and ${b.length}.`);
  return a.length;
}

/**
 * Mean squared error `1/n Σ (a_i − b_i)²` (symmetric). NaN for empty arrays or when an element is
 * NaN.
 *
 * @throws InvalidArgumentError if the lengths differ.
 */
export function mse(a: NumericArray, b: NumericArray): number {
  const n = checkPair('mse', a, b);
  if (n === 0) return Number.NaN;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const d = (a[i] as number) - (b[i] as number);
    sum += d * d;
  }
  return sum / n;
}

/**
 * Symmetric mean absolute percentage error, in percent:
 * `SMAPE = 100/n Σ |F_i − A_i| / ((|A_i| + |F_i|)/2)`, where a term is 0 when `A_i = F_i = 0`.
 * It is symmetric in its arguments and lies in `[0, 200]`: 0 for equal arrays, 200 when one side
 * is all zeros and the other has no zero (and, for signed values, when every pair has opposite
 * signs). Every term is scale-free, so small and large values weigh the same. NaN for empty arrays
 * or when an element is NaN.
 *
 * @param a - the actual values `A` (e.g. the full heatmap).
 * @param b - the forecast `F` (e.g. the heatmap of a selection).
 * @throws InvalidArgumentError if the lengths differ.
 */
export function smape(a: NumericArray, b: NumericArray): number {
  const n = checkPair('smape', a, b);
  if (n === 0) return Number.NaN;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const actual = a[i] as number;
    const forecast = b[i] as number;
    // |F − A| / ((|A| + |F|)/2), computed as 2 · (|F − A| / (|A| + |F|)): the ratio is ≤ 1 in
    // floating point too (halving first loses precision on subnormals and can exceed 200 %).
    const denominator = Math.abs(actual) + Math.abs(forecast);
    if (denominator === 0) continue;
    sum += 2 * (Math.abs(forecast - actual) / denominator);
  }
  return (100 / n) * sum;
}
