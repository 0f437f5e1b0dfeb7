/**
 * Pixel flipping and region perturbation on linear models, where the true contribution of each
 * pixel is known: removing the most relevant pixels first makes the output fall fastest.
 */
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpuBackend } from '@nrm/backend-cpu';
import { createExplainer, InvalidArgumentError, ShapeMismatchError, TargetOutOfRangeError } from '@nrm/core';
import { heatmapOf } from './heatmap.js';
import { perturbationCurve, pixelFlipping, regionPerturbation } from './perturbation.js';
import { linearGraph, testRegistry, uniformData } from './testing/nets.js';

let start = 0;
beforeAll(async () => {
  await cpuBackend.setup();
  start = tf.memory().numTensors;
});
afterAll(() => expect(tf.memory().numTensors).toBe(start));

/** A model summing every pixel, `[B, H, W, C]` → `[B, 1]`. */
const sumModel = (x: tf.Tensor) => tf.reshape(tf.sum(x, [1, 2, 3]), [-1, 1]);

describe('pixel flipping on a linear model', () => {
  const [n, h, w] = [12, 8, 8];
  const weights = uniformData(1, h * w, -1, 1);
  const graph = linearGraph(weights, h, w);

  it('gives the true contributions a lower AUC than random, and random a lower one than least-relevant-first', async () => {
    const explainer = createExplainer({ graph, registry: testRegistry(), composite: 'epsilon', options: { epsilon: 1e-9 } });
    const x = tf.tensor4d(uniformData(2, n * h * w), [n, h, w, 1]);
    // LRP-ε of a bias-free linear model is w ⊙ x, the true contribution of each pixel.
    const explanation = explainer.explain(x, { target: { layer: 'out', indices: [[0]] } });
    const heat = heatmapOf(explanation.input);
    explanation.dispose();
    const truth = tf.tidy(() => tf.mul(tf.squeeze(x, [3]), tf.tensor3d(weights, [1, h, w])));
    const gap = tf.tidy(() => tf.max(tf.abs(tf.sub(heat, truth))));
    expect(gap.dataSync()[0]).toBeLessThan(1e-5);
    gap.dispose();

    const input = { model: (t: tf.Tensor) => explainer.forward(t), inputs: x, heatmaps: heat, targets: new Array<number>(n).fill(0) };
    const options = { steps: 16, replacement: { kind: 'constant' as const, value: 0 } };
    const most = await pixelFlipping(input, options);
    const random = await pixelFlipping(input, { ...options, order: 'random', seed: 3 });
    const least = await pixelFlipping(input, { ...options, order: 'least-relevant-first' });
    for (let i = 0; i < n; i++) {
      expect(most.auc[i]).toBeLessThan(random.auc[i]!);
      expect(random.auc[i]).toBeLessThan(least.auc[i]!);
      // Removing the largest contributions first is the lowest curve there is, at every step.
      for (let s = 0; s <= 16; s++) expect(most.curves[i]![s]).toBeLessThanOrEqual(random.curves[i]![s]! + 1e-5);
      // Start: the model output; end (every pixel 0): the output of a blank image, 0.
      expect(most.curves[i]![0]).toBeCloseTo(random.curves[i]![0]!, 5);
      expect(most.curves[i]![16]).toBeCloseTo(0, 5);
    }
    expect(most.meanAuc).toBeLessThan(random.meanAuc);
    tf.dispose([x, heat, truth]);
    explainer.dispose();
  });

  it('computes the curve and its trapezoidal AUC exactly on a hand-checked case', async () => {
    const x = tf.tensor4d([1, 2, 3, 4], [1, 2, 2, 1]);
    const heat = tf.tensor3d([4, 1, 3, 2], [1, 2, 2]); // order: pixels 0, 2, 3, 1
    const result = await pixelFlipping({ model: sumModel, inputs: x, heatmaps: heat, targets: [0] }, { steps: 4 });
    expect(result.fractions).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(result.curves[0]).toEqual([10, 9, 6, 2, 0]);
    expect(result.auc[0]).toBeCloseTo(0.25 * (9.5 + 7.5 + 4 + 1), 6);
    // Half the patches at most, in 2 steps.
    const half = await pixelFlipping({ model: sumModel, inputs: x, heatmaps: heat, targets: [0] }, { steps: 2, fraction: 0.5 });
    expect(half.fractions).toEqual([0, 0.25, 0.5]);
    expect(half.curves[0]).toEqual([10, 9, 6]);
    tf.dispose([x, heat]);
  });

  it('gives the same curves whatever the batch size', async () => {
    const x = tf.tensor4d(uniformData(4, 5 * 16), [5, 4, 4, 1]);
    const heat = tf.tensor3d(uniformData(5, 5 * 16, -1, 1), [5, 4, 4]);
    const input = { model: sumModel, inputs: x, heatmaps: heat, targets: [0, 0, 0, 0, 0] };
    const one = await pixelFlipping(input, { steps: 5, batchSize: 1 });
    const seven = await pixelFlipping(input, { steps: 5, batchSize: 7 });
    const all = await pixelFlipping(input, { steps: 5, batchSize: 1000 });
    expect(seven.curves).toEqual(one.curves);
    expect(all.curves).toEqual(one.curves);
    tf.dispose([x, heat]);
  });
});

