import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { cpuBackend } from '@nrm/backend-cpu';
import { createExplainer, createRegistry, InvalidArgumentError } from '@nrm/core';
import { loadGraph } from '@nrm/graph';
import { loadFixtureCase } from '@nrm/testkit';
import { layerFactors, rescale } from './factors.js';
import { relative } from './plugin.js';

beforeAll(async () => {
  await cpuBackend.setup();
});

const registry = createRegistry([relative]);

describe('layerFactors and rescale', () => {
  it('reads one factor per sample for every linear node; rescale makes the heatmap total equal the seed total; no leak', async () => {
    const fixture = loadFixtureCase('mlp');
    const graph = await loadGraph(fixture.modelPath);
    const before = tf.memory().numTensors;
    const explainer = createExplainer({ graph, registry, composite: 'relative' });
    const input = tf.tensor(fixture.input.data, fixture.input.shape as number[]);
    const e = explainer.explain(input, { target: { layer: 'logits', indices: fixture.expected.explanations[0]!.target.indices } });
    const factors = await layerFactors(e);
    const linear = graph.nodes.filter((n) => explainer.rules[n.id] === 'relative/linear').map((n) => n.id);
    expect(Object.keys(factors.layers).sort()).toEqual(linear.sort());
    for (const f of Object.values(factors.layers)) expect(f).toHaveLength(2);
    expect(factors.cumulative).toHaveLength(2);
    expect(factors.product).toHaveLength(2);
    const scaled = rescale(e.input, factors);
    const sums = tf.tidy(() => tf.sum(scaled, 1).arraySync() as number[]);
    const seeds = tf.tidy(() => tf.sum(e.seed, 1).arraySync() as number[]);
    sums.forEach((s, n) => expect(Math.abs(s - seeds[n]!)).toBeLessThanOrEqual(1e-5 * Math.abs(seeds[n]!)));
    // Rows are divided by their own factor, nothing else changes: the heatmap is the same up to scale.
    const ratio = tf.tidy(() => tf.div(e.input, scaled).dataSync());
    expect(Math.abs(ratio[0]! - factors.cumulative[0]!)).toBeLessThan(1e-5);
    expect(Math.abs(ratio[25]! - factors.cumulative[1]!)).toBeLessThan(1e-5);
    scaled.dispose();
    e.dispose();
    explainer.dispose();
    input.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rescale leaves rows with a zero or non-finite factor unchanged, and rejects a wrong number of factors', () => {
    const before = tf.memory().numTensors;
    const h = tf.tensor2d([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    const out = rescale(h, [2, 0, Number.NaN]);
    expect(out.arraySync()).toEqual([
      [0.5, 1],
      [3, 4],
      [5, 6],
    ]);
    expect(() => rescale(h, [1, 2])).toThrow(InvalidArgumentError);
    out.dispose();
    h.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('with an expanding condition: one factor per expanded row below it, rows above repeated', async () => {
    const fixture = loadFixtureCase('mlp');
    const graph = await loadGraph(fixture.modelPath);
    const before = tf.memory().numTensors;
    const explainer = createExplainer({ graph, registry, composite: 'relative' });
    const input = tf.tensor(fixture.input.data, fixture.input.shape as number[]);
    const width = graph.nodes.find((n) => n.id === graph.layers['dense2'])!.outputShape[0]!;
    const masks = tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d([0, 1, 2], 'int32'), width), 'float32'));
    const e = explainer.explain(input, { target: { layer: 'logits', indices: [[9], [5]] }, conditions: [{ layer: 'dense2', expand: masks }] });
    const factors = await layerFactors(e);
    expect(e.input.shape[0]).toBe(6);
    expect(factors.product).toHaveLength(6);
    expect(factors.cumulative.every(Number.isFinite)).toBe(true);
    // The logits node is above the expanded layer (2 rows); the first Dense is below it (6 rows).
    expect(factors.layers['logits']).toHaveLength(2);
    const firstDense = graph.nodes.find((n) => n.id === graph.layers['dense1'])!.inputs[0]!;
    expect(explainer.rules[firstDense]).toBe('relative/linear');
    expect(factors.layers[firstDense]).toHaveLength(6);
    e.dispose();
    explainer.dispose();
    input.dispose();
    masks.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
