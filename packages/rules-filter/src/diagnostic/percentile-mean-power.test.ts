/** percentileMeanPower on tensors: per sample over every non-batch axis, no leaks. */
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpuBackend } from '@nrm/backend-cpu';
import { InvalidArgumentError } from '@nrm/core';
import { percentileMeanPower } from '../index.js';

let start = 0;
beforeAll(async () => {
  await cpuBackend.setup();
  start = tf.memory().numTensors;
});
afterAll(() => expect(tf.memory().numTensors).toBe(start));

describe('percentileMeanPower', () => {
  it('one value per sample of a [4, 2, 2, 2] tensor, hand-computed', async () => {
    const r = tf.tensor(
      [
        // positives 1..5 with 5 → [1, 2, 3, 4] / [10]: 10 / 2.5 = 4; negatives [3, 1] → 3; mean 3.5.
        [10, -3, 1, 0, 3, -1, 2, 4],
        // only positives [1, 3] → 3, copied: 3.
        [0, 0, 3, 0, 0, 1, 0, 0],
        // all zero: 0.
        [0, 0, 0, 0, 0, 0, 0, 0],
        // positives [5] → 1 (n_th = 1); negatives [2, 8, 3, 1] → n_th = 3: 8 / 2 = 4; mean 2.5.
        [5, -2, -8, -3, -1, 0, 0, 0],
      ],
      [4, 2, 2, 2],
    );
    const got = await percentileMeanPower(r);
    expect(got).toHaveLength(4);
    [3.5, 3, 0, 2.5].forEach((v, i) => expect(got[i]).toBeCloseTo(v, 6));
    expect(r.isDisposed).toBe(false);
    r.dispose();
  });

  it('is scale-free and sign-symmetric', async () => {
    const a = tf.randomNormal([2, 30], 0, 1, 'float32', 5);
    const b = tf.mul(a, -1000);
    const [pa, pb] = await Promise.all([percentileMeanPower(a), percentileMeanPower(b)]);
    pa.forEach((v, i) => expect(pb[i]).toBeCloseTo(v, 4));
    tf.dispose([a, b]);
  });

  it('includeZeros counts zeros in both signs', async () => {
    const r = tf.tensor([[0, 0, 0, 0, 2]]);
    expect(await percentileMeanPower(r)).toEqual([1]);
    const [dense] = await percentileMeanPower(r, { includeZeros: true });
    expect(dense).toBeCloseTo(1e9, 0);
    r.dispose();
  });

  it('an empty batch gives no values; a scalar is rejected', async () => {
    const empty = tf.zeros([0, 3]);
    expect(await percentileMeanPower(empty)).toEqual([]);
    empty.dispose();
    const scalar = tf.scalar(1);
    await expect(percentileMeanPower(scalar)).rejects.toThrow(InvalidArgumentError);
    scalar.dispose();
  });
});
