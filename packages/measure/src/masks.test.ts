/** Neuron sets resolved to masks: static sets, combinations, per-sample sets and data-dependent selections. */
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpuBackend } from '@nrm/backend-cpu';
import {
  allOf,
  channelRegion,
  channels,
  complement,
  createMeasure,
  fractionCount,
  intersection,
  neurons,
  perSample,
  region,
  threshold,
  topFraction,
  topK,
  union,
  type NeuronSet,
  type RelevanceMeasure,
} from './index.js';
import { convNet, explainerFor, randomInput } from './testing/nets.js';

let measure: RelevanceMeasure;
let dispose: () => void;
beforeAll(async () => {
  await cpuBackend.setup();
  const net = convNet(5, 4, 2, 3, 3, 3);
  const explainer = explainerFor(net, 'epsilon-plus-flat');
  const input = randomInput(6, 2, net.inputShape, 0, 1);
  measure = createMeasure(explainer, input, { layer: 'out', indices: [[0], [2]] });
  dispose = () => {
    measure.dispose();
    explainer.dispose();
    input.dispose();
  };
});
afterAll(() => dispose());

async function maskOf(set: NeuronSet): Promise<{ shape: number[]; data: number[] }> {
  const t = measure.mask(set);
  const data = Array.from(await t.data());
  const shape = [...t.shape];
  t.dispose();
  return { shape, data };
}

/** Flat index of an NHWC index in a [4, 4, 3] layer. */
const at = (h: number, w: number, c: number) => (h * 4 + w) * 3 + c;

describe('static sets', () => {
  it('neurons, channels, regions and channel regions have the layer shape and the right ones', async () => {
    const n = await maskOf(neurons('r1', [[0, 1, 2], [3, 3, 0]]));
    expect(n.shape).toEqual([1, 4, 4, 3]);
    expect(n.data.reduce((a, b) => a + b, 0)).toBe(2);
    expect(n.data[at(0, 1, 2)]).toBe(1);
    expect(n.data[at(3, 3, 0)]).toBe(1);
    const c = await maskOf(channels('r1', [1]));
    expect(c.shape).toEqual([1, 4, 4, 3]);
    expect(c.data.filter((_, i) => i % 3 === 1).every((v) => v === 1)).toBe(true);
    expect(c.data.reduce((a, b) => a + b, 0)).toBe(16);
    const r = await maskOf(region('r1', { rows: [1, 3], cols: [0, 1] }));
    expect(r.data.reduce((a, b) => a + b, 0)).toBe(2 * 1 * 3);
    expect(r.data[at(1, 0, 0)]).toBe(1);
    expect(r.data[at(3, 0, 0)]).toBe(0);
    const cr = await maskOf(channelRegion('r1', [0, 2], { rows: [0, 2], cols: [2, 4] }));
    expect(cr.data.reduce((a, b) => a + b, 0)).toBe(2 * 2 * 2);
    expect(cr.data[at(1, 3, 2)]).toBe(1);
    expect(cr.data[at(1, 3, 1)]).toBe(0);
    const empty = await maskOf(region('r1', { rows: [2, 2], cols: [0, 4] }));
    expect(empty.data.every((v) => v === 0)).toBe(true);
  });

  it('combines sets of one layer: union, intersection, complement; two names of one node agree', async () => {
    const a = channels('r1', [0, 1]);
    const b = region('r1', { rows: [0, 1], cols: [0, 4] });
    const u = await maskOf(union(a, b));
    const i = await maskOf(intersection(a, b));
    const c = await maskOf(complement(a));
    expect(u.data.reduce((s, v) => s + v, 0)).toBe(32 + 4);
    expect(i.data.reduce((s, v) => s + v, 0)).toBe(8);
    expect(c.data.reduce((s, v) => s + v, 0)).toBe(16);
    // 'input' is an alias of the input node 'x'.
    const alias = await maskOf(union(neurons('input', [[0, 0, 0]]), neurons('x', [[0, 0, 1]])));
    expect(alias.data.reduce((s, v) => s + v, 0)).toBe(2);
    expect((await maskOf(allOf('input'))).shape).toEqual([1, 4, 4, 2]);
  });

  it('perSample stacks one set per sample', async () => {
    const m = await maskOf(perSample([channels('r1', [0]), channels('r1', [2])]));
    expect(m.shape).toEqual([2, 4, 4, 3]);
    expect(m.data[at(2, 2, 0)]).toBe(1);
    expect(m.data[48 + at(2, 2, 2)]).toBe(1);
    expect(m.data[48 + at(2, 2, 0)]).toBe(0);
  });
});

describe('data-dependent selections (per sample, ranked by signed relevance)', () => {
  it('topK, topFraction and threshold pick the highest units of each sample', async () => {
    const relevance = measure.relevance('r2');
    const rows = (await relevance.array()) as number[][][][];
    relevance.dispose();
    for (const unit of ['neuron', 'channel'] as const) {
      const scores = rows.map((sample) =>
        unit === 'neuron' ? sample.flat(2) : [0, 1, 2].map((c) => sample.flat().reduce((s, px) => s + px[c]!, 0)),
      );
      const k = 2;
      const top = await maskOf(topK('r2', k, { unit }));
      const fraction = await maskOf(topFraction('r2', 0.34, { unit }));
      const thresholded = await maskOf(threshold('r2', 0.5, { unit }));
      expect(top.shape).toEqual([2, 4, 4, 3]);
      scores.forEach((s, n) => {
        const units = s.length;
        const sorted = [...s].sort((a, b) => b - a);
        const unitMask = (mask: number[]) =>
          unit === 'neuron' ? mask.slice(n * 48, (n + 1) * 48) : [0, 1, 2].map((c) => mask[n * 48 + c]!);
        const picked = (mask: number[]) => s.filter((_, u) => unitMask(mask)[u] === 1);
        expect(picked(top.data).sort((a, b) => b - a)).toEqual(sorted.slice(0, k));
        expect(picked(fraction.data).length).toBe(fractionCount(0.34, units));
        expect(picked(fraction.data).sort((a, b) => b - a)).toEqual(sorted.slice(0, fractionCount(0.34, units)));
        const max = Math.max(...s.map(Math.abs));
        expect(picked(thresholded.data).sort((a, b) => b - a)).toEqual(sorted.filter((v) => v >= 0.5 * max));
      });
    }
    expect((await maskOf(topK('r2', 0))).data.every((v) => v === 0)).toBe(true);
    expect((await maskOf(topFraction('r2', 1))).data.every((v) => v === 1)).toBe(true);
  });

  it('counts a top fraction as ⌈p·U⌉ without floating-point surprises', () => {
    expect(fractionCount(0.3, 10)).toBe(3);
    expect(fractionCount(0.31, 10)).toBe(4);
    expect(fractionCount(0, 10)).toBe(0);
    expect(fractionCount(1, 7)).toBe(7);
    expect(fractionCount(0.1, 3)).toBe(1);
  });

  it('leaves no tensor behind', async () => {
    measure.prepare(['r1', 'r2', 'x']);
    const before = tf.memory().numTensors;
    for (const set of [topK('r2', 3, { unit: 'channel' }), threshold('r1', 0.1), union(channels('r1', [0]), topFraction('r1', 0.2)), perSample([allOf('x'), channels('x', [1])])]) {
      await maskOf(set);
      measure.marginal(set).dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
  });
});
