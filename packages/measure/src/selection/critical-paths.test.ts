/**
 * The relevance graph and its critical paths against a brute-force enumeration on small nets: every
 * path through the selected channels, scored from one-by-one joints and marginals (no flow matrix),
 * sorted. Also: selecting everything gives the flows' top walks, and path heatmaps carry the exact
 * joint of the path.
 */
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpuBackend } from '@nrm/backend-cpu';
import { channels, createMeasure, type RelevanceMeasure } from '../index.js';
import { convNet, explainerFor, mlp, randomInput, type TestNet } from '../testing/nets.js';
import { criticalPaths, pathHeatmap } from './critical-paths.js';
import { relevanceGraph } from './relevance-graph.js';
import { selectLayers, selectUnits, type SelectSpec, type UnitSelection } from './select-units.js';

let start = 0;
beforeAll(async () => {
  await cpuBackend.setup();
  start = tf.memory().numTensors;
});
afterAll(() => expect(tf.memory().numTensors).toBe(start));

interface Case {
  readonly name: string;
  readonly net: TestNet;
  readonly composite: string;
  readonly layers: readonly string[];
  readonly specs: readonly SelectSpec[];
  readonly low: number;
}

const CASES: Case[] = [
  // Signed relevance (ε everywhere): negative conditionals exercise the signed max-product search.
  { name: 'mlp 4 → 5 → 3 → 2, epsilon', net: mlp(11, [4, 5, 3, 2], 0.2), composite: 'epsilon', layers: ['x', 'r1', 'r2'], low: -1, specs: [
    { select: 'topk', value: 3 },
    { select: 'fraction', value: 0.8 },
    { select: 'threshold', value: -0.5 },
  ] },
  { name: 'conv net, epsilon-plus-flat', net: convNet(5, 4, 2, 3, 4, 3), composite: 'epsilon-plus-flat', layers: ['x', 'r1', 'r2'], low: 0, specs: [
    { select: 'topk', value: 2 },
    { select: 'topk', value: 2 },
    { select: 'topk', value: 3 },
  ] },
  // Max-pooling keeps channels apart: J is diagonal between r2 and p, so many paths tie at 0.
  { name: 'conv net through a max-pool (ties), epsilon-plus-flat', net: convNet(5, 4, 2, 3, 4, 3), composite: 'epsilon-plus-flat', layers: ['r1', 'r2', 'p'], low: 0, specs: [
    { select: 'topk', value: 2 },
    { select: 'topk', value: 3 },
    { select: 'topk', value: 3 },
  ] },
];

async function withMeasure(c: Case, body: (measure: RelevanceMeasure) => Promise<void>): Promise<void> {
  const explainer = explainerFor(c.net, c.composite, { epsilon: 0.1 });
  const input = randomInput(3, 2, c.net.inputShape, c.low, 1);
  const measure = createMeasure(explainer, input, { layer: c.net.target, indices: [[0], [1]] }, { layers: ['input', ...c.layers] });
  try {
    const before = tf.memory().numTensors;
    await body(measure);
    expect(tf.memory().numTensors, 'tensors left by the test').toBe(before);
  } finally {
    measure.dispose();
    explainer.dispose();
    input.dispose();
  }
}

async function value(measure: RelevanceMeasure, ...events: ReturnType<typeof channels>[]): Promise<number[]> {
  const result = events.length === 1 ? measure.marginal(events[0]!) : measure.joint(...events);
  try {
    return (await result.read()).value;
  } finally {
    result.dispose();
  }
}

