/**
 * The selection optimizer on vgg_tiny (epsilon-plus-flat, a batch of two): the whole error curve,
 * each point recomputed independently, and the smallest k under the tolerance.
 */
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpuBackend } from '@nrm/backend-cpu';
import { createExplainer, createRegistry } from '@nrm/core';
import { loadGraph } from '@nrm/graph';
import { lrp } from '@nrm/rules-lrp';
import { loadFixtureCase } from '@nrm/testkit';
import { channels, createMeasure, type RelevanceMeasure } from '../index.js';
import { mse, smape } from './metrics.js';
import { autoKValues, optimizeSelection } from './optimize.js';

const LAYERS = ['conv1', 'conv2', 'conv3'];
const fixture = loadFixtureCase('vgg_tiny');
let start = 0;
beforeAll(async () => {
  await cpuBackend.setup();
  start = tf.memory().numTensors;
});
afterAll(() => expect(tf.memory().numTensors).toBe(start));

async function withVgg(body: (measure: RelevanceMeasure) => Promise<void>): Promise<void> {
  const graph = await loadGraph(fixture.modelPath);
  const explainer = createExplainer({ graph, registry: createRegistry([lrp]), composite: 'epsilon-plus-flat' });
  const input = tf.tidy(() => {
    const x = tf.tensor(fixture.input.data, fixture.input.shape as number[]);
    return tf.concat([x, tf.mul(tf.reverse(x, 1), 0.9)], 0);
  });
  const measure = createMeasure(explainer, input, { layer: 'logits', indices: [[7], [1]] }, { layers: ['input', ...LAYERS] });
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

/** Sample n of a heatmap normalized to sum 1, computed from scratch with explicit channel sets. */
async function normalized(measure: RelevanceMeasure, n: number, k: number | null): Promise<Float64Array> {
  const given = [];
  if (k !== null) {
    for (const layer of LAYERS) {
      const m = measure.channelMarginals(layer);
      const row = (await m.read()).value[n]!;
      m.dispose();
      const top = row.map((v, c) => ({ v, c })).sort((a, b) => b.v - a.v || a.c - b.c).slice(0, k).map((p) => p.c);
      given.push(channels(layer, top));
    }
  }
  const heat = measure.conditionalHeatmap(given);
  const { raw } = await heat.read();
  heat.dispose();
  const size = raw.length / 2;
  const sample = Float64Array.from(raw.subarray(n * size, (n + 1) * size));
  const sum = sample.reduce((a, b) => a + b, 0);
  return sample.map((v) => v / sum);
}

describe('optimizeSelection', () => {
  it('returns the whole curve (auto: every k up to the widest layer) and the smallest k under the tolerance', async () => {
    await withVgg(async (measure) => {
      const result = await optimizeSelection(measure, LAYERS, { select: 'topk', values: 'auto', metric: 'smape', tolerance: 105 });
      expect(result.curve.map((p) => p.k)).toEqual(Array.from({ length: 16 }, (_, i) => i + 1));
      // Every point against an independent computation (k clamped to 8 at conv1 and conv2).
      for (const point of [result.curve[0]!, result.curve[4]!, result.curve[10]!]) {
        for (let n = 0; n < 2; n++) {
          const full = await normalized(measure, n, null);
          const selected = await normalized(measure, n, point.k);
          expect(point.perSample.mse[n]).toBeCloseTo(mse(full, selected), 9);
          expect(point.perSample.smape[n]).toBeCloseTo(smape(full, selected), 2);
        }
        expect(point.mse).toBeCloseTo((point.perSample.mse[0]! + point.perSample.mse[1]!) / 2, 12);
        expect(point.smape).toBeCloseTo((point.perSample.smape[0]! + point.perSample.smape[1]!) / 2, 9);
      }
      // k = 16 keeps every channel: no error, all the mass.
      const last = result.curve[15]!;
      expect(last.mse).toBe(0);
      expect(last.smape).toBe(0);
      expect(last.keptMass).toBeCloseTo(1, 6);
      expect(result.curve[0]!.smape).toBeGreaterThan(105);
      const passing = result.curve.filter((p) => p.smape <= 105).map((p) => p.k);
      expect(passing.length).toBeGreaterThan(1);
      expect(result.k).toBe(Math.min(...passing));
      expect(result).toMatchObject({ metric: 'smape', tolerance: 105 });
    });
  });
  it('picks the smallest k whose error is within the tolerance, for either metric, or null', async () => {
    await withVgg(async (measure) => {
      const values = [2, 4, 6, 8, 12, 16];
      const probe = await optimizeSelection(measure, LAYERS, { select: 'topk', values: [...values].reverse(), metric: 'mse', tolerance: 0 });
      expect(probe.curve.map((p) => p.k)).toEqual(values);
      expect(probe.k).toBe(16);
      for (const metric of ['mse', 'smape'] as const) {
        const errors = probe.curve.map((p) => p[metric]);
        for (const tolerance of [...errors].sort((a, b) => a - b)) {
          const r = await optimizeSelection(measure, LAYERS, { select: 'topk', values, metric, tolerance });
          const expected = values.find((_, i) => errors[i]! <= tolerance)!;
          expect(r.k, `${metric} ≤ ${tolerance}`).toBe(expected);
          expect(r.curve.map((p) => p[metric])).toEqual(errors);
        }
      }
      const none = await optimizeSelection(measure, LAYERS, { select: 'topk', values: [1, 2], metric: 'smape', tolerance: 1e-3 });
      expect(none.k).toBeNull();
      expect(none.curve).toHaveLength(2);
    });
  });
  it('rejects bad options', async () => {
    await withVgg(async (measure) => {
      await expect(optimizeSelection(measure, LAYERS, { select: 'topk', values: [0], metric: 'mse', tolerance: 1 })).rejects.toThrow(/integers k ≥ 1/);
      await expect(optimizeSelection(measure, LAYERS, { select: 'topk', values: [], metric: 'mse', tolerance: 1 })).rejects.toThrow(/at least one k/);
      await expect(optimizeSelection(measure, LAYERS, { select: 'topk', values: 'auto', metric: 'mse', tolerance: -1 })).rejects.toThrow(/tolerance/);
      await expect(optimizeSelection(measure, LAYERS, { select: 'topk', values: 'auto', metric: 'mae' as 'mse', tolerance: 1 })).rejects.toThrow(/metric/);
      await expect(optimizeSelection(measure, [], { select: 'topk', values: 'auto', metric: 'mse', tolerance: 1 })).rejects.toThrow(/at least one layer/);
    });
  });
});

describe('autoKValues', () => {
  it('is every k up to 64 units, a geometric grid above', () => {
    expect(autoKValues(3)).toEqual([1, 2, 3]);
    expect(autoKValues(64)).toHaveLength(64);
    expect(autoKValues(512)).toEqual([1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64, 96, 128, 192, 256, 384, 512]);
    expect(autoKValues(100)).toEqual([1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64, 96, 100]);
  });
});
