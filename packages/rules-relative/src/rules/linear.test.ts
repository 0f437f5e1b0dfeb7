import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { cpuBackend } from '@nrm/backend-cpu';
import { wasmBackend } from '@nrm/backend-wasm';
import { createExplainer, createRegistry, type Graph, type IRNode } from '@nrm/core';
import { LINEAR_SCENARIOS, RuleTester, references, type ReferenceContext, type ScenarioName } from '@nrm/testkit';
import { relative } from '../plugin.js';
import { relativeLinear } from './linear.js';

const tester = new RuleTester({ backends: [cpuBackend, wasmBackend] });
const scenarios: ScenarioName[] = [...LINEAR_SCENARIOS, 'avg-pool', 'global-avg-pool'];

/** The division-free messages `U = x ⊙ Aᵀ R`, float64, from the node's dense matrix. */
function messages(ctx: ReferenceContext<object>): Float64Array {
  const { A, x, R, nIn, nOut } = ctx;
  if (!A) throw new Error('a linear node has a matrix form');
  const u = new Float64Array(nIn);
  for (let i = 0; i < nIn; i++) {
    let acc = 0;
    for (let o = 0; o < nOut; o++) acc += A[o * nIn + i]! * R[o]!;
    u[i] = x[i]! * acc;
  }
  return u;
}

const l1 = (a: ArrayLike<number>) => Array.from(a).reduce((s, v) => s + Math.abs(v), 0);
const sum = (a: ArrayLike<number>) => Array.from(a).reduce((s, v) => s + v, 0);

/** R-LRP on one row: `U · Σ|R| / Σ|U|` (0 where U is all zero). */
function reference(ctx: ReferenceContext<object>): Float64Array {
  const u = messages(ctx);
  const massU = l1(u);
  return massU === 0 ? u : u.map((v) => (v * l1(ctx.R)) / massU);
}

describe('relative/linear', () => {
  it('matches the float64 matrix-form reference U·Σ|R|/Σ|U| (U = x ⊙ Aᵀ R) on every linear node and average pool, cpu and wasm', async () => {
    const results = await tester.run(relativeLinear, scenarios.map((scenario) => ({ scenario, reference })));
    expect(results.length).toBe(scenarios.length * 2);
    expect(Math.max(...results.map((r) => r.referenceError))).toBeLessThan(1e-5);
  });

  it('the reference check can fail: the raw LRP-0 reference, or U without its renormalization, is rejected', async () => {
    await expect(tester.run(relativeLinear, [{ scenario: 'dense', reference: references.epsilon }])).rejects.toThrow(/differs from the matrix-form reference/);
    // Raw U differs from R-LRP by the per-sample gain Σ|U|/Σ|R| (not 1 on this scenario).
    await expect(tester.run(relativeLinear, [{ scenario: 'conv2d-same', reference: messages }])).rejects.toThrow(/differs from the matrix-form reference/);
  });

  it('is not conservative in the LRP sense (the tester would say so)', async () => {
    await expect(tester.run(relativeLinear, [{ scenario: 'dense', reference, conservative: true }])).rejects.toThrow(/not conservative/);
  });

  it('has no options: binding it with one is an error', async () => {
    await expect(tester.run(relativeLinear, [{ scenario: 'dense', reference, options: { epsilon: 1e-6 } as never }])).rejects.toThrow(/has no options/);
  });
});

/** x(3) → dense(3→2) with given bias; the node under test is `d`. */
function denseGraph(bias: number[]): Graph {
  const nodes: IRNode[] = [
    { id: 'x', op: 'input', inputs: [], attrs: { shape: [3] }, outputShape: [3] },
    {
      id: 'd',
      op: 'dense',
      inputs: ['x'],
      attrs: {},
      outputShape: [2],
      params: { kernel: { shape: [3, 2], data: Float32Array.from([1, -0.5, 0.25, 2, -1, 0.75]) }, bias: { shape: [2], data: Float32Array.from(bias) } },
    },
  ];
  return { nodes, input: 'x', outputs: ['d'], layers: { x: 'x', d: 'd' }, warnings: [] };
}

