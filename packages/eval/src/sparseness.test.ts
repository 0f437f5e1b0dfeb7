/** The Gini index on known cases. */
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpuBackend } from '@nrm/backend-cpu';
import { gini } from './sparseness.js';
import { uniformData } from './testing/nets.js';

let start = 0;
beforeAll(async () => {
  await cpuBackend.setup();
  start = tf.memory().numTensors;
});
afterAll(() => expect(tf.memory().numTensors).toBe(start));

/** Gini by its mean-absolute-difference definition: Σ_i Σ_j |a_i − a_j| / (2 n Σ a). */
function giniByPairs(values: readonly number[]): number {
  const a = values.map(Math.abs);
  let pairs = 0;
  for (const x of a) for (const y of a) pairs += Math.abs(x - y);
  return pairs / (2 * a.length * a.reduce((s, x) => s + x, 0));
}

describe('gini', () => {
  it('is (n−1)/n ≈ 1 for a one-hot map, 0 for a constant one, NaN for zeros', async () => {
    const n = 64;
    const oneHot = new Float32Array(2 * n);
    oneHot[17] = 3;
    oneHot[n + 40] = -0.5; // the sign does not matter: |R|
    const t = tf.tensor3d(oneHot, [2, 8, 8]);
    const constant = tf.fill([1, 8, 8], -2);
    const zeros = tf.zeros([1, 8, 8]);
    for (const g of await gini(t)) expect(g).toBeCloseTo((n - 1) / n, 6);
    expect((await gini(constant))[0]).toBeCloseTo(0, 6);
    expect((await gini(zeros))[0]).toBeNaN();
    tf.dispose([t, constant, zeros]);
  });

  it('equals the mean-absolute-difference definition on random signed maps', async () => {
    const data = uniformData(9, 3 * 50, -1, 1);
    const t = tf.tensor2d(data, [3, 50]);
    const values = await gini(t);
    for (let i = 0; i < 3; i++) expect(values[i]).toBeCloseTo(giniByPairs(Array.from(data.subarray(i * 50, (i + 1) * 50))), 5);
    t.dispose();
  });
});
