import { describe, expect, it } from 'vitest';
import { deriveSeed, mulberry32, shuffleInPlace } from './prng.js';

describe('mulberry32', () => {
  it('matches the reference sequence of mulberry32 for seed 1', () => {
    // Values of the widely copied JS mulberry32 (`var t = a += 0x6D2B79F5; ...`), seed 1.
    const random = mulberry32(1);
    const firstUint32 = [random(), random(), random()].map((v) => Math.round(v * 4294967296));
    expect(firstUint32).toEqual([2693262067, 11749833, 2265367787]);
  });

  it('is deterministic per seed, differs across seeds, and stays in [0, 1)', () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    const c = mulberry32(43);
    const va = Array.from({ length: 1000 }, () => a());
    expect(Array.from({ length: 1000 }, () => b())).toEqual(va);
    expect(Array.from({ length: 1000 }, () => c())).not.toEqual(va);
    expect(Math.min(...va)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...va)).toBeLessThan(1);
    const mean = va.reduce((s, v) => s + v, 0) / va.length;
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.05);
  });
});

describe('deriveSeed', () => {
  it('gives distinct 32-bit seeds for distinct seeds, streams and indices', () => {
    const seen = new Set<number>();
    for (let seed = 0; seed < 4; seed++) {
      for (let stream = 0; stream < 3; stream++) {
        for (let index = 0; index < 200; index++) {
          const s = deriveSeed(seed, stream, index);
          expect(Number.isInteger(s) && s >= 0 && s < 2 ** 32).toBe(true);
          seen.add(s);
        }
      }
    }
    expect(seen.size).toBe(4 * 3 * 200);
    expect(deriveSeed(7, 1, 5)).toBe(deriveSeed(7, 1, 5));
  });
});

describe('shuffleInPlace', () => {
  it('permutes deterministically and keeps every element', () => {
    const a = shuffleInPlace(Array.from({ length: 50 }, (_, i) => i), mulberry32(3));
    const b = shuffleInPlace(Array.from({ length: 50 }, (_, i) => i), mulberry32(3));
    expect(a).toEqual(b);
    expect(a).not.toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect([...a].sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });
});
