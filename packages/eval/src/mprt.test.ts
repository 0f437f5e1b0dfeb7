/**
 * The model parameter randomisation test: randomising the weights changes LRP heatmaps (rank
 * correlation falls far below 1) and leaves an edge detector, which ignores the weights, unchanged.
 */
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpuBackend } from '@nrm/backend-cpu';
import { createExplainer, InvalidArgumentError, type Graph } from '@nrm/core';
import { heatmapOf } from './heatmap.js';
import { modelParameterRandomisation } from './mprt.js';
import { parameterLayers, randomizeParameters } from './randomize-parameters.js';
import { edgeHeatmaps } from './controls.js';
import { convNet, testRegistry, uniformData } from './testing/nets.js';

let start = 0;
beforeAll(async () => {
  await cpuBackend.setup();
  start = tf.memory().numTensors;
});
afterAll(() => expect(tf.memory().numTensors).toBe(start));

const N = 6;
const graph = convNet(21, 8, 3, 0.05);

/** LRP heatmaps for fixed targets (the original model's predictions). */
function lrpExplain(composite: string, targets: number[]) {
  return (g: Graph, x: tf.Tensor) => {
    const explainer = createExplainer({ graph: g, registry: testRegistry(), composite });
    try {
      const explanation = explainer.explain(x, { target: { layer: 'out', indices: targets.map((t) => [t]) } });
      const heat = heatmapOf(explanation.input);
      explanation.dispose();
      return heat;
    } finally {
      explainer.dispose();
    }
  };
}

async function predictions(x: tf.Tensor): Promise<number[]> {
  const explainer = createExplainer({ graph, registry: testRegistry(), composite: 'epsilon' });
  const out = explainer.forward(x);
  const classes = tf.argMax(out, 1);
  const values = Array.from(await classes.data());
  tf.dispose([out, classes]);
  explainer.dispose();
  return values;
}

describe('randomizeParameters', () => {
  it('returns a new graph, keeps the original intact, is seeded, and keeps each layer’s scale', () => {
    const before = structuredClone(graph);
    const random = randomizeParameters(graph, ['out', 'd'], 7);
    expect(graph).toEqual(before);
    expect(random.nodes.find((n) => n.id === 'c1')!.params).toBe(graph.nodes.find((n) => n.id === 'c1')!.params);
    const d = random.nodes.find((n) => n.id === 'd')!.params!.kernel.data;
    const original = graph.nodes.find((n) => n.id === 'd')!.params!.kernel.data;
    expect(d).not.toEqual(original);
    expect(randomizeParameters(graph, ['out', 'd'], 7).nodes.find((n) => n.id === 'd')!.params!.kernel.data).toEqual(d);
    expect(randomizeParameters(graph, ['out', 'd'], 8).nodes.find((n) => n.id === 'd')!.params!.kernel.data).not.toEqual(d);
    const std = (v: Float32Array) => Math.sqrt(v.reduce((s, x) => s + x * x, 0) / v.length - (v.reduce((s, x) => s + x, 0) / v.length) ** 2);
    expect(std(d) / std(original)).toBeGreaterThan(0.85);
    expect(std(d) / std(original)).toBeLessThan(1.15);
    expect(parameterLayers(graph).map((l) => l.node)).toEqual(['c1', 'c2', 'd', 'out']);
    expect(() => randomizeParameters(graph, ['r1'])).toThrow(InvalidArgumentError);
  });
});

describe('modelParameterRandomisation', () => {
  it('changes epsilon-plus-flat heatmaps as layers are randomised from the top', async () => {
    const x = tf.tensor4d(uniformData(22, N * 64), [N, 8, 8, 1]);
    const targets = await predictions(x);
    const result = await modelParameterRandomisation(graph, x, lrpExplain('epsilon-plus-flat', targets), { seed: 1 });
    expect(result.stages.map((s) => s.layer)).toEqual(['out', 'd', 'c2', 'c1']);
    expect(result.stages.map((s) => s.randomized)).toEqual([['out'], ['out', 'd'], ['out', 'd', 'c2'], ['out', 'd', 'c2', 'c1']]);
    const last = result.stages[result.stages.length - 1]!;
    // Fully randomised: the heatmaps no longer rank pixels as the trained model's did.
    expect(last.mean.spearman).toBeLessThan(0.5);
    expect(last.mean.ssim).toBeLessThan(0.5);
    for (const stage of result.stages) expect(stage.spearman).toHaveLength(N);
    x.dispose();
  });

  it('leaves an edge detector unchanged at every stage (similarity 1)', async () => {
    const x = tf.tensor4d(uniformData(23, N * 64), [N, 8, 8, 1]);
    const result = await modelParameterRandomisation(graph, x, (_g, inputs) => edgeHeatmaps(inputs), { seed: 1, keepHeatmaps: true });
    expect(result.stages).toHaveLength(4);
    for (const stage of result.stages) {
      for (const v of stage.spearman) expect(v).toBe(1);
      for (const v of stage.spearmanAbs) expect(v).toBe(1);
      for (const v of stage.ssim) expect(v).toBeCloseTo(1, 6);
      expect(stage.heatmaps).toEqual(result.original);
    }
    x.dispose();
  });

  it('randomises one layer at a time without cascading, and names unknown layers', async () => {
    const x = tf.tensor4d(uniformData(24, 2 * 64), [2, 8, 8, 1]);
    const result = await modelParameterRandomisation(graph, x, lrpExplain('epsilon', [0, 1]), { cascading: false, layers: ['c1', 'out'] });
    expect(result.stages.map((s) => s.randomized)).toEqual([['out'], ['c1']]);
    await expect(modelParameterRandomisation(graph, x, lrpExplain('epsilon', [0, 1]), { layers: ['r2'] })).rejects.toThrow(InvalidArgumentError);
    x.dispose();
  });
});
