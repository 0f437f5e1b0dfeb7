/** NaN and flags instead of ±Inf, empty sets, and typed errors for every misuse. */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { cpuBackend } from '@nrm/backend-cpu';
import { InvalidArgumentError, NrmError, ShapeMismatchError, TargetOutOfRangeError, UnknownLayerError, type Graph } from '@nrm/core';
import {
  allOf,
  channels,
  createMeasure,
  intersection,
  LayerMismatchError,
  neurons,
  NotBelowTargetError,
  perSample,
  region,
  regionTarget,
  threshold,
  topFraction,
  topK,
  union,
} from './index.js';
import { convNet, explainerFor, mlp, randomInput, type TestNet } from './testing/nets.js';

beforeAll(() => cpuBackend.setup());

/** Reads a result and frees it. */
async function once<T>(result: { read(): Promise<T>; dispose(): void }): Promise<T> {
  try {
    return await result.read();
  } finally {
    result.dispose();
  }
}

/** The conv net with channel `c` of `c1` dead (bias −100): its relevance at `r1` is exactly 0. */
function withDeadChannel(net: TestNet, c: number): TestNet {
  const nodes = net.graph.nodes.map((n) => {
    if (n.id !== 'c1' || !n.params?.bias) return n;
    const bias = Float32Array.from(n.params.bias.data);
    bias[c] = -100;
    return { ...n, params: { ...n.params, bias: { shape: n.params.bias.shape, data: bias } } };
  }) as Graph['nodes'];
  return { ...net, graph: { ...net.graph, nodes } };
}

function setup(net: TestNet, composite: string, target = { layer: 'out', indices: [[0], [1]] as number[][] }, options = {}) {
  const explainer = explainerFor(net, composite, options);
  const input = randomInput(9, 2, net.inputShape, 0, 1);
  const measure = createMeasure(explainer, input, target);
  return {
    measure,
    explainer,
    input,
    dispose() {
      measure.dispose();
      explainer.dispose();
      input.dispose();
    },
  };
}

describe('flags', () => {
  it('given-zero: conditioning on a dead ReLU channel gives NaN and a flag, never ±Inf', async () => {
    const start = tf.memory().numTensors;
    const s = setup(withDeadChannel(convNet(21, 4, 2, 3, 3, 3), 1), 'epsilon-plus-flat');
    const marginal = await once(s.measure.marginal(channels('r1', [1])));
    expect(marginal.value).toEqual([0, 0]);
    const cond = s.measure.conditional(allOf('x'), channels('r1', [1]));
    const data = await cond.read();
    expect(data.value.every(Number.isNaN)).toBe(true);
    expect(data.given).toEqual([0, 0]);
    expect(data.flags.filter((f) => f.kind === 'given-zero')).toEqual([
      { sample: 0, kind: 'given-zero', layer: 'r1' },
      { sample: 1, kind: 'given-zero', layer: 'r1' },
    ]);
    // A walk through it: the conditional heatmap is NaN with both flags; the mass is 0.
    const heatmap = s.measure.walkHeatmap({ layers: ['r1', 'r2'], channels: [1, 0] });
    const h = await heatmap.read();
    expect(Array.from(h.heatmap).every(Number.isNaN)).toBe(true);
    expect(Array.from(h.raw).every((v) => v === 0)).toBe(true);
    expect(h.mass).toEqual([0, 0]);
    expect(new Set(h.flags.map((f) => f.kind))).toEqual(new Set(['heatmap-zero', 'given-zero']));
    // Flows: the dead channel's column is 0 and no top walk goes through it above the lowest layer.
    const flows = s.measure.flows(['x', 'r1', 'r2'], { topK: 50 });
    const f = await flows.read();
    expect(f.pairs[0]!.J.every((sample) => sample.every((row) => row[1] === 0))).toBe(true);
    expect(f.walks.every((walks) => walks.length > 0 && walks.every((w) => w.channels[1] !== 1 && Number.isFinite(w.score)))).toBe(true);
    [cond, heatmap, flows].forEach((r) => r.dispose());
    s.dispose();
    expect(tf.memory().numTensors).toBe(start);
  });

  it('given-negative: a negative given is flagged and the conditional keeps its (flipped) sign', async () => {
    const s = setup(mlp(4, [4, 6, 4, 2]), 'epsilon', { layer: 'out', indices: [[0], [1]] }, { epsilon: 0.01 });
    const relevance = s.measure.relevance('r1');
    const rows = (await relevance.array()) as number[][];
    relevance.dispose();
    const totals = await once(s.measure.totals('r1'));
    const negative = rows[0]!.findIndex((r) => r / totals.total[0]! < -1e-3);
    expect(negative, 'a neuron with negative measure').toBeGreaterThanOrEqual(0);
    const cond = s.measure.conditional(allOf('x'), neurons('r1', [[negative]]));
    const data = await cond.read();
    expect(data.given[0]).toBeLessThan(0);
    expect(data.flags).toContainEqual({ sample: 0, kind: 'given-negative', layer: 'r1' });
    expect(data.value[0]).toBeCloseTo(data.joint[0]! / data.given[0]!, 5);
    expect(Number.isFinite(data.value[0]!)).toBe(true);
    cond.dispose();
    s.dispose();
  });

  it('total-zero: a zero seed leaves nothing to normalize: NaN and flags everywhere', async () => {
    const net = mlp(3, [3, 4, 2]);
    const explainer = explainerFor(net, 'epsilon');
    const input = randomInput(1, 1, net.inputShape);
    const seed = tf.zeros([1, 2]);
    const measure = createMeasure(explainer, input, { layer: 'out', seed });
    const value = await once(measure.marginal(allOf('x')));
    expect(value.value[0]).toBeNaN();
    expect(value.flags).toEqual([{ sample: 0, kind: 'total-zero', layer: 'x' }]);
    const cond = await once(measure.conditional(allOf('x'), allOf('r1')));
    expect(cond.value[0]).toBeNaN();
    expect(cond.flags.map((f) => f.kind).sort()).toEqual(['given-zero', 'total-zero', 'total-zero']);
    tf.dispose(seed);
    measure.dispose();
    explainer.dispose();
    input.dispose();
  });
});