describe('relative/linear reports and guards', () => {
  const run = (graph: Graph, x: number[][], seed: number[][]) => {
    const explainer = createExplainer({ graph, registry: createRegistry([relative]), composite: 'relative' });
    const input = tf.tensor2d(x);
    const s = tf.tensor2d(seed);
    const e = explainer.explain(input, { target: { layer: 'd', seed: s } });
    const out = {
      relevance: Array.from(e.input.dataSync(), (v) => v + 0), // no -0
      factor: Array.from(e.reports['d']!['factor']!.dataSync()),
      gain: Array.from(e.reports['d']!['gain']!.dataSync()),
    };
    e.dispose();
    explainer.dispose();
    input.dispose();
    s.dispose();
    return out;
  };

  it('reports factor = ΣR_in/ΣR and gain = Σ|U|/Σ|R| per sample (float64 check), leaking nothing', async () => {
    await cpuBackend.setup();
    const before = tf.memory().numTensors;
    const x = [
      [0.5, -1, 2],
      [1, 1, -0.25],
    ];
    const seed = [
      [1, -0.25],
      [0.5, 0.5],
    ];
    const got = run(denseGraph([0.1, -0.2]), x, seed);
    const W = [
      [1, -0.5],
      [0.25, 2],
      [-1, 0.75],
    ];
    for (let n = 0; n < 2; n++) {
      const u = x[n]!.map((xi, i) => xi * (W[i]![0]! * seed[n]![0]! + W[i]![1]! * seed[n]![1]!));
      const rIn = u.map((v) => (v * l1(seed[n]!)) / l1(u));
      expect(Math.max(...got.relevance.slice(3 * n, 3 * n + 3).map((v, i) => Math.abs(v - rIn[i]!)))).toBeLessThan(1e-6);
      expect(got.factor[n]).toBeCloseTo(sum(rIn) / sum(seed[n]!), 5);
      expect(got.gain[n]).toBeCloseTo(l1(u) / l1(seed[n]!), 5);
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it('has no denominator at all: the bias (and so z) does not change the result, even where z = 0', async () => {
    await cpuBackend.setup();
    const x = [[0.5, -1, 2]];
    const seed = [[1, -0.25]];
    const a = run(denseGraph([0, 0]), x, seed);
    // Biases chosen so that z = Wx + b is exactly 0 at both outputs.
    const zeroZ = denseGraph([1.75, 0.75]);
    const explainer = createExplainer({ graph: zeroZ, registry: createRegistry([relative]), composite: 'relative' });
    const z = tf.tidy(() => explainer.forward(tf.tensor2d(x)));
    expect(Array.from(z.dataSync(), (v) => v + 0)).toEqual([0, 0]);
    z.dispose();
    explainer.dispose();
    const b = run(zeroZ, x, seed);
    expect(b.relevance).toEqual(a.relevance);
    expect(b.relevance.every(Number.isFinite)).toBe(true);
  });

  it('guards: R = 0 gives R_in = 0 and factor 1; x = 0 gives R_in = 0 and factor 0; never NaN', async () => {
    await cpuBackend.setup();
    const zeroSeed = run(denseGraph([0.1, 0.2]), [[0.5, -1, 2]], [[0, 0]]);
    expect(zeroSeed.relevance).toEqual([0, 0, 0]);
    expect(zeroSeed.factor).toEqual([1]);
    expect(zeroSeed.gain).toEqual([1]);
    const zeroInput = run(denseGraph([0.1, 0.2]), [[0, 0, 0]], [[1, 1]]);
    expect(zeroInput.relevance).toEqual([0, 0, 0]);
    expect(zeroInput.factor).toEqual([0]);
    expect(zeroInput.gain).toEqual([0]);
    // ΣR = 0 with R ≠ 0 (cancelling seed): the factor is undefined and reported as 1, R_in stays finite.
    const cancelling = run(denseGraph([0, 0]), [[0.5, -1, 2]], [[1, -1]]);
    expect(cancelling.factor).toEqual([1]);
    expect(cancelling.relevance.every(Number.isFinite)).toBe(true);
  });
});
