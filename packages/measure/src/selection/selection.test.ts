/**
 * Selections on vgg_tiny (a batch of two): the selected units are the measure's, selecting every
 * unit reproduces plain LRP bit for bit, and the kept mass is monotone in k where it must be.
 *
 * Why monotonicity needs non-negative relevance: the top-k sets are nested (S_k ⊂ S_{k+1} at every
 * layer), so the walks through S_{k+1} at every layer include those through S_k, and
 * keptMass(k+1) − keptMass(k) is the relevance of the added walks. That is ≥ 0 when every walk
 * carries non-negative relevance, e.g. when every rule below the top analysed layer has
 * non-negative coefficients (z⁺, flat, pooling, ReLU) and the relevance at the top analysed layer
 * is non-negative. Under epsilon-plus-flat the ε rule of the Dense layers gives vgg_tiny's conv
 * layers negative neurons (and conv2/conv3 negative channels), so a walk can carry negative relevance
 * and adding a channel can lower the kept mass (tested below). It must hold (a) with z⁺ on every
 * layer (all relevance ≥ 0) and (b) under epsilon-plus-flat with conv1 as the only analysed layer
 * while the added channels have positive sums (all of them for the fixture's sample): the flat rule
 * below conv1 is non-negative and conservative, so the kept mass is the sum of the selected
 * channels' marginals (times Z_conv1 / Z_input).
 */
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpuBackend } from '@nrm/backend-cpu';
import { createExplainer, createRegistry, type Composite, type Explainer } from '@nrm/core';
import { loadGraph } from '@nrm/graph';
import { lrp } from '@nrm/rules-lrp';
import { loadFixtureCase } from '@nrm/testkit';
import { allOf, channels, createMeasure, type RelevanceMeasure } from '../index.js';
import { selectionHeatmap } from './selection-heatmap.js';
import { selectLayers, selectUnits, type SelectSpec } from './select-units.js';

/** z⁺ on every linear layer but the first (flat): every relevance is ≥ 0 for a positive logit. */
const PLUS_FLAT: Composite = {
  specificationVersion: 'v1',
  id: 'test-plus-flat',
  description: 'Flat on the first layer, z⁺ on every other conv and dense layer.',
  rules: [
    { match: { op: ['dense', 'conv2d'], position: 'first' }, use: 'lrp/flat' },
    { match: { op: ['dense', 'conv2d'] }, use: 'lrp/z-plus' },
    { match: { op: 'relu' }, use: 'lrp/pass' },
    { match: { op: 'maxPool2d' }, use: 'lrp/winner-take-all' },
  ],
};

const LAYERS = ['conv1', 'conv2', 'conv3'];
const fixture = loadFixtureCase('vgg_tiny');
let start = 0;
beforeAll(async () => {
  await cpuBackend.setup();
  start = tf.memory().numTensors;
});
afterAll(() => expect(tf.memory().numTensors).toBe(start));

