/** Spearman's rank correlation and SSIM on cases with known answers. */
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpuBackend } from '@nrm/backend-cpu';
import { InvalidArgumentError, ShapeMismatchError } from '@nrm/core';
import { averageRanks, spearman } from './spearman.js';
import { ssim } from './ssim.js';
import { uniformData } from './testing/nets.js';

let start = 0;
beforeAll(async () => {
  await cpuBackend.setup();
  start = tf.memory().numTensors;
});
afterAll(() => expect(tf.memory().numTensors).toBe(start));

describe('spearman', () => {
  const x = Array.from(uniformData(1, 200, -1, 1));

  it('is 1 for a strictly increasing transform and -1 for a decreasing one', () => {
    expect(spearman(x, x.map((v) => Math.exp(3 * v)))).toBeCloseTo(1, 12);
    expect(spearman(x, x.map((v) => v ** 3 + 5))).toBeCloseTo(1, 12);
    expect(spearman(x, x.map((v) => -2 * v))).toBeCloseTo(-1, 12);
  });

  it('matches the textbook formula 1 − 6Σd²/(n(n²−1)) without ties', () => {
    const a = [3, 1, 4, 1.5, 5, 9, 2.6];
    const b = [2, 7, 1, 8, 2.8, 1.8, 2.7];
    const ra = averageRanks(a);
    const rb = averageRanks(b);
    const n = a.length;
    let d2 = 0;
    for (let i = 0; i < n; i++) d2 += (ra[i]! - rb[i]!) ** 2;
    expect(spearman(a, b)).toBeCloseTo(1 - (6 * d2) / (n * (n * n - 1)), 12);
  });

  it('gives ties their average rank', () => {
    expect(Array.from(averageRanks([10, 20, 20, 5]))).toEqual([2, 3.5, 3.5, 1]);
  });

  it('is near 0 for unrelated arrays, NaN for a constant one, and checks lengths', () => {
    const y = Array.from(uniformData(2, 2000));
    const z = Array.from(uniformData(3, 2000));
    // The standard deviation of ρ under independence is 1/√(n−1) ≈ 0.022.
    expect(Math.abs(spearman(y, z))).toBeLessThan(0.1);
    expect(spearman([1, 1, 1], [1, 2, 3])).toBeNaN();
    expect(() => spearman([1, 2], [1])).toThrow(InvalidArgumentError);
  });
});

describe('ssim', () => {
  const data = uniformData(4, 3 * 12 * 12, -1, 1);

  it('is 1 for identical maps and below 1 otherwise', async () => {
    const a = tf.tensor3d(data, [3, 12, 12]);
    const noisy = tf.tidy(() => tf.add(a, tf.mul(tf.tensor3d(uniformData(5, 3 * 144, -1, 1), [3, 12, 12]), 0.1)));
    const other = tf.tensor3d(uniformData(6, 3 * 144, -1, 1), [3, 12, 12]);
    const same = await ssim(a, a);
    for (const v of same) expect(v).toBeCloseTo(1, 6);
    const slightly = await ssim(a, noisy);
    const unrelated = await ssim(a, other);
    for (let i = 0; i < 3; i++) {
      expect(slightly[i]).toBeGreaterThan(0.8);
      expect(slightly[i]).toBeLessThan(0.999);
      expect(Math.abs(unrelated[i]!)).toBeLessThan(0.3);
    }
    tf.dispose([a, noisy, other]);
  });

  it('is 1 for two equal constant maps (the stabilisers keep it defined) and fits small maps', async () => {
    const c = tf.fill([1, 3, 5], 0.5);
    expect((await ssim(c, c))[0]).toBeCloseTo(1, 6);
    c.dispose();
  });

  it('matches a direct computation with a uniform 3×3 window on one position', async () => {
    // With a 3×3 map and a 3×3 window there is one window position; a huge sigma makes it uniform.
    const av = [1, 2, 3, 4, 5, 6, 7, 8, 9];
    const bv = [2, 1, 4, 3, 6, 5, 9, 7, 8];
    const mean = (v: number[]) => v.reduce((s, x) => s + x, 0) / v.length;
    const [ma, mb] = [mean(av), mean(bv)];
    const va = mean(av.map((x) => x * x)) - ma * ma;
    const vb = mean(bv.map((x) => x * x)) - mb * mb;
    const cab = mean(av.map((x, i) => x * bv[i]!)) - ma * mb;
    const L = 8;
    const [c1, c2] = [(0.01 * L) ** 2, (0.03 * L) ** 2];
    const expected = ((2 * ma * mb + c1) * (2 * cab + c2)) / ((ma * ma + mb * mb + c1) * (va + vb + c2));
    const a = tf.tensor3d(av, [1, 3, 3]);
    const b = tf.tensor3d(bv, [1, 3, 3]);
    expect((await ssim(a, b, { window: 3, sigma: 1e6 }))[0]).toBeCloseTo(expected, 4);
    tf.dispose([a, b]);
  });

  it('rejects mismatched shapes and even windows', async () => {
    const a = tf.zeros([1, 4, 4]);
    const b = tf.zeros([1, 4, 5]);
    await expect(ssim(a, b)).rejects.toThrow(ShapeMismatchError);
    await expect(ssim(a, a, { window: 4 })).rejects.toThrow(InvalidArgumentError);
    tf.dispose([a, b]);
  });
});