describe('empty sets', () => {
  it('have measure exactly 0; a conditional on one is NaN with given-zero', async () => {
    const s = setup(convNet(2, 4, 1, 2, 2, 2), 'epsilon-plus-flat');
    for (const empty of [neurons('r1', []), channels('r2', []), intersection(channels('r1', [0]), channels('r1', [1])), topK('r2', 0), topFraction('r2', 0), region('r1', { rows: [1, 1], cols: [0, 4] })]) {
      const v = await once(s.measure.marginal(empty));
      expect(v.value.map(Math.abs)).toEqual([0, 0]);
      const joint = await once(s.measure.joint(allOf('x'), empty));
      expect(joint.value.map(Math.abs)).toEqual([0, 0]);
      const cond = await once(s.measure.conditional(allOf('x'), empty));
      expect(cond.value.every(Number.isNaN)).toBe(true);
      expect(cond.flags.filter((f) => f.kind === 'given-zero').map((f) => f.sample)).toEqual([0, 1]);
    }
    s.dispose();
  });
});

describe('typed errors', () => {
  it('rejects bad sets, layers and arguments with typed errors naming the layer and shape, leaking nothing', async () => {
    const net = convNet(2, 4, 1, 2, 2, 2);
    const explainer = explainerFor(net, 'epsilon-plus-flat');
    const input = randomInput(9, 2, net.inputShape, 0, 1);
    // A target inside the net: 'r2' at two positions; layers above it are rejected.
    const measure = createMeasure(explainer, input, { layer: 'r2', indices: [[1, 1, 0], [2, 3, 1]] });
    measure.prepare(['x', 'r1', 'r2']);
    measure.marginal(allOf('r1')).dispose();
    measure.joint(allOf('x'), allOf('r1')).dispose();
    const before = tf.memory().numTensors;
    const m = measure;
    expect(() => m.marginal(allOf('nope'))).toThrow(UnknownLayerError);
    expect(() => m.marginal(allOf('nope'))).toThrow(/Unknown layer 'nope'; the model has: x, c1, r1/);
    expect(() => m.marginal(union(channels('r1', [0]), channels('r2', [0])))).toThrow(LayerMismatchError);
    expect(() => m.marginal(union(channels('r1', [0]), channels('r2', [0])))).toThrow(/same layer.*'r1' and 'r2'/);
    expect(() => m.marginal(perSample([channels('r1', [0]), channels('x', [0])]))).toThrow(LayerMismatchError);
    expect(() => m.marginal(allOf('out'))).toThrow(NotBelowTargetError);
    expect(() => m.marginal(allOf('p'))).toThrow(/not below the target layer 'r2'/);
    expect(() => m.joint(allOf('x'), channels('out', [0]))).toThrow(NotBelowTargetError);
    expect(() => m.conditional(allOf('x'), allOf('out'))).toThrow(NotBelowTargetError);
    expect(() => m.flows(['r1', 'out'])).toThrow(NotBelowTargetError);
    expect(() => m.marginal(neurons('r1', [[4, 0, 0]]))).toThrow(TargetOutOfRangeError);
    expect(() => m.marginal(neurons('r1', [[4, 0, 0]]))).toThrow(/\[4, 0, 0\] is out of range for layer 'r1' with output shape \[4, 4, 2\]/);
    expect(() => m.marginal(neurons('r1', [[1, 1]]))).toThrow(InvalidArgumentError);
    expect(() => m.marginal(neurons('r1', [[1, 1]]))).toThrow(/has 2 axes but layer 'r1' with output shape \[4, 4, 2\]/);
    expect(() => m.marginal(channels('r1', [2]))).toThrow(TargetOutOfRangeError);
    expect(() => m.marginal(channels('r1', [0.5]))).toThrow(TargetOutOfRangeError);
    expect(() => m.marginal(region('r1', { rows: [0, 5], cols: [0, 1] }))).toThrow(TargetOutOfRangeError);
    expect(() => m.marginal(region('r1', { rows: [2, 1], cols: [0, 1] }))).toThrow(/half-open/);
    expect(() => m.marginal(topK('r1', 33))).toThrow(InvalidArgumentError);
    expect(() => m.marginal(perSample([channels('r1', [0])]))).toThrow(/1 sets for a batch of 2/);
    expect(() => m.joint()).toThrow(InvalidArgumentError);
    expect(() => m.conditional(allOf('x'))).toThrow(InvalidArgumentError);
    expect(() => m.conditionalHeatmap([channels('r1', [0])], { layer: 'r2' })).toThrow(/at or below every given event/);
    expect(() => m.flows(['r1'])).toThrow(/at least two layers/);
    expect(() => m.flows(['x', 'input'])).toThrow(/twice/);
    expect(() => m.flows(['x', 'r1'], { topK: -1 })).toThrow(InvalidArgumentError);
    expect(() => m.walkHeatmap({ layers: ['r1', 'r2'], channels: [0] })).toThrow(/one channel per layer/);
    expect(() => m.walkHeatmap([{ layers: ['r1'], channels: [0] }])).toThrow(/1 walks for a batch of 2/);
    expect(() => m.stays([])).toThrow(InvalidArgumentError);
    expect(tf.memory().numTensors, 'errors leak nothing').toBe(before);
    // Every error is an NrmError with a stable code.
    try {
      m.marginal(union(channels('r1', [0]), channels('r2', [0])));
    } catch (error) {
      expect(error).toBeInstanceOf(NrmError);
      expect((error as NrmError).code).toBe('INVALID_ARGUMENT');
    }
    measure.dispose();
    expect(() => measure.marginal(allOf('r1'))).toThrow(/disposed/);
    // Mismatched shapes: the input, an explicit seed, a region target's output.
    const bad = tf.zeros([1, 3, 3, 1]);
    const wrongInput = createMeasure(explainer, bad, { layer: 'out', indices: [[0]] });
    expect(() => wrongInput.marginal(allOf('x'))).toThrow(ShapeMismatchError);
    wrongInput.dispose();
    const seed = tf.zeros([2, 5]);
    const wrongSeed = createMeasure(explainer, input, { layer: 'out', seed });
    expect(() => wrongSeed.marginal(allOf('x'))).toThrow(ShapeMismatchError);
    wrongSeed.dispose();
    expect(() => regionTarget('out', { rows: [0, 1], cols: [0, 1] }, seed)).toThrow(/\[N, H, W, C\]/);
    expect(() => createMeasure(explainer, input, { layer: 'nope', indices: [[0]] })).toThrow(UnknownLayerError);
    tf.dispose([bad, seed]);
    explainer.dispose();
    input.dispose();
  });

  it('rejects bad selections when they are built', () => {
    expect(() => topK('r1', -1)).toThrow(InvalidArgumentError);
    expect(() => topK('r1', 1.5)).toThrow(InvalidArgumentError);
    expect(() => topFraction('r1', 1.5)).toThrow(/p in \[0, 1\]/);
    expect(() => threshold('r1', Number.NaN)).toThrow(InvalidArgumentError);
    expect(() => topK('r1', 2, { unit: 'pixel' as never })).toThrow(/'neuron' or 'channel'/);
    expect(() => union()).toThrow(/at least one set/);
  });
});
