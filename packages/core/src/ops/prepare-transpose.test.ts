/** `prepareTranspose`: what a transposed conv derives ahead, and when it no longer reads the kernel. */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { conv2dBackwardInput, flipKernel, prepareConv2dBackwardInput, type DeriveKernel } from './conv2d-backward.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** A derive cache that records what was computed. */
function cache(): { derive: DeriveKernel; keys: () => string[]; dispose: () => void } {
  const values = new Map<string, tf.Tensor4D>();
  return {
    derive: (key, compute) => {
      let v = values.get(key);
      if (!v) values.set(key, (v = tf.keep(compute())));
      return v;
    },
    keys: () => [...values.keys()],
    dispose: () => values.forEach((v) => v.dispose()),
  };
}

describe('prepareConv2dBackwardInput', () => {
  it('derives the flipped kernel for stride-1 and dilated convs, after which the transposed conv needs only the shape', () => {
    for (const [strides, dilations] of [
      [[1, 1], [1, 1]],
      [[2, 2], [2, 2]],
    ] as [[number, number], [number, number]][]) {
      const kernel = tf.randomUniform([3, 3, 2, 4], -1, 1, 'float32', 3) as tf.Tensor4D;
      const dy = tf.randomUniform([1, strides[0] === 1 ? 6 : 3, strides[0] === 1 ? 6 : 3, 4], -1, 1, 'float32', 4) as tf.Tensor4D;
      const reference = conv2dBackwardInput(dy, kernel, [6, 6], strides, 'same', dilations);
      const c = cache();
      expect(prepareConv2dBackwardInput(kernel, strides, dilations, c.derive)).toBe(true);
      expect(c.keys()).toEqual(['flipped']);
      const flipped = flipKernel(kernel);
      expect(Array.from(c.derive('flipped', () => flipped).dataSync())).toEqual(Array.from(flipped.dataSync()));
      // With the kernel's data freed, the transposed conv still runs from the cache alone.
      kernel.dispose();
      const fromCache = conv2dBackwardInput(dy, kernel, [6, 6], strides, 'same', dilations, c.derive);
      expect(Array.from(fromCache.dataSync())).toEqual(Array.from(reference.dataSync()));
      tf.dispose([dy, reference, flipped, fromCache]);
      c.dispose();
    }
  });

  it('leaves strided undilated convs (stride phases) alone', () => {
    const kernel = tf.randomUniform([3, 3, 2, 4], -1, 1, 'float32', 3) as tf.Tensor4D;
    const c = cache();
    expect(prepareConv2dBackwardInput(kernel, [2, 2], [1, 1], c.derive)).toBe(false);
    expect(c.keys()).toEqual([]);
    kernel.dispose();
  });
});