describe('replacement values', () => {
  let input: { model: typeof sumModel; inputs: tf.Tensor; heatmaps: tf.Tensor; targets: number[] };
  beforeAll(() => {
    const x = tf.tensor4d(uniformData(6, 2 * 36), [2, 6, 6, 1]);
    const heat = tf.tensor3d(uniformData(7, 2 * 36, -1, 1), [2, 6, 6]);
    input = { model: sumModel, inputs: x, heatmaps: heat, targets: [0, 0] };
  });
  afterAll(() => tf.dispose([input.inputs, input.heatmaps]));

  it('mean: an image fully replaced by its mean keeps its sum', async () => {
    const r = await pixelFlipping(input, { steps: 3, replacement: { kind: 'mean' } });
    for (const curve of r.curves) expect(curve[3]).toBeCloseTo(curve[0]!, 4);
  });

  it('blur: a constant image blurred is the same image', async () => {
    const flat = tf.fill([1, 6, 6, 1], 0.7);
    const r = await pixelFlipping({ model: sumModel, inputs: flat, heatmaps: null, targets: [0] }, { order: 'random', steps: 3, replacement: { kind: 'blur', sigma: 1 } });
    for (const v of r.curves[0]!) expect(v).toBeCloseTo(0.7 * 36, 4);
    flat.dispose();
  });

  it('noise: seeded, reproducible, within its range', async () => {
    const a = await pixelFlipping(input, { steps: 2, seed: 1, replacement: { kind: 'noise', low: 2, high: 3 } });
    const b = await pixelFlipping(input, { steps: 2, seed: 1, replacement: { kind: 'noise', low: 2, high: 3 } });
    const c = await pixelFlipping(input, { steps: 2, seed: 2, replacement: { kind: 'noise', low: 2, high: 3 } });
    expect(b.curves).toEqual(a.curves);
    expect(c.curves[0]![2]).not.toBeCloseTo(a.curves[0]![2]!, 3);
    for (const curve of a.curves) {
      expect(curve[2]).toBeGreaterThan(2 * 36);
      expect(curve[2]).toBeLessThan(3 * 36);
    }
  });
});

describe('region perturbation', () => {
  it('removes whole patches, ranked by their summed relevance', async () => {
    const x = tf.ones([1, 4, 4, 1]);
    // Patch (row 1, col 0) holds the most relevance in total, patch (0, 1) the second most.
    const heatData = new Float32Array(16);
    heatData[2 * 4 + 0] = 5;
    heatData[2 * 4 + 1] = -1;
    heatData[0 * 4 + 3] = 3;
    heatData[1 * 4 + 1] = -2;
    const heat = tf.tensor3d(heatData, [1, 4, 4]);
    const r = await regionPerturbation({ model: sumModel, inputs: x, heatmaps: heat, targets: [0] }, { patchSize: 2, steps: 4 });
    expect(r.patches).toBe(4);
    expect(r.curves[0]).toEqual([16, 12, 8, 4, 0]);
    // Pixel-wise, 16 pixels in 4 steps of 4: the first step removes the 4 most relevant pixels.
    const p = await perturbationCurve({ model: (t) => tf.reshape(tf.sum(tf.mul(t, tf.tensor4d(heatData, [1, 4, 4, 1])), [1, 2, 3]), [-1, 1]), inputs: x, heatmaps: heat, targets: [0] }, { steps: 4 });
    expect(p.curves[0]![0]! - p.curves[0]![1]!).toBeCloseTo(8, 5); // 5 + 3 + the two zeros that come first
    tf.dispose([x, heat]);
  });
});

describe('errors', () => {
  it('name what is wrong', async () => {
    const x = tf.ones([1, 4, 4, 1]);
    const heat = tf.ones([1, 4, 5]);
    const ok = tf.ones([1, 4, 4]);
    await expect(pixelFlipping({ model: sumModel, inputs: x, heatmaps: heat, targets: [0] })).rejects.toThrow(ShapeMismatchError);
    await expect(pixelFlipping({ model: sumModel, inputs: x, heatmaps: null, targets: [0] })).rejects.toThrow(InvalidArgumentError);
    await expect(pixelFlipping({ model: sumModel, inputs: x, heatmaps: ok, targets: [1] })).rejects.toThrow(TargetOutOfRangeError);
    await expect(pixelFlipping({ model: sumModel, inputs: x, heatmaps: ok, targets: [0] }, { steps: 0 })).rejects.toThrow(InvalidArgumentError);
    tf.dispose([x, heat, ok]);
  });
});
