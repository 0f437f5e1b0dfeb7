import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { describe, expect, it } from 'vitest';
import { sliceMerged } from './fast-slice.js';

describe('sliceMerged', () => {
  const x = tf.reshape(tf.range(0, 2 * 5 * 6 * 3), [2, 5, 6, 3]);
  const cases: [string, number[], number[]][] = [
    ['crop of an NHWC map (channels whole)', [0, 1, 2, 0], [2, 3, 4, 3]],
    ['rows only (columns and channels whole)', [1, 2, 0, 0], [1, 2, 6, 3]],
    ['the last axis cut', [0, 1, 1, 1], [2, 3, 4, 2]],
    ['everything whole', [0, 0, 0, 0], [2, 5, 6, 3]],
    ['one element', [1, 4, 5, 2], [1, 1, 1, 1]],
  ];
  for (const [name, begin, size] of cases) {
    it(`equals tf.slice: ${name}`, () => {
      const got = sliceMerged(x, begin, size);
      expect(got.shape).toEqual(size);
      expect(Array.from(got.dataSync())).toEqual(Array.from(tf.slice(x, begin, size).dataSync()));
    });
  }
  it('leaves no intermediate tensor behind', () => {
    const before = tf.memory().numTensors;
    sliceMerged(x, [0, 1, 2, 0], [2, 3, 4, 3]).dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
