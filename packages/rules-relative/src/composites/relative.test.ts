/**
 * The `relative` composite end to end: it stays finite where LRP-0 divides by 1e-12, conservation
 * holds up to the reported factors, residual nets work, and there is nothing to tune.
 */
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpuBackend } from '@nrm/backend-cpu';
import { wasmBackend } from '@nrm/backend-wasm';
import { createExplainer, createRegistry, type Composite, type Graph, type IRNode } from '@nrm/core';
import { loadGraph } from '@nrm/graph';
import { lrp } from '@nrm/rules-lrp';
import { loadFixtureCase, maxRelativeError } from '@nrm/testkit';
import { layerFactors } from '../factors.js';
import { relative, relativeRules } from '../plugin.js';
import { relativeComposite } from './relative.js';

let start = 0;
beforeAll(async () => {
  await cpuBackend.setup();
  start = tf.memory().numTensors;
});
afterAll(async () => {
  await cpuBackend.setup();
  expect(tf.memory().numTensors).toBe(start);
});

const registry = createRegistry([relative]);

/** Indices sorted by decreasing value. */
const ranking = (a: readonly number[]) => a.map((_, i) => i).sort((i, j) => a[j]! - a[i]!);

describe('a hidden unit with z ≈ 1e-12 (2⁻⁴⁰)', () => {
  /*
   * x(4) → h1 = dense(4→3) → r1 = relu → h2 = dense(3→3), explained with seed 1 on every unit of h2.
   *   h1: u0 = 2·x0 + 0.2·x1, u1 = 0.5·x0 + 0.5·x1 + 0.2·x3, u2 = 0.5·x2  (x2 matters for u2 only)
   *   h2: A = u0 + 0.5·u1, B = 0.5·u0 + u1, C = 2⁻¹⁵·u2 + b_C with b_C = −(2⁻¹⁷ − 2⁻⁴⁰)
   * At x = [1, 0.5, 0.5, 0.5]: u2 = 0.25, 2⁻¹⁵·u2 = 2⁻¹⁷, so z_C = 2⁻⁴⁰ ≈ 9.1e-13 exactly (every step
   * is exact in float32). By construction x0 matters most and x2 (through the tiny weight) least.
   */
  const x = [1, 0.5, 0.5, 0.5];
  const W1 = [
    [2, 0.5, 0],
    [0.2, 0.5, 0],
    [0, 0, 0.5],
    [0, 0.2, 0],
  ];
  const W2 = [
    [1, 0.5, 0],
    [0.5, 1, 0],
    [0, 0, 2 ** -15],
  ];
  const graphWith = (bC: number): Graph => {
    const nodes: IRNode[] = [
      { id: 'x', op: 'input', inputs: [], attrs: { shape: [4] }, outputShape: [4] },
      { id: 'h1', op: 'dense', inputs: ['x'], attrs: {}, outputShape: [3], params: { kernel: { shape: [4, 3], data: Float32Array.from(W1.flat()) }, bias: { shape: [3], data: new Float32Array(3) } } },
      { id: 'r1', op: 'relu', inputs: ['h1'], attrs: {}, outputShape: [3] },
      { id: 'h2', op: 'dense', inputs: ['r1'], attrs: {}, outputShape: [3], params: { kernel: { shape: [3, 3], data: Float32Array.from(W2.flat()) }, bias: { shape: [3], data: Float32Array.from([0, 0, bC]) } } },
    ];
    return { nodes, input: 'x', outputs: ['h2'], layers: Object.fromEntries(nodes.map((n) => [n.id, n.id])), warnings: [] };
  };
  const bad = graphWith(-(2 ** -17 - 2 ** -40));
  const lrp0: Composite = {
    specificationVersion: 'v1',
    id: 'lrp-0',
    description: 'LRP-ε with ε = 0 on every Dense (LRP-0)',
    rules: [
      { match: { op: 'dense' }, use: { rule: 'lrp/epsilon', options: { epsilon: 0 } } },
      { match: { op: 'relu' }, use: 'lrp/pass' },
    ],
  };
  const explain = (graph: Graph, composite: string | Composite): { relevance: number[]; z: number[] } => {
    const explainer = createExplainer({ graph, registry: createRegistry([lrp, relative]), composite });
    const input = tf.tensor2d([x]);
    const seed = tf.ones([1, 3]);
    const e = explainer.explain(input, { target: { layer: 'h2', seed } });
    const out = { relevance: Array.from(e.input.dataSync()), z: Array.from(e.targetOutput.dataSync()) };
    e.dispose();
    explainer.dispose();
    input.dispose();
    seed.dispose();
    return out;
  };
  /** Gradient × input of Σ h2, float64 (independent of the biases, so also that of the sane neighbour b_C = 0). */
  const gradientTimesInput = (() => {
    const u = W1[0]!.map((_, j) => Math.max(0, x.reduce((a, xi, i) => a + xi * W1[i]![j]!, 0)));
    const gU = W2.map((row) => row.reduce((a, v) => a + v, 0)).map((g, j) => (u[j]! > 0 ? g : 0));
    return x.map((xi, i) => xi * W1[i]!.reduce((a, w, j) => a + w * gU[j]!, 0));
  })();

  for (const backend of [cpuBackend, wasmBackend]) {
    it(`LRP-0 explodes (|R| > 1e6, ranks x2 first); R-LRP stays finite and ranks like gradient × input (${backend.id})`, async () => {
      await backend.setup();
      const before = tf.memory().numTensors;
      const zero = explain(bad, lrp0);
      expect(zero.z[2]).toBe(2 ** -40);
      const worst = Math.max(...zero.relevance.map(Math.abs));
      expect(!Number.isFinite(worst) || worst > 1e6).toBe(true);
      expect(ranking(zero.relevance)[0]).toBe(2);

      const r = explain(bad, 'relative');
      expect(r.relevance.every(Number.isFinite)).toBe(true);
      // Every linear layer keeps the L1 mass it received: |R_in| ≤ Σ|seed| = 3.
      expect(Math.max(...r.relevance.map(Math.abs))).toBeLessThanOrEqual(3 + 1e-5);
      expect(ranking(r.relevance)).toEqual(ranking(gradientTimesInput));
      expect(ranking(r.relevance)).toEqual([0, 1, 3, 2]);

      // R-LRP has no denominator: the sane neighbour (b_C = 0, z_C = 2⁻¹⁷) gets the very same heatmap.
      const neighbour = explain(graphWith(0), 'relative');
      expect(maxRelativeError(r.relevance, neighbour.relevance)).toBeLessThanOrEqual(1e-6);
      expect(tf.memory().numTensors).toBe(before);
    });
  }
});

