/**
 * Filters compose with composites end to end, on the vgg_tiny fixture (conv1, conv2, pool1,
 * conv3, pool2, flatten, dense1, logits) explained with epsilon-plus-flat on the cpu backend.
 */
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpu } from '@nrm/backend-cpu';
import { createExplainer, createRegistry, type Explainer, type Graph, type Registry, type Target } from '@nrm/core';
import { loadGraph } from '@nrm/graph';
import { lrp } from '@nrm/rules-lrp';
import { loadFixtureCase } from '@nrm/testkit';
import { clampFilter, diagnose, percentileMeanPower, withFilters, type OutgoingTransform } from './index.js';

const fixture = loadFixtureCase('vgg_tiny');
let graph: Graph;
let registry: Registry;
let input: tf.Tensor;
let start = 0;
const target: Target = { layer: 'logits', indices: [[7], [3]] };
const RECORD = ['conv3', 'conv3/preact', 'pool1', 'conv2', 'conv1'];

beforeAll(async () => {
  registry = createRegistry([lrp, cpu]);
  await registry.backend('cpu').setup();
  graph = await loadGraph(fixture.modelPath);
  start = tf.memory().numTensors;
  // Two samples: the fixture's input and its mirror image (different maxima per sample).
  input = tf.tidy(() => {
    const x = tf.tensor(fixture.input.data, fixture.input.shape as number[]);
    return tf.concat([x, tf.reverse(x, 2)], 0);
  });
});
afterAll(() => {
  input.dispose();
  expect(tf.memory().numTensors).toBe(start);
});

/** Input and recorded relevance of one explanation, read back; the explainer is disposed. */
function explainWith(outgoing?: OutgoingTransform[]): Record<string, { shape: number[]; data: Float32Array }> {
  const explainer = createExplainer({ graph, registry, composite: 'epsilon-plus-flat', outgoing });
  const explanation = explainer.explain(input, { target, record: RECORD });
  const read = (t: tf.Tensor) => ({ shape: t.shape, data: t.dataSync() as Float32Array });
  const result = { input: read(explanation.input), ...Object.fromEntries(Object.entries(explanation.layers).map(([k, t]) => [k, read(t)])) };
  explanation.dispose();
  explainer.dispose();
  return result;
}

/** Per-sample max |value|. */
function maxAbs(x: { shape: number[]; data: Float32Array }): number[] {
  const size = x.data.length / x.shape[0]!;
  return Array.from({ length: x.shape[0]! }, (_, n) => Math.max(...Array.from(x.data.subarray(n * size, (n + 1) * size), Math.abs)));
}

describe('filters with the epsilon-plus-flat composite on vgg_tiny', () => {
  it('pass 0..1 on conv2 and conv3 changes nothing, bit-exact', () => {
    const plain = explainWith();
    for (const outgoing of [withFilters(['pass:0,1@conv2,conv3']), withFilters(['pass:0,1@conv2,conv3'], graph)]) {
      const filtered = explainWith(outgoing);
      for (const key of Object.keys(plain)) expect(filtered[key]!.data, key).toEqual(plain[key]!.data);
    }
  });

  it('clamp 0..0.05 on conv3 changes the heatmap and bounds the relevance conv3 hands down', () => {
    const plain = explainWith();
    const filtered = explainWith(withFilters(['clamp:0,0.05@conv3'], graph));
    expect(filtered['input']!.data).not.toEqual(plain['input']!.data);
    // Above the filter nothing changes.
    expect(filtered['conv3']!.data).toEqual(plain['conv3']!.data);
    expect(filtered['conv3/preact']!.data).toEqual(plain['conv3/preact']!.data);
    // What leaves conv3 (at pool1's output) is the clamp of what left it unfiltered.
    const m = maxAbs(plain['pool1']!);
    expect(m.every((v) => v > 0)).toBe(true);
    const expected = tf.tidy(() => clampFilter(0, 0.05)(tf.tensor(plain['pool1']!.data, plain['pool1']!.shape)).dataSync());
    expect(filtered['pool1']!.data).toEqual(expected);
    // Max-pooling routes it to conv2 (winner takes all): the bound holds there too, and is reached.
    for (const key of ['pool1', 'conv2']) {
      maxAbs(filtered[key]!).forEach((v, n) => {
        expect(v, `${key}, sample ${n}`).toBeLessThanOrEqual(0.05 * m[n]! * (1 + 1e-6));
        expect(v, `${key}, sample ${n}`).toBeGreaterThanOrEqual(0.05 * m[n]! * (1 - 1e-6));
      });
    }
    // The unfiltered relevance at conv2 does exceed the bound (the test can fail).
    maxAbs(plain['conv2']!).forEach((v, n) => expect(v).toBeGreaterThan(0.05 * m[n]!));
  });

  it('without the graph, the name conv3 filters the relevance at conv3 output (its ReLU node)', () => {
    const plain = explainWith();
    const filtered = explainWith(withFilters(['clamp:0,0.05@conv3']));
    expect(filtered['conv3']!.data).toEqual(plain['conv3']!.data);
    const expected = tf.tidy(() => clampFilter(0, 0.05)(tf.tensor(plain['conv3']!.data, plain['conv3']!.shape)).dataSync());
    expect(filtered['conv3/preact']!.data).toEqual(expected);
  });

  it('amplify changes the heatmap; a layer named twice composes', () => {
    const plain = explainWith();
    const amplified = explainWith(withFilters(['amplify:0.5,2@conv3,conv2'], graph));
    expect(amplified['input']!.data).not.toEqual(plain['input']!.data);
    const both = explainWith(withFilters(['clamp:0,0.05@conv3', 'pass:0,1@conv3'], graph));
    const clampOnly = explainWith(withFilters(['clamp:0,0.05@conv3'], graph));
    expect(both['input']!.data).toEqual(clampOnly['input']!.data);
  });
});

describe('diagnose', () => {
  it('gives one percentile mean power per sample and layer, from the recorded relevance', async () => {
    const layers = ['conv1', 'conv2', 'conv3', 'dense1'];
    let explainer: Explainer | undefined;
    try {
      explainer = createExplainer({ graph, registry, composite: 'epsilon-plus-flat' });
      const result = await diagnose(explainer, input, target, layers);
      expect(Object.keys(result)).toEqual(layers);
      const explanation = explainer.explain(input, { target, record: layers });
      for (const layer of layers) {
        expect(result[layer]).toHaveLength(2);
        expect(result[layer]!.every((v) => Number.isFinite(v) && v > 0)).toBe(true);
        expect(result[layer]).toEqual(await percentileMeanPower(explanation.layers[layer]!));
      }
      explanation.dispose();
      // A filtered explainer is diagnosed with its filters: pass 0..0.05 cuts the spikes below conv3.
      const filtered = createExplainer({ graph, registry, composite: 'epsilon-plus-flat', outgoing: withFilters(['pass:0,0.05@conv3'], graph) });
      const after = await diagnose(filtered, input, target, layers);
      filtered.dispose();
      expect(after['conv3']).toEqual(result['conv3']);
      expect(after['conv2']).not.toEqual(result['conv2']);
    } finally {
      explainer?.dispose();
    }
  });
});
