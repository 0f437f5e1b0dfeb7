/** Spearman's rank correlation of two heatmaps. */
import { InvalidArgumentError } from '@nrm/core';

/** Ranks `1 … n` of the values, ties sharing the mean of their ranks. */
export function averageRanks(values: ArrayLike<number>): Float64Array {
  const n = values.length;
  const idx = Array.from({ length: n }, (_, i) => i).sort((a, b) => values[a]! - values[b]!);
  const ranks = new Float64Array(n);
  for (let start = 0; start < n; ) {
    let end = start + 1;
    while (end < n && values[idx[end]!] === values[idx[start]!]) end++;
    const rank = (start + end + 1) / 2; // mean of the 1-based ranks start+1 … end
    for (let k = start; k < end; k++) ranks[idx[k]!] = rank;
    start = end;
  }
  return ranks;
}

function pearson(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i]!;
    mb += b[i]!;
  }
  ma /= n;
  mb /= n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    const da = a[i]! - ma;
    const db = b[i]! - mb;
    sab += da * db;
    saa += da * da;
    sbb += db * db;
  }
  return saa === 0 || sbb === 0 ? Number.NaN : sab / Math.sqrt(saa * sbb);
}

/**
 * Spearman's rank correlation coefficient: the Pearson correlation of the two arrays' ranks (ties
 * get their average rank). 1 when one array is a strictly increasing function of the other, −1
 * for a decreasing one, near 0 for unrelated arrays. NaN when either array is constant or a value
 * is NaN.
 *
 * @throws InvalidArgumentError if the lengths differ.
 */
export function spearman(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new InvalidArgumentError(`spearman needs two arrays of one length, got ${a.length} and ${b.length}.`);
  for (let i = 0; i < a.length; i++) if (Number.isNaN(a[i]!) || Number.isNaN(b[i]!)) return Number.NaN;
  return pearson(averageRanks(a), averageRanks(b));
}
