import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { createExplainer, createRegistry, type Explainer } from '@nrm/core';
import { generateShapes } from '@nrm/eval';
import { loadGraph, tfjsLayers } from '@nrm/graph';
import { lrp } from '@nrm/rules-lrp';
import { wasm } from '@nrm/backend-wasm';

const modelDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'model');

interface Sample {
  index: number;
  label: number;
  className: string;
  prediction: number;
  pixels: number[];
  mask: number[];
}
const { samples, classNames, shape } = JSON.parse(readFileSync(join(modelDir, 'test-samples.json'), 'utf8')) as {
  samples: Sample[];
  classNames: string[];
  shape: [number, number, number];
};
const [H, W] = shape;
const P = H * W;
const metrics = JSON.parse(readFileSync(join(modelDir, 'metrics.json'), 'utf8')) as { testSeed: number; testCount: number; testAccuracy: number };

describe('examples/ground-truth-shapes: committed model and samples', () => {
  let explainer: Explainer;
  const registry = createRegistry([tfjsLayers, lrp, wasm]);

  beforeAll(async () => {
    await registry.backend('wasm').setup();
    const graph = await loadGraph(join(modelDir, 'model.json'));
    explainer = createExplainer({ graph, registry, composite: 'epsilon-plus-flat', inputNonNegative: true });
  });
  afterAll(() => explainer?.dispose());

  it('test-samples.json holds test images of generateShapes (test seed) with their exact masks', () => {
    expect(samples.length).toBeGreaterThanOrEqual(4);
    expect(new Set(samples.map((s) => s.label)).size).toBe(4);
    const test = generateShapes({ count: Math.max(...samples.map((s) => s.index)) + 1, seed: metrics.testSeed, size: H });
    expect(test.classNames).toEqual(classNames);
    for (const s of samples) {
      expect(s.label).toBe(test.labels[s.index]);
      expect(s.className).toBe(classNames[s.label]);
      expect(s.mask).toEqual(Array.from(test.masks.subarray(s.index * P, (s.index + 1) * P)));
      let maxError = 0;
      for (let p = 0; p < P; p++) maxError = Math.max(maxError, Math.abs(s.pixels[p]! - test.images[s.index * P + p]!));
      expect(maxError).toBeLessThanOrEqual(5.001e-5); // rounded to 4 decimals
    }
  });

  it('classifies the samples as recorded, and epsilon-plus-flat puts most positive relevance on (or 1 px around) the objects', async () => {
    // The explainer caches its modified weights on first use; count tensors after that.
    const warm = tf.zeros([1, H, W, 1]);
    explainer.explain(warm, { target: { layer: 'logits', indices: [[0]] } }).dispose();
    warm.dispose();
    const before = tf.memory().numTensors;
    const x = tf.tensor4d(Float32Array.from(samples.flatMap((s) => s.pixels)), [samples.length, H, W, 1]);
    const logits = explainer.forward(x);
    const argMax = tf.argMax(logits, -1);
    const predicted = Array.from(await argMax.data());
    tf.dispose([logits, argMax]);
    expect(predicted).toEqual(samples.map((s) => s.prediction));
    expect(predicted).toEqual(samples.map((s) => s.label));
    const e = explainer.explain(x, { target: { layer: 'logits', indices: predicted.map((p) => [p]) } });
    const relevance = await e.input.data();
    e.dispose();
    x.dispose();
    expect(tf.memory().numTensors).toBe(before);

    let massInGrownMask = 0;
    let maskShare = 0;
    samples.forEach((s, i) => {
      let pos = 0;
      let inside = 0;
      for (let p = 0; p < P; p++) {
        const r = relevance[i * P + p]!;
        if (r <= 0) continue;
        pos += r;
        const y = Math.floor(p / W);
        const xx = p % W;
        let near = false;
        for (let dy = -1; dy <= 1 && !near; dy++) {
          for (let dx = -1; dx <= 1 && !near; dx++) {
            const yy = y + dy;
            const xc = xx + dx;
            near = yy >= 0 && xc >= 0 && yy < H && xc < W && s.mask[yy * W + xc] === 1;
          }
        }
        if (near) inside += r;
      }
      massInGrownMask += inside / pos / samples.length;
      maskShare += s.mask.reduce((a, b) => a + b, 0) / P / samples.length;
    });
    // A uniform heatmap would put maskShare (≈ 0.15) of the mass inside the mask.
    expect(massInGrownMask).toBeGreaterThan(0.5);
    expect(massInGrownMask).toBeGreaterThan(3 * maskShare);
  });

  it('reaches the recorded test accuracy (at least 95%) on the 2,000 held-out images, through the NRM engine forward pass', async () => {
    expect(metrics.testCount).toBe(2000);
    const test = generateShapes({ count: metrics.testCount, seed: metrics.testSeed, size: H });
    let correct = 0;
    for (let start = 0; start < metrics.testCount; start += 500) {
      const x = tf.tensor4d(test.images.subarray(start * P, (start + 500) * P), [500, H, W, 1]);
      const logits = explainer.forward(x);
      const argMax = tf.argMax(logits, -1);
      const predicted = await argMax.data();
      tf.dispose([x, logits, argMax]);
      predicted.forEach((p, i) => (correct += p === test.labels[start + i] ? 1 : 0));
    }
    const accuracy = correct / metrics.testCount;
    expect(accuracy).toBeGreaterThanOrEqual(0.95);
    expect(Math.abs(accuracy - metrics.testAccuracy)).toBeLessThanOrEqual(0.001);
  });
});