/** Every path through the selected channels of sample n, scored μ(c_L) · Π μ(c_j, c_j+1) / μ(c_j+1) from joints. */
async function bruteForce(measure: RelevanceMeasure, layers: readonly string[], selections: readonly UnitSelection[], n: number) {
  const mu = new Map<string, number>();
  const muOf = async (j: number, c: number) => {
    const key = `${j}:${c}`;
    if (!mu.has(key)) mu.set(key, (await value(measure, channels(layers[j]!, [c])))[n]!);
    return mu.get(key)!;
  };
  let paths: number[][] = [[]];
  for (const s of selections) paths = paths.flatMap((p) => s.units[n]!.map((c) => [...p, c]));
  const scored: { channels: number[]; score: number }[] = [];
  for (const path of paths) {
    const top = path.length - 1;
    let score = await muOf(top, path[top]!);
    let defined = Math.abs(score) > 1e-9;
    for (let j = top - 1; j >= 0 && defined; j--) {
      const upper = await muOf(j + 1, path[j + 1]!);
      if (Math.abs(upper) <= 1e-9) defined = false;
      const J = (await value(measure, channels(layers[j]!, [path[j]!]), channels(layers[j + 1]!, [path[j + 1]!])))[n]!;
      score *= J / upper;
    }
    if (defined) scored.push({ channels: path, score });
  }
  // Highest first; ties by channels, lexicographic bottom to top.
  const lexicographic = (a: number[], b: number[]) => a.findIndex((v, i) => v !== b[i]);
  return scored.sort((a, b) => {
    if (a.score !== b.score) return b.score - a.score;
    const i = lexicographic(a.channels, b.channels);
    return i < 0 ? 0 : a.channels[i]! - b.channels[i]!;
  });
}

describe('critical paths = brute force', () => {
  for (const c of CASES) {
    it(c.name, async () => {
      await withMeasure(c, async (measure) => {
        const selections: UnitSelection[] = [];
        for (const [j, layer] of c.layers.entries()) selections.push(await selectUnits(measure, layer, c.specs[j]!));
        // Layers in any order: the graph sorts them by topology.
        const graph = await relevanceGraph(measure, [...c.layers].reverse(), [...selections].reverse());
        expect(graph.layers).toEqual(c.layers);
        for (let n = 0; n < 2; n++) {
          const sample = graph.samples[n]!;
          sample.nodes.forEach((nodes, j) => expect(nodes.map((x) => x.channel)).toEqual([...selections[j]!.units[n]!].sort((a, b) => a - b)));
          // Edges are the joints of the selected channel pairs.
          for (const [j, edges] of sample.edges.entries()) {
            expect(edges).toHaveLength(sample.nodes[j]!.length * sample.nodes[j + 1]!.length);
            for (const e of edges.slice(0, 4)) {
              const J = (await value(measure, channels(e.lower, [e.from]), channels(e.upper, [e.to])))[n]!;
              expect(e.value).toBeCloseTo(J, 6);
              const upper = sample.nodes[j + 1]!.find((x) => x.channel === e.to)!;
              if (upper.zero) expect(e.conditional).toBeNaN();
              else expect(e.conditional).toBeCloseTo(J / upper.value, 5);
            }
          }
          const brute = await bruteForce(measure, c.layers, selections, n);
          expect(brute.length).toBeGreaterThan(5);
          expect(brute.some((p) => p.score < 0) || c.composite !== 'epsilon').toBe(true);
          for (const k of [1, 5, brute.length]) {
            const found = criticalPaths(graph, k)[n]!;
            expect(found.map((p) => p.channels), `sample ${n}, k ${k}`).toEqual(brute.slice(0, k).map((p) => p.channels));
            found.forEach((p, i) => expect(p.score).toBeCloseTo(brute[i]!.score, 5));
            found.forEach((p) => expect(p.layers).toEqual(c.layers));
          }
        }
      });
    });
  }
});

describe('critical paths of every channel = the flows’ top walks', () => {
  it('conv net', async () => {
    const c = CASES[1]!;
    await withMeasure(c, async (measure) => {
      const all = await selectLayers(measure, c.layers, { select: 'topk', value: 99 });
      const graph = await relevanceGraph(measure, c.layers, all);
      const flows = measure.flows(c.layers, { topK: 6 });
      const { walks } = await flows.read();
      flows.dispose();
      const paths = criticalPaths(graph, 6);
      for (let n = 0; n < 2; n++) {
        expect(paths[n]!.map((p) => p.channels)).toEqual(walks[n]!.map((w) => w.channels));
        paths[n]!.forEach((p, i) => expect(p.score).toBeCloseTo(walks[n]![i]!.score, 6));
      }
    });
  });
});

