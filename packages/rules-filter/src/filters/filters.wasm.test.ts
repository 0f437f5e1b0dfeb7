/** On the wasm backend: the operators give the cpu results (hand-computed) and the identities hold. */
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wasmBackend } from '@nrm/backend-wasm';
import { amplifyFilter, clampFilter, passFilter, percentileMeanPower, type RelevanceFilter } from '../index.js';

let start = 0;
beforeAll(async () => {
  await wasmBackend.setup();
  expect(tf.getBackend()).toBe('wasm');
  start = tf.memory().numTensors;
});
afterAll(() => expect(tf.memory().numTensors).toBe(start));

const R = [
  [2, -4, 0.4, 0, -1, 3],
  [0, 0.5, -0.05, 0.25, -0.5, 0],
  [0, 0, 0, 0, 0, 0],
];

function run(filter: RelevanceFilter, values: number[][]): number[] {
  return tf.tidy(() => Array.from(filter(tf.tensor(values)).dataSync()));
}

describe('wasm', () => {
  it.each([
    ['clamp(0.2, 0.6)', clampFilter(0.2, 0.6), [2, -2.4, 0.8, 0, -1, 2.4, 0, 0.3, -0.1, 0.25, -0.3, 0]],
    ['pass(0.2, 0.6)', passFilter(0.2, 0.6), [2, 0, 0, 0, -1, 0, 0, 0, 0, 0.25, 0, 0]],
    ['amplify(0.5, 2)', amplifyFilter(0.5, 2), [4, -8, 0.4, 0, -1, 6, 0, 1, -0.05, 0.5, -1, 0]],
  ] as const)('%s matches the hand-computed values; the all-zero sample stays zero', (_, filter, expected) => {
    const got = run(filter, R);
    [...expected, 0, 0, 0, 0, 0, 0].forEach((v, i) => expect(got[i], `element ${i}`).toBeCloseTo(v, 6));
  });

  it('pass(0, 1) and clamp(0, 1) are the identity, bit-exact', () => {
    const x = tf.tidy(() => tf.randomNormal([2, 3, 4, 5], 0, 1, 'float32', 11).arraySync()) as number[][][][];
    for (const filter of [passFilter(0, 1), clampFilter(0, 1)]) {
      const got = tf.tidy(() => Array.from(filter(tf.tensor(x)).dataSync()));
      expect(got).toEqual(x.flat(3));
    }
  });

  it('percentileMeanPower reads wasm tensors', async () => {
    const r = tf.tensor([[10, -3, 1, 0, 3, -1, 2, 4]]);
    const [v] = await percentileMeanPower(r);
    expect(v).toBeCloseTo(3.5, 6);
    r.dispose();
  });
});