/** vgg_tiny on the fixture input and a flipped, scaled copy, targets logits 7 and 2. */
async function withVgg(composite: string | Composite, body: (measure: RelevanceMeasure) => Promise<void>): Promise<void> {
  const graph = await loadGraph(fixture.modelPath);
  const explainer: Explainer = createExplainer({ graph, registry: createRegistry([lrp]), composite });
  const input = tf.tidy(() => {
    const x = tf.tensor(fixture.input.data, fixture.input.shape as number[]);
    return tf.concat([x, tf.mul(tf.reverse(x, 2), 0.8)], 0);
  });
  const measure = createMeasure(explainer, input, { layer: 'logits', indices: [[7], [2]] }, { layers: ['input', ...LAYERS] });
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

async function hostOf(measure: RelevanceMeasure, layer: string): Promise<Float32Array> {
  const r = measure.relevance(layer);
  try {
    return (await r.data()) as Float32Array;
  } finally {
    r.dispose();
  }
}

async function keptMasses(measure: RelevanceMeasure, layers: readonly string[], ks: readonly number[]): Promise<number[][]> {
  const out: number[][] = [];
  for (const k of ks) out.push((await selectionHeatmap(measure, await selectLayers(measure, layers, { select: 'topk', value: k }))).keptMass);
  return out;
}

describe('selectUnits', () => {
  it('lists the units of the measure’s top-k / fraction / threshold sets, ranked, with their μ', async () => {
    await withVgg('epsilon-plus-flat', async (measure) => {
      const marginals = measure.channelMarginals('conv3');
      const mu = (await marginals.read()).value;
      marginals.dispose();
      const ranked = mu.map((row) => row.map((v, c) => ({ v, c })).sort((a, b) => b.v - a.v || a.c - b.c).map((p) => p.c));
      const cases: [SelectSpec, (n: number) => number[]][] = [
        [{ select: 'topk', value: 3 }, (n) => ranked[n]!.slice(0, 3)],
        [{ select: 'fraction', value: 0.5 }, (n) => ranked[n]!.slice(0, 8)],
        [{ select: 'threshold', value: 0.5 }, (n) => ranked[n]!.filter((c) => mu[n]![c]! >= 0.5 * Math.max(...mu[n]!.map(Math.abs)))],
      ];
      for (const [spec, expected] of cases) {
        const s = await selectUnits(measure, 'conv3', spec);
        expect(s.spec.unit).toBe('channel');
        expect(s.unitCount).toBe(16);
        for (let n = 0; n < 2; n++) {
          expect(s.units[n], `${spec.select} sample ${n}`).toEqual(expected(n));
          s.values[n]!.forEach((v, i) => expect(v).toBeCloseTo(mu[n]![s.units[n]![i]!]!, 6));
        }
        // The set masks exactly the listed channels.
        const mask = measure.mask(s.set);
        const data = await mask.data();
        mask.dispose();
        for (let n = 0; n < 2; n++) {
          const listed = new Set(s.units[n]);
          for (let c = 0; c < 16; c++) expect(data[n * 8 * 8 * 16 + 5 * 16 + c], `channel ${c}`).toBe(listed.has(c) ? 1 : 0);
        }
      }
      expect(ranked[0]).not.toEqual(ranked[1]);
    });
  });
  it('selects single neurons by flat index', async () => {
    await withVgg('epsilon-plus-flat', async (measure) => {
      const s = await selectUnits(measure, 'conv2', { select: 'topk', value: 10, unit: 'neuron' });
      const r = await hostOf(measure, 'conv2');
      const totals = measure.totals('conv2');
      const { total } = await totals.read();
      totals.dispose();
      const size = 16 * 16 * 8;
      for (let n = 0; n < 2; n++) {
        const sample = Array.from(r.subarray(n * size, (n + 1) * size));
        const top = sample.map((v, i) => ({ v, i })).sort((a, b) => b.v - a.v || a.i - b.i).slice(0, 10);
        expect(s.units[n]).toEqual(top.map((p) => p.i));
        s.values[n]!.forEach((v, i) => expect(v).toBeCloseTo(top[i]!.v / total[n]!, 6));
      }
    });
  });
  it('rejects a bad rule', async () => {
    await withVgg('epsilon-plus-flat', async (measure) => {
      await expect(selectUnits(measure, 'conv3', { select: 'topk', value: 17 })).rejects.toThrow(/more channels than the layer has/);
      await expect(selectUnits(measure, 'conv3', { select: 'fraction', value: 2 })).rejects.toThrow(/p in \[0, 1\]/);
      await expect(selectUnits(measure, 'conv3', { select: 'best' as 'topk', value: 1 })).rejects.toThrow(/select must be/);
      await expect(selectUnits(measure, 'nope', { select: 'topk', value: 1 })).rejects.toThrow(/Unknown layer 'nope'/);
    });
  });
});

describe('selectionHeatmap', () => {
  it('selecting every unit reproduces plain LRP exactly (the unconditioned input heatmap)', async () => {
    await withVgg('epsilon-plus-flat', async (measure) => {
      const plain = await hostOf(measure, 'input');
      const unconditioned = await selectionHeatmap(measure, []);
      expect(unconditioned.raw).toEqual(plain);
      const specs: SelectSpec[] = [
        { select: 'topk', value: 16 },
        { select: 'fraction', value: 1 },
        { select: 'threshold', value: -1 },
        { select: 'threshold', value: -1, unit: 'neuron' },
      ];
      for (const spec of specs) {
        const selections = await selectLayers(measure, LAYERS, spec);
        selections.forEach((s) => expect(s.units[0]).toHaveLength(s.unitCount));
        const all = await selectionHeatmap(measure, selections);
        expect(all.raw, `${spec.select} ${spec.unit ?? 'channel'}`).toEqual(plain);
        expect(all.heatmap).toEqual(unconditioned.heatmap);
        all.keptMass.forEach((m) => expect(m).toBeCloseTo(1, 6));
      }
      // A strict selection does change the heatmap, and its kept mass is Σ raw / Z_input.
      const some = await selectionHeatmap(measure, await selectLayers(measure, LAYERS, { select: 'topk', value: 2 }));
      expect(some.raw).not.toEqual(plain);
      for (let n = 0; n < 2; n++) {
        const size = plain.length / 2;
        const kept = some.raw.subarray(n * size, (n + 1) * size).reduce((a, b) => a + b, 0);
        expect(some.keptMass[n]).toBeCloseTo(kept / unconditioned.total[n]!, 5);
        expect(some.heatmap.subarray(n * size, (n + 1) * size).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
      }
    });
  });
  it('is the joint of the selections (a mask at every chosen layer)', async () => {
    await withVgg('epsilon-plus-flat', async (measure) => {
      const selections = await selectLayers(measure, LAYERS, { select: 'topk', value: 3 });
      const heat = await selectionHeatmap(measure, selections);
      // The same selection written as explicit per-sample channel sets, one joint per sample.
      for (let n = 0; n < 2; n++) {
        const explicit = measure.joint(allOf('input'), ...selections.map((s) => channels(s.layer, s.units[n]!)));
        const { value } = await explicit.read();
        explicit.dispose();
        expect(heat.keptMass[n]).toBeCloseTo(value[n]!, 6);
      }
    });
  });
});

describe('kept mass is monotone in k', () => {
  it('with z⁺ on every layer (all relevance ≥ 0): nondecreasing up to 1 at every unit', async () => {
    await withVgg(PLUS_FLAT, async (measure) => {
      for (const layer of ['input', ...LAYERS]) expect(Math.min(...(await hostOf(measure, layer))), layer).toBeGreaterThanOrEqual(0);
      const ks = Array.from({ length: 16 }, (_, i) => i + 1);
      const masses = await keptMasses(measure, LAYERS, ks);
      for (let n = 0; n < 2; n++) {
        for (let i = 1; i < ks.length; i++) expect(masses[i]![n]!, `k ${ks[i]} sample ${n}`).toBeGreaterThanOrEqual(masses[i - 1]![n]! - 1e-7);
        expect(masses[0]![n]!).toBeLessThan(0.5);
        expect(masses[15]![n]!).toBeCloseTo(1, 6);
      }
    });
  });
  it('under epsilon-plus-flat with conv1 alone (flat below): the cumulative marginals, rising while they are positive', async () => {
    await withVgg('epsilon-plus-flat', async (measure) => {
      const marginals = measure.channelMarginals('conv1');
      const mu = (await marginals.read()).value;
      marginals.dispose();
      const ks = [1, 2, 3, 4, 5, 6, 7, 8];
      const masses = await keptMasses(measure, ['conv1'], ks);
      const z = async (layer: string) => {
        const t = measure.totals(layer);
        const { total } = await t.read();
        t.dispose();
        return total;
      };
      const [z1, z0] = [await z('conv1'), await z('input')];
      // Sample 0 (the fixture) has only positive conv1 channels, so there it must rise at every k.
      expect(mu[0]!.every((v) => v > 0)).toBe(true);
      for (let n = 0; n < 2; n++) {
        const sorted = [...mu[n]!].sort((a, b) => b - a);
        let cumulative = 0;
        ks.forEach((k, i) => {
          cumulative += sorted[k - 1]!;
          expect(masses[i]![n]!, `k ${k}`).toBeCloseTo((cumulative * z1[n]!) / z0[n]!, 5);
          if (i > 0 && sorted[k - 1]! > 0) expect(masses[i]![n]!, `k ${k} sample ${n}`).toBeGreaterThan(masses[i - 1]![n]!);
          if (i > 0 && sorted[k - 1]! < -1e-3) expect(masses[i]![n]!, `k ${k} sample ${n}: a negative channel`).toBeLessThan(masses[i - 1]![n]!);
        });
      }
    });
  });
  it('can fail with negative relevance: epsilon-plus-flat at conv2 and conv3 (negative channels)', async () => {
    await withVgg('epsilon-plus-flat', async (measure) => {
      const masses = await keptMasses(measure, ['conv2', 'conv3'], Array.from({ length: 16 }, (_, i) => i + 1));
      const drops = masses.slice(1).filter((m, i) => m.some((v, n) => v < masses[i]![n]! - 1e-6));
      expect(drops.length).toBeGreaterThan(0);
    });
  });
});