describe('pathHeatmap', () => {
  it('is the heatmap given the path, with its exact joint; a sample without a path gets 0', async () => {
    const c = CASES[1]!;
    await withMeasure(c, async (measure) => {
      const layers = ['r1', 'r2'];
      const selections = await selectLayers(measure, layers, { select: 'topk', value: 2 });
      const paths = criticalPaths(await relevanceGraph(measure, layers, selections), 2);
      const heat = await pathHeatmap(measure, [paths[0]![0]!, paths[1]![1]!]);
      for (const [n, path] of [paths[0]![0]!, paths[1]![1]!].entries()) {
        const joint = await value(measure, ...path.channels.map((ch, j) => channels(layers[j]!, [ch])));
        expect(heat.joint[n]).toBeCloseTo(joint[n]!, 6);
        // Two layers: the score is J[c_1][c_2], the exact joint.
        expect(path.score).toBeCloseTo(joint[n]!, 6);
      }
      const one = await pathHeatmap(measure, [paths[0]![0]!, null]);
      const size = one.raw.length / 2;
      expect(Array.from(one.raw.subarray(size)).every((v) => v === 0)).toBe(true);
      expect(one.joint[1]).toBe(0);
      expect(one.flags).toContainEqual({ sample: 1, kind: 'heatmap-zero', layer: 'input' });
      expect(one.raw.subarray(0, size)).toEqual(heat.raw.subarray(0, size));
      const single = await pathHeatmap(measure, paths[0]![0]!);
      expect(single.raw.subarray(0, size)).toEqual(heat.raw.subarray(0, size));
      await expect(pathHeatmap(measure, [null, null])).rejects.toThrow(/at least one path/);
      await expect(pathHeatmap(measure, [paths[0]![0]!])).rejects.toThrow(/batch of 2/);
    });
  });
});

describe('a one-layer graph', () => {
  it('has no edges, and its paths are the selected channels by μ', async () => {
    const c = CASES[1]!;
    await withMeasure(c, async (measure) => {
      const s = await selectLayers(measure, ['r2'], { select: 'topk', value: 3 });
      const graph = await relevanceGraph(measure, ['r2'], s);
      const paths = criticalPaths(graph, 2);
      for (let n = 0; n < 2; n++) {
        expect(graph.samples[n]!.edges).toEqual([]);
        // By μ, highest first (the selection ranks by raw relevance; a negative Z_l reverses that).
        const byMu = s[0]!.units[n]!.map((u, i) => ({ u, v: s[0]!.values[n]![i]! })).sort((a, b) => b.v - a.v);
        expect(paths[n]!.map((p) => p.channels)).toEqual(byMu.slice(0, 2).map((p) => [p.u]));
        paths[n]!.forEach((p, i) => expect(p.score).toBeCloseTo(byMu[i]!.v, 6));
      }
    });
  });
});

describe('relevanceGraph errors', () => {
  it('needs one channel selection per layer', async () => {
    const c = CASES[1]!;
    await withMeasure(c, async (measure) => {
      const s = await selectLayers(measure, ['r1', 'r2'], { select: 'topk', value: 2 });
      await expect(relevanceGraph(measure, ['r1', 'r2', 'p'], s)).rejects.toThrow(/one selection on 'p', got 0/);
      await expect(relevanceGraph(measure, ['r1'], s)).rejects.toThrow(/not on one of the layers/);
      const neuron = await selectUnits(measure, 'r2', { select: 'topk', value: 2, unit: 'neuron' });
      await expect(relevanceGraph(measure, ['r1', 'r2'], [s[0]!, neuron])).rejects.toThrow(/channel selections/);
      expect(() => criticalPaths({ layers: [], samples: [] }, -1)).toThrow(/integer k/);
    });
  });
});
