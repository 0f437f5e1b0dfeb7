/** Internal seeded randomness (no `Math.random`): the same seed gives the same numbers everywhere. */
import { deriveSeed, mulberry32 } from './datasets/prng.js';

/** A generator of uniform numbers in `[0, 1)` (the datasets' mulberry32). */
export const seededRandom: (seed: number) => () => number = mulberry32;

/** A seed for an independent stream `stream` of a base seed (a 32-bit hash of both). */
export function streamSeed(seed: number, stream: number): number {
  return deriveSeed(seed, stream, 0);
}

/** A uniformly random permutation of `0 … n−1` (Fisher–Yates). */
export function permutation(n: number, random: () => number): Int32Array {
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const t = p[i]!;
    p[i] = p[j]!;
    p[j] = t;
  }
  return p;
}

/** Standard normal samples (Box–Muller), `count` of them. */
export function gaussianSamples(count: number, random: () => number): Float32Array {
  const out = new Float32Array(count);
  for (let i = 0; i < count; i += 2) {
    const u = 1 - random();
    const v = random();
    const r = Math.sqrt(-2 * Math.log(u));
    out[i] = r * Math.cos(2 * Math.PI * v);
    if (i + 1 < count) out[i + 1] = r * Math.sin(2 * Math.PI * v);
  }
  return out;
}
