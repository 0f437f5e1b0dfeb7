/** The control heatmaps: an edge detector and seeded random maps. */
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpuBackend } from '@nrm/backend-cpu';
import { edgeHeatmaps, randomHeatmaps } from './controls.js';

let start = 0;
beforeAll(async () => {
  await cpuBackend.setup();
  start = tf.memory().numTensors;
});
afterAll(() => expect(tf.memory().numTensors).toBe(start));

describe('controls', () => {
  it('edgeHeatmaps is 0 on flat regions and high on a vertical edge', async () => {
    const data = new Float32Array(6 * 6);
    for (let y = 0; y < 6; y++) for (let x = 3; x < 6; x++) data[y * 6 + x] = 1;
    const x = tf.tensor4d(data, [1, 6, 6, 1]);
    const edges = edgeHeatmaps(x);
    const e = await edges.data();
    expect(edges.shape).toEqual([1, 6, 6]);
    expect(e[2 * 6 + 0]).toBe(0); // inside the dark half
    expect(e[2 * 6 + 2]).toBe(4); // next to the edge: |Sobel x| = 1 + 2 + 1
    expect(e[2 * 6 + 3]).toBe(4);
    tf.dispose([x, edges]);
  });

  it('randomHeatmaps is seeded and in [-1, 1)', async () => {
    const a = randomHeatmaps([2, 3, 3], 5);
    const b = randomHeatmaps([2, 3, 3], 5);
    const c = randomHeatmaps([2, 3, 3], 6);
    const [va, vb, vc] = [await a.data(), await b.data(), await c.data()];
    expect(Array.from(vb)).toEqual(Array.from(va));
    expect(Array.from(vc)).not.toEqual(Array.from(va));
    for (const v of va) expect(Math.abs(v)).toBeLessThanOrEqual(1);
    tf.dispose([a, b, c]);
  });
});
