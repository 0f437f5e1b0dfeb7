import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createExplainer, createRegistry, type Explainer, type Graph } from '@nrm/core';
import { cpu } from '@nrm/backend-cpu';
import { loadGraph, tfjsLayers } from '@nrm/graph';
import { gradientMethods } from '@nrm/rules-gradient';
import { lrp } from '@nrm/rules-lrp';
import { classTarget, inputHeatmap, measureReport, predict, softmax } from './analysis.js';
import { compositeChoice, convLayers, flowLayers, INPUT_NON_NEGATIVE, outputLayer } from './settings.js';

const model = fileURLToPath(new URL('../../digits-cnn/model/', import.meta.url));
const registry = createRegistry([tfjsLayers, lrp, gradientMethods, cpu]);
let graph: Graph;
let digit: { label: number; pixels: number[] };

beforeAll(async () => {
  await registry.backend('cpu').setup();
  graph = await loadGraph(`${model}model.json`);
  digit = (JSON.parse(readFileSync(`${model}test-digits.json`, 'utf8')) as (typeof digit)[])[3]!;
});

function withExplainer<T>(id: string, run: (explainer: Explainer, x: tf.Tensor) => Promise<T>): Promise<T> {
  const choice = compositeChoice(id);
  const explainer = createExplainer({ graph, registry, composite: choice.id, options: choice.options, inputNonNegative: INPUT_NON_NEGATIVE });
  const x = tf.tensor4d(Float32Array.from(digit.pixels), [1, 28, 28, 1]);
  return run(explainer, x).finally(() => {
    x.dispose();
    explainer.dispose();
  });
}

describe('the explorer on the demo model', () => {
  it('finds the conv layers, the flow layers and the output layer', () => {
    expect(convLayers(graph)).toEqual(['conv1', 'conv2', 'conv3', 'conv4']);
    expect(flowLayers(graph)).toEqual(['conv2', 'conv3', 'conv4']);
    expect(outputLayer(graph)).toBe('logits');
  });

  it('predicts the digit; softmax sums to 1', async () => {
    await withExplainer('epsilon-plus-flat', async (explainer, x) => {
      const p = await predict(explainer, x);
      expect(p.predicted).toBe(digit.label);
      expect(p.probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
      expect(softmax([0, Math.log(3)])).toEqual([0.25, 0.75].map((v) => expect.closeTo(v, 12)));
    });
  });

  it('channel-conditioned heatmaps differ from the full one and add up to it over a layer (CRP)', async () => {
    await withExplainer('epsilon-plus-flat', async (explainer, x) => {
      const target = classTarget('logits', digit.label);
      const full = await inputHeatmap(explainer, x, target);
      // The explainer caches modified weights on first use; what happens after must not leak.
      const before = tf.memory().numTensors;
      const sum = new Float32Array(full.length);
      const scale = Math.max(...full.map(Math.abs));
      for (let c = 0; c < 16; c++) {
        const part = await inputHeatmap(explainer, x, target, { layer: 'conv3', channel: c });
        part.forEach((v, i) => (sum[i]! += v));
        if (c === 0) expect(Math.max(...part.map((v, i) => Math.abs(v - full[i]!)))).toBeGreaterThan(0.1 * scale);
      }
      expect(Math.max(...sum.map((v, i) => Math.abs(v - full[i]!)))).toBeLessThan(1e-4 * scale);
      expect(tf.memory().numTensors).toBe(before);
    });
  });

  it('channel shares sum to 1 per layer, and so do the flows', async () => {
    await withExplainer('epsilon-gamma-box', async (explainer, x) => {
      const target = classTarget('logits', digit.label);
      await measureReport(explainer, x, target, ['conv1'], []); // warms the explainer's weight cache
      const before = tf.memory().numTensors;
      const report = await measureReport(explainer, x, target, convLayers(graph), flowLayers(graph));
      for (const layer of convLayers(graph)) {
        expect(report.channels[layer]!.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
      }
      expect(report.flows!.layers).toEqual(['conv2', 'conv3', 'conv4']);
      for (const pair of report.flows!.pairs) expect(pair.J[0]!.flat().reduce((a, b) => a + b, 0)).toBeCloseTo(1, 3);
      expect(report.flows!.walks[0]!.length).toBe(3);
      expect(tf.memory().numTensors).toBe(before);
    });
  });
});
