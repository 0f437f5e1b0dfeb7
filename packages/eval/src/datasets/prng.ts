/**
 * Small seeded pseudo-random number generators for the synthetic datasets.
 * Pure 32-bit integer arithmetic (`Math.imul`), so a seed gives the same sequence on every
 * JavaScript engine; nothing here reads `Math.random`.
 */

/** A generator of uniform numbers in `[0, 1)`. */
export type Random = () => number;

/**
 * mulberry32: a tiny 32-bit-state PRNG (Tommy Ettinger's). Fast, good enough for data
 * generation, not for cryptography.
 *
 * @param seed - any number; only its low 32 bits are used.
 * @returns a function that yields the next value in `[0, 1)` on each call.
 */
export function mulberry32(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A 32-bit integer finaliser (the lowbias32 hash): every input bit affects every output bit. */
function mix32(x: number): number {
  let h = x >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  h = Math.imul(h, 0x846ca68b);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * Derives an independent 32-bit seed from a base seed, a stream tag and an index, so that
 * item `index` of a dataset can be generated on its own (and a dataset of `n` items is a
 * prefix of one of `n + k` items with the same seed).
 *
 * @param seed - the dataset's seed (low 32 bits used).
 * @param stream - a tag separating independent uses of one seed (e.g. labels vs. images).
 * @param index - the item's index (a non-negative integer below 2^32).
 * @returns a 32-bit unsigned seed for {@link mulberry32}.
 */
export function deriveSeed(seed: number, stream: number, index: number): number {
  return mix32(mix32(mix32(seed >>> 0) ^ (stream >>> 0)) ^ mix32((index >>> 0) + 0x9e3779b9));
}

/**
 * Shuffles `items` in place (Fisher–Yates) with `random`.
 *
 * @param items - the array to permute.
 * @param random - the generator driving the permutation.
 * @returns the same array, permuted.
 */
export function shuffleInPlace<T>(items: T[], random: Random): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const tmp = items[i]!;
    items[i] = items[j]!;
    items[j] = tmp;
  }
  return items;
}