/** Σ of each row of a recorded `[N, …]` array. */
function rowSums(data: ArrayLike<number>, rows: number, abs = false): number[] {
  const size = data.length / rows;
  return Array.from({ length: rows }, (_, r) => {
    let s = 0;
    for (let i = r * size; i < (r + 1) * size; i++) s += abs ? Math.abs(data[i]!) : data[i]!;
    return s;
  });
}

interface FixtureRun {
  graph: Graph;
  rules: Record<string, string>;
  layers: Record<string, Float32Array>;
  reports: Record<string, Record<string, number[]>>;
  input: Float32Array;
  seed: Float32Array;
  rows: number;
  factors: Awaited<ReturnType<typeof layerFactors>>;
}

async function runFixture(name: string, options?: Record<string, unknown>): Promise<FixtureRun> {
  const fixture = loadFixtureCase(name);
  const graph = await loadGraph(fixture.modelPath);
  const target = fixture.expected.explanations[0]!.target;
  const explainer = createExplainer({ graph, registry, composite: 'relative', ...(options ? { options } : {}) });
  const input = tf.tensor(fixture.input.data, fixture.input.shape as number[]);
  const e = explainer.explain(input, { target: { layer: target.layer, indices: target.indices }, record: graph.nodes.map((n) => n.id) });
  try {
    const layers = Object.fromEntries(Object.entries(e.layers).map(([k, t]) => [k, t.dataSync() as Float32Array]));
    const reports = Object.fromEntries(
      Object.entries(e.reports).map(([k, byName]) => [k, Object.fromEntries(Object.entries(byName).map(([n, t]) => [n, Array.from(t.dataSync())]))]),
    );
    return {
      graph,
      rules: { ...explainer.rules },
      layers,
      reports,
      input: e.input.dataSync() as Float32Array,
      seed: e.seed.dataSync() as Float32Array,
      rows: input.shape[0]!,
      factors: await layerFactors(e),
    };
  } finally {
    e.dispose();
    explainer.dispose();
    input.dispose();
  }
}

/**
 * For every `relative/linear` node whose input feeds nothing else: `|Σ R_in − c · Σ R| / Σ|R_in|`
 * per sample (the worst), where `c` is the reported factor.
 */
function worstLayerError(run: FixtureRun): { worst: number; checked: number } {
  const consumers = new Map<string, number>();
  for (const n of run.graph.nodes) for (const i of n.inputs) consumers.set(i, (consumers.get(i) ?? 0) + 1);
  let worst = 0;
  let checked = 0;
  for (const node of run.graph.nodes) {
    if (run.rules[node.id] !== 'relative/linear' || consumers.get(node.inputs[0]!) !== 1) continue;
    const rIn = run.layers[node.inputs[0]!]!;
    const r = run.layers[node.id]!;
    const sumIn = rowSums(rIn, run.rows);
    const massIn = rowSums(rIn, run.rows, true);
    const sumOut = rowSums(r, run.rows);
    const factor = run.reports[node.id]!['factor']!;
    for (let n = 0; n < run.rows; n++) {
      if (sumOut[n] === 0) continue;
      worst = Math.max(worst, Math.abs(sumIn[n]! - factor[n]! * sumOut[n]!) / massIn[n]!);
    }
    checked++;
  }
  return { worst, checked };
}

