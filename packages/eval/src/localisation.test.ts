/**
 * Metrics against ground-truth masks: relevance mass accuracy, the pointing game, coverage and the
 * MSE/SMAPE scores. A heatmap equal to the mask scores perfectly; a random one scores at chance.
 */
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpuBackend } from '@nrm/backend-cpu';
import { InvalidArgumentError, ShapeMismatchError } from '@nrm/core';
import { coverage } from './coverage.js';
import { heatmapErrors } from './heatmap-errors.js';
import { relevanceMassAccuracy } from './mass-accuracy.js';
import { pointingGame } from './pointing-game.js';
import { seededRandom } from './random.js';
import { uniformData } from './testing/nets.js';

let start = 0;
beforeAll(async () => {
  await cpuBackend.setup();
  start = tf.memory().numTensors;
});
afterAll(() => expect(tf.memory().numTensors).toBe(start));

const N = 400;
const S = 16;
/** N masks, each an 8×8 square (a quarter of the 16×16 map) at a seeded random position. */
function squareMasks(seed: number): Float32Array {
  const random = seededRandom(seed);
  const masks = new Float32Array(N * S * S);
  for (let n = 0; n < N; n++) {
    const top = Math.floor(random() * (S - 8 + 1));
    const left = Math.floor(random() * (S - 8 + 1));
    for (let y = top; y < top + 8; y++) for (let x = left; x < left + 8; x++) masks[n * S * S + y * S + x] = 1;
  }
  return masks;
}

const meanAndStdError = (v: number[]) => {
  const m = v.reduce((a, b) => a + b, 0) / v.length;
  const sd = Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / (v.length - 1));
  return [m, sd / Math.sqrt(v.length)] as const;
};

describe('a heatmap equal to the mask', () => {
  it('scores perfectly on every mask metric', async () => {
    const masks = tf.tensor3d(squareMasks(1), [N, S, S]);
    expect(new Set(await relevanceMassAccuracy(masks, masks))).toEqual(new Set([1]));
    expect(new Set(await pointingGame(masks, masks))).toEqual(new Set([1]));
    const cov = await coverage(masks, masks);
    expect(new Set(cov.coverage)).toEqual(new Set([1]));
    expect(new Set(cov.precision)).toEqual(new Set([1]));
    const errors = await heatmapErrors(masks, masks);
    expect(new Set(errors.mse)).toEqual(new Set([0]));
    expect(new Set(errors.smape)).toEqual(new Set([0]));
    masks.dispose();
  });
});

describe('a random heatmap', () => {
  const masks = squareMasks(2);
  const heat = uniformData(3, N * S * S, -1, 1);

  it('has a mass accuracy at the mask area fraction (0.25), within 4 standard errors', async () => {
    const [h, m] = [tf.tensor3d(heat, [N, S, S]), tf.tensor3d(masks, [N, S, S])];
    const [mean, se] = meanAndStdError(await relevanceMassAccuracy(h, m));
    expect(Math.abs(mean - 0.25)).toBeLessThan(4 * se);
    expect(se).toBeLessThan(0.01);
    tf.dispose([h, m]);
  });

  it('wins the pointing game at the mask area fraction, within 4 binomial standard errors', async () => {
    const [h, m] = [tf.tensor3d(heat, [N, S, S]), tf.tensor3d(masks, [N, S, S])];
    const hits = await pointingGame(h, m);
    const rate = hits.reduce((a, b) => a + b, 0) / N;
    expect(Math.abs(rate - 0.25)).toBeLessThan(4 * Math.sqrt((0.25 * 0.75) / N));
    tf.dispose([h, m]);
  });

  it('covers half the mask at threshold 0 + (positive values) with precision at the area fraction', async () => {
    const [h, m] = [tf.tensor3d(heat, [N, S, S]), tf.tensor3d(masks, [N, S, S])];
    // τ = 1e-6: every positive value is on, i.e. about half of all pixels.
    const { coverage: cov, precision } = await coverage(h, m, { threshold: 1e-6 });
    const [mc, sc] = meanAndStdError(cov);
    const [mp, sp] = meanAndStdError(precision);
    expect(Math.abs(mc - 0.5)).toBeLessThan(4 * sc);
    expect(Math.abs(mp - 0.25)).toBeLessThan(4 * sp);
    tf.dispose([h, m]);
  });
});

describe('pointingGame', () => {
  it('counts a near miss as a hit within the tolerance (Chebyshev distance)', async () => {
    const mask = new Float32Array(10 * 10);
    mask[5 * 10 + 5] = 1;
    const heat = new Float32Array(3 * 100);
    heat[5 * 10 + 5] = 1; // on the mask
    heat[100 + 5 * 10 + 6] = 1; // one pixel to the right
    heat[200 + 7 * 10 + 7] = 1; // two pixels diagonally
    const h = tf.tensor3d(heat, [3, 10, 10]);
    const m = tf.tensor3d([...mask, ...mask, ...mask], [3, 10, 10]);
    expect(await pointingGame(h, m)).toEqual([1, 0, 0]);
    expect(await pointingGame(h, m, { tolerance: 1 })).toEqual([1, 1, 0]);
    expect(await pointingGame(h, m, { tolerance: 2 })).toEqual([1, 1, 1]);
    await expect(pointingGame(h, m, { tolerance: -1 })).rejects.toThrow(InvalidArgumentError);
    tf.dispose([h, m]);
  });
});

describe('mass accuracy, coverage and errors', () => {
  it('use only the positive relevance, and check shapes', async () => {
    // 2×2 map, mask on the left column. Positive relevance 3 inside, 1 outside; the −5 is ignored.
    const h = tf.tensor3d([3, 1, 0, -5], [1, 2, 2]);
    const m = tf.tensor3d([1, 0, 1, 0], [1, 2, 2]);
    expect(await relevanceMassAccuracy(h, m)).toEqual([0.75]);
    // τ = 0.5: only the 3 is on; it covers 1 of the 2 mask pixels, all of it on the mask.
    expect(await coverage(h, m)).toEqual({ coverage: [0.5], precision: [1] });
    // positive shares: heatmap [0.75, 0.25, 0, 0], mask [0.5, 0, 0.5, 0].
    const errors = await heatmapErrors(h, m);
    expect(errors.mse[0]).toBeCloseTo((0.25 ** 2 + 0.25 ** 2 + 0.5 ** 2) / 4, 6);
    expect(errors.smape[0]).toBeCloseTo((100 / 4) * (0.25 / 0.625 + 2 + 2), 4);
    const wrong = tf.zeros([1, 2, 3]);
    await expect(relevanceMassAccuracy(h, wrong)).rejects.toThrow(ShapeMismatchError);
    const negative = tf.tidy(() => tf.neg(tf.abs(h)));
    expect((await relevanceMassAccuracy(negative, m))[0]).toBeNaN();
    tf.dispose([h, m, wrong, negative]);
  });
});
