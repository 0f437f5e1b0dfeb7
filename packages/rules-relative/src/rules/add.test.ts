import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { cpuBackend } from '@nrm/backend-cpu';
import { wasmBackend } from '@nrm/backend-wasm';
import { createExplainer, createRegistry, type Composite, type Graph, type IRNode } from '@nrm/core';
import { lrp } from '@nrm/rules-lrp';
import { RuleTester, type ReferenceContext } from '@nrm/testkit';
import { relative } from '../plugin.js';
import { CANCELLATION, relativeAdd } from './add.js';

const tester = new RuleTester({ backends: [cpuBackend, wasmBackend] });

/** The guarded split, float64: summands are the concatenated inputs, `K` blocks of `nOut`. */
function reference(ctx: ReferenceContext<object>): Float64Array {
  const K = ctx.nIn / ctx.nOut;
  const out = new Float64Array(ctx.nIn);
  for (let o = 0; o < ctx.nOut; o++) {
    const xs = Array.from({ length: K }, (_, k) => ctx.x[k * ctx.nOut + o]!);
    const s = xs.reduce((a, v) => a + v, 0);
    const m = xs.reduce((a, v) => a + Math.abs(v), 0);
    xs.forEach((v, k) => {
      const share = Math.abs(s) > CANCELLATION * m ? v / s : m > 0 ? Math.abs(v) / m : 1 / K;
      out[k * ctx.nOut + o] = ctx.R[o]! * share;
    });
  }
  return out;
}

describe('relative/add', () => {
  it('splits in proportion to each summand (float64 reference), conserves, on cpu and wasm', async () => {
    const results = await tester.run(relativeAdd, [{ scenario: 'add', reference }, { scenario: 'add', reference, seed: 99 }]);
    expect(results.every((r) => r.conservationError! <= 1e-6)).toBe(true);
  });
  it('the check can fail: an equal split is rejected', async () => {
    const equal = (ctx: ReferenceContext<object>) => Float64Array.from({ length: ctx.nIn }, (_, i) => ctx.R[i % ctx.nOut]! / 2);
    await expect(tester.run(relativeAdd, [{ scenario: 'add', reference: equal }])).rejects.toThrow(/differs/);
  });
  it('has no options', async () => {
    await expect(tester.run(relativeAdd, [{ scenario: 'add', reference, options: { epsilon: 1 } as never }])).rejects.toThrow(/has no options/);
  });
});

/** x(4) → a = x·ka, b = x·kb (per-feature scales, as BatchNorm) → add; the Add is the target. */
function addGraph(ka: number[], kb: number[], bb: number[] = [0, 0, 0, 0]): Graph {
  const affine = (id: string, k: number[], b: number[]): IRNode => ({
    id,
    op: 'batchNorm',
    inputs: ['x'],
    attrs: {},
    outputShape: [4],
    params: { kernel: { shape: [4], data: Float32Array.from(k) }, bias: { shape: [4], data: Float32Array.from(b) } },
  });
  const nodes: IRNode[] = [
    { id: 'x', op: 'input', inputs: [], attrs: { shape: [4] }, outputShape: [4] },
    affine('a', ka, [0, 0, 0, 0]),
    affine('b', kb, bb),
    { id: 'sum', op: 'add', inputs: ['a', 'b'], attrs: {}, outputShape: [4] },
  ];
  return { nodes, input: 'x', outputs: ['sum'], layers: Object.fromEntries(nodes.map((n) => [n.id, n.id])), warnings: [] };
}

/** Relevance at the Add's two inputs for an explicit seed, and the `guarded` report. */
function split(graph: Graph, composite: string | Composite, x: number[], seed: number[]) {
  const plugins = typeof composite === 'string' && composite !== 'relative' ? [lrp] : [relative];
  const explainer = createExplainer({ graph, registry: createRegistry(plugins), composite });
  const input = tf.tensor2d([x]);
  const s = tf.tensor2d([seed]);
  const e = explainer.explain(input, { target: { layer: 'sum', seed: s }, record: ['a', 'b'] });
  const out = {
    a: Array.from(e.layers['a']!.dataSync()),
    b: Array.from(e.layers['b']!.dataSync()),
    guarded: e.reports['sum']?.['guarded'] ? Array.from(e.reports['sum']['guarded'].dataSync()) : undefined,
  };
  e.dispose();
  explainer.dispose();
  input.dispose();
  s.dispose();
  return out;
}

describe('relative/add: the cancellation guard', () => {
  for (const backend of [cpuBackend, wasmBackend]) {
    it(`summands x and −x: split by magnitude (½ each), finite, where LRP's Norm divides by its ε (${backend.id})`, async () => {
      await backend.setup();
      const before = tf.memory().numTensors;
      const graph = addGraph([1, 1, 1, 1], [-1, -1, -1, -1]);
      const x = [0.5, -2, 3, 0.25];
      const seed = [1, -1, 2, 0.5];
      const got = split(graph, 'relative', x, seed);
      expect(got.a).toEqual(seed.map((r) => r / 2));
      expect(got.b).toEqual(seed.map((r) => r / 2));
      expect(got.guarded).toEqual([1]);
      // LRP's Norm (ε = 1e-6) on the same Add: x_k·R/ε, a million times the seed.
      const norm = split(graph, 'epsilon', x, seed);
      expect(Math.max(...norm.a.map(Math.abs))).toBeGreaterThan(1e5);
      expect(tf.memory().numTensors).toBe(before);
    });
  }

  it('near-cancelling positions are guarded, the others split in proportion; all-zero summands split equally', async () => {
    await cpuBackend.setup();
    // a = x, b = −x + δ with δ = [0, 1e-9·x, 0.5·x, −x]: sums 0, 1e-9x (guarded), 0.5x (proportional), −x (proportional).
    const x = [1, 2, 4, 0];
    const graph = addGraph([1, 1, 1, 1], [-1, -1 + 1e-9, -0.5, -2]);
    const seed = [1, 1, 1, 1];
    const got = split(graph, 'relative', x, seed);
    // Position 1: −1 + 1e-9 rounds to −1 in float32, so the sum is exactly 0 there too.
    expect(got.a.slice(0, 2)).toEqual([0.5, 0.5]);
    expect(got.b.slice(0, 2)).toEqual([0.5, 0.5]);
    expect(got.a[2]).toBeCloseTo(4 / 2, 6); // x_a / (x_a + x_b) = 4 / 2
    expect(got.b[2]).toBeCloseTo(-2 / 2, 6);
    // Position 3: x = 0, both summands 0 → equal split.
    expect([got.a[3], got.b[3]]).toEqual([0.5, 0.5]);
    expect(got.guarded![0]).toBeCloseTo(3 / 4, 6);
    // A sum that cancels to 1e-7 relative (above float32 resolution, below the threshold) is guarded.
    const tiny = split(addGraph([1, 1, 1, 1], [-1, -1, -1, -1], [1e-7, 0, 0, 0]), 'relative', [1, 1, 1, 1], seed);
    expect(tiny.a[0]).toBeCloseTo(0.5, 5);
    // Just above the threshold (1e-5 relative): proportional, bounded by 1/CANCELLATION.
    const above = split(addGraph([1, 1, 1, 1], [-1, -1, -1, -1], [1e-5, 0, 0, 0]), 'relative', [1, 1, 1, 1], seed);
    expect(above.a[0]).toBeGreaterThan(5e4);
    expect(Math.abs(above.a[0]!)).toBeLessThanOrEqual(1 / CANCELLATION);
    expect(above.a[0]! + above.b[0]!).toBeCloseTo(1, 2);
  });
});
