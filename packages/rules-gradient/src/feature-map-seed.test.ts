import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { cpuBackend } from '@nrm/backend-cpu';
import { InvalidArgumentError } from '@nrm/core';
import { featureMapSeed } from './feature-map-seed.js';

beforeAll(() => cpuBackend.setup());

// [2, 2, 2, 2]: sample 0 and sample 1, NHWC.
const values = [
  // sample 0: (0,0) (0,1) (1,0) (1,1), each [c0, c1]
  1, -4, 3, 2, 3, 7, 0, 5,
  // sample 1: channel 0 is ≤ 0 everywhere (a dead ReLU would give 0)
  -1, 1, -2, 6, -0.5, 6, -3, 2,
];

function run(selection: Parameters<typeof featureMapSeed>[1]) {
  const out = tf.tensor4d(values, [2, 2, 2, 2]);
  const before = tf.memory().numTensors;
  const { seed, peaks } = featureMapSeed(out, selection);
  const data = Array.from(seed.dataSync());
  expect(seed.shape).toEqual([2, 2, 2, 2]);
  seed.dispose();
  expect(tf.memory().numTensors).toBe(before);
  expect(Array.from(out.dataSync())).toEqual(values);
  out.dispose();
  return { data, peaks };
}

describe('featureMapSeed', () => {
  it("'max' (default) keeps, per sample, the strongest activation of the channel; the first one on a tie", () => {
    const { data, peaks } = run({ channel: 0 });
    // sample 0: 3 at (0,1) and (1,0): the first in row-major order wins. sample 1: -0.5 at (1,0).
    expect(data).toEqual([0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, -0.5, 0, 0, 0]);
    expect(peaks).toEqual([
      { index: [0, 1, 0], value: 3 },
      { index: [1, 0, 0], value: -0.5 },
    ]);
  });
  it("'max' without a channel keeps the strongest activation of the whole layer", () => {
    const { data, peaks } = run({});
    expect(data).toEqual([0, 0, 0, 0, 0, 7, 0, 0, 0, 0, 0, 6, 0, 0, 0, 0]);
    expect(peaks).toEqual([
      { index: [1, 0, 1], value: 7 },
      { index: [0, 1, 1], value: 6 },
    ]);
  });
  it("'all' keeps the whole channel; a spatial index keeps one position", () => {
    expect(run({ channel: 1, position: 'all' })).toEqual({ data: [0, -4, 0, 2, 0, 7, 0, 5, 0, 1, 0, 6, 0, 6, 0, 2], peaks: undefined });
    expect(run({ channel: 1, position: [1, 1] }).data).toEqual([0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0, 0, 0, 0, 0, 2]);
    expect(run({ position: [0, 1] }).data).toEqual([0, 0, 3, 2, 0, 0, 0, 0, 0, 0, -2, 6, 0, 0, 0, 0]);
    expect(run({ position: 'all' }).data).toEqual(values);
  });
  it('works on a dense output [N, C]', () => {
    const out = tf.tensor2d([1, 5, 2, 9, 0, 3], [2, 3]);
    const { seed, peaks } = featureMapSeed(out, { channel: 1, position: [] });
    expect(Array.from(seed.dataSync())).toEqual([0, 5, 0, 0, 0, 0]);
    expect(peaks).toBeUndefined();
    const max = featureMapSeed(out);
    expect(max.peaks).toEqual([
      { index: [1], value: 5 },
      { index: [0], value: 9 },
    ]);
    tf.dispose([out, seed, max.seed]);
  });
  it('rejects a channel or a position outside the output', () => {
    const out = tf.zeros([1, 3, 3, 2]);
    const before = tf.memory().numTensors;
    expect(() => featureMapSeed(out, { channel: 2 })).toThrow(InvalidArgumentError);
    expect(() => featureMapSeed(out, { channel: 1.5 })).toThrow(/Channel 1.5 is out of range/);
    expect(() => featureMapSeed(out, { position: [3, 0] })).toThrow(/Position coordinate 0 3 is out of range/);
    expect(() => featureMapSeed(out, { position: [1] })).toThrow(/needs 2 coordinate\(s\)/);
    expect(() => featureMapSeed(out, { position: 'top' as 'max' })).toThrow(/is not 'max', 'all'/);
    const scalar = tf.scalar(1);
    expect(() => featureMapSeed(scalar, {})).toThrow(/channel axis/);
    tf.dispose([scalar, out]);
    expect(tf.memory().numTensors).toBe(before - 1);
  });
});