describe('conservation up to the reported factor', () => {
  for (const name of ['mlp', 'vgg_tiny', 'vgg16_narrow']) {
    it(`${name}: Σ R_in = factor · Σ R at every linear layer, per sample, and Π factors = Σ R_input / Σ seed`, async () => {
      const run = await runFixture(name);
      const linear = run.graph.nodes.filter((n) => run.rules[n.id] === 'relative/linear');
      const { worst, checked } = worstLayerError(run);
      expect(checked).toBe(linear.length);
      expect(worst).toBeLessThanOrEqual(1e-5);
      const seedSums = rowSums(run.seed, run.rows);
      const inputSums = rowSums(run.input, run.rows);
      const inputMass = rowSums(run.input, run.rows, true);
      for (let n = 0; n < run.rows; n++) {
        // The chain: the product of the layer factors explains the heatmap's total against the seed.
        expect(Math.abs(inputSums[n]! - run.factors.product[n]! * seedSums[n]!) / inputMass[n]!).toBeLessThanOrEqual(1e-5);
        expect(Math.abs(run.factors.product[n]! - run.factors.cumulative[n]!) / Math.abs(run.factors.cumulative[n]!)).toBeLessThanOrEqual(1e-5);
      }
      // Not trivially 1: relevance of mixed sign makes the factors differ from 1 here.
      expect(Object.values(run.factors.layers).some((f) => Math.abs(f[0]! - 1) > 1e-3)).toBe(true);
    });
  }
});

describe('residual nets', () => {
  for (const name of ['resnet_tiny', 'resnet50_narrow']) {
    it(`${name}: finite, a factor for every linear node, a guard report for every Add, per-layer conservation`, async () => {
      const run = await runFixture(name);
      expect(run.input.every(Number.isFinite)).toBe(true);
      expect(rowSums(run.input, run.rows, true)[0]).toBeGreaterThan(0);
      const linear = run.graph.nodes.filter((n) => run.rules[n.id] === 'relative/linear');
      const adds = run.graph.nodes.filter((n) => n.op === 'add');
      expect(adds.length).toBeGreaterThan(0);
      expect(adds.every((n) => run.rules[n.id] === 'relative/add')).toBe(true);
      for (const node of linear) {
        for (const report of ['factor', 'gain']) {
          const values = run.reports[node.id]?.[report];
          expect(values, `${node.id} ${report}`).toHaveLength(run.rows);
          expect(values!.every(Number.isFinite)).toBe(true);
        }
      }
      expect(Object.keys(run.factors.layers).sort()).toEqual(linear.map((n) => n.id).sort());
      for (const node of adds) expect(run.reports[node.id]?.['guarded'], node.id).toHaveLength(run.rows);
      for (const t of Object.values(run.layers)) expect(t.every(Number.isFinite)).toBe(true);
      const { worst, checked } = worstLayerError(run);
      expect(checked).toBeGreaterThan(linear.length / 2);
      expect(worst).toBeLessThanOrEqual(1e-5);
      // Parallel branches: the product of all factors is not the whole story; the measured cumulative factor is.
      const seedSum = rowSums(run.seed, run.rows)[0]!;
      expect(Math.abs(rowSums(run.input, run.rows)[0]! - run.factors.cumulative[0]! * seedSum)).toBeLessThanOrEqual(1e-5 * Math.abs(seedSum));
    });
  }

  it('resnet_tiny: cpu and wasm agree (1e-4)', async () => {
    const cpu = await runFixture('resnet_tiny');
    await wasmBackend.setup();
    try {
      const wasm = await runFixture('resnet_tiny');
      expect(maxRelativeError(wasm.input, cpu.input)).toBeLessThanOrEqual(1e-4);
    } finally {
      await cpuBackend.setup();
    }
  });
});

describe('nothing to tune', () => {
  it('every rule has defaultOptions {}, the composite has no defaults and hands no options', () => {
    for (const rule of relativeRules) expect(rule.meta.defaultOptions).toEqual({});
    expect(relativeComposite.defaultOptions).toBeUndefined();
    expect(relativeComposite.needsBounds).toBeUndefined();
    expect(relativeComposite.rules.every((entry) => typeof entry.use === 'string')).toBe(true);
  });
  it('composite options (--epsilon, --low/--high) change nothing', async () => {
    const plain = await runFixture('vgg_tiny');
    const tuned = await runFixture('vgg_tiny', { epsilon: 0.25, low: -1, high: 1, gamma: 2 });
    expect(Array.from(tuned.input)).toEqual(Array.from(plain.input));
  });
});
