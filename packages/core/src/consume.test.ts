import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { consume, consume2 } from './consume.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('consume', () => {
  it('frees what it consumed as soon as the next op has read it', () => {
    const r = tf.tensor1d([2, 4]);
    const before = tf.memory().numTensors;
    const m = tf.tensor1d([1, 0]);
    const masked = consume(m, (t) => tf.mul(r, t));
    expect(m.isDisposed).toBe(true);
    const d = tf.tensor1d([1, 2]);
    const e = tf.tensor1d([2, 2]);
    const q = consume2(masked, consume(d, (t) => tf.add(t, e)), tf.div);
    expect(masked.isDisposed).toBe(true);
    expect(d.isDisposed).toBe(true);
    expect(Array.from(q.dataSync())).toEqual([Math.fround(2 / 3), 0]);
    tf.dispose([q, e]);
    expect(tf.memory().numTensors).toBe(before);
    r.dispose();
  });

  it('keeps a tensor that the op hands back', () => {
    const t = tf.tensor1d([1]);
    expect(consume(t, (x) => x)).toBe(t);
    expect(t.isDisposed).toBe(false);
    expect(consume2(t, t, (a) => a)).toBe(t);
    expect(t.isDisposed).toBe(false);
    t.dispose();
  });
});
