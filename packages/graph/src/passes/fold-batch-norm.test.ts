import type { Graph, IRNode } from '@nrm/core';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { layersModelToGraph } from '../adapter/tfjs-layers-adapter.js';
import { graphFromLayersModel } from '../load-graph.js';
import { useCpuBackend } from '../testing/cpu-backend.js';
import { graphProblems } from '../testing/graph-checks.js';
import { batchNorm, dense, graphOf, node, snapshot } from '../testing/graphs.js';
import { relativeError } from '../testing/run-graph.js';
import { foldBatchNorm } from './fold-batch-norm.js';

beforeAll(useCpuBackend);

type Layer = tfl.LayersModel['layers'][number];
type BnOptions = { scale?: boolean; center?: boolean };

let seed = 1;
/** Random weights for every layer; BN variances in [0.5, 2], everything else in [-1, 1]. */
function randomize(model: tfl.LayersModel): void {
  for (const layer of model.layers) {
    const values = layer.weights.map((w) => {
      const positive = w.originalName.endsWith('moving_variance');
      return tf.randomUniform(w.shape as number[], positive ? 0.5 : -1, positive ? 2 : 1, 'float32', seed++);
    });
    layer.setWeights(values);
    tf.dispose(values);
  }
}

/** input → `layer` → BatchNormalization, with random weights. */
function withBn(inputShape: number[], layer: Layer, bn: BnOptions = {}): tfl.LayersModel {
  const input = tfl.input({ shape: inputShape, name: 'x' });
  const y = tfl.layers.batchNormalization({ name: 'bn', epsilon: 1e-3, ...bn }).apply(layer.apply(input));
  const model = tfl.model({ inputs: input, outputs: y as tfl.SymbolicTensor });
  randomize(model);
  return model;
}

const tensor = (t: { shape: readonly number[]; data: Float32Array }): tf.Tensor => tf.tensor(t.data, [...t.shape]);

/** The single linear node left after folding, checked to carry the BN's layer name. */
function foldedNode(graph: Graph, id: string): IRNode {
  expect(graph.nodes.map((n) => n.id)).toEqual(['x', id]);
  expect(graph.layers).toEqual({ x: 'x', [id]: id, bn: id });
  const node = graph.nodes[1]!;
  expect(node.params?.bias).toBeDefined();
  return node;
}

/** The folded node computed with tfjs ops must match model.predict; the unfolded kernel must not. */
function expectExact(model: tfl.LayersModel, x: tf.Tensor, apply: (kernel: tf.Tensor) => tf.Tensor, node: IRNode): void {
  const expected = model.predict(x) as tf.Tensor;
  const folded = tf.add(apply(tensor(node.params!.kernel)), tensor(node.params!.bias!));
  expect(relativeError(folded, expected)).toBeLessThan(2e-6);
  const raw = layersModelToGraph(model).nodes[1]!;
  expect(relativeError(apply(tensor(raw.params!.kernel)), expected)).toBeGreaterThan(1e-2);
}

afterEach(() => tf.disposeVariables());

describe('foldBatchNorm is exact', () => {
  const x4 = () => tf.randomUniform([2, 7, 7, 3], -1, 1, 'float32', 99);

  it.each([true, false])('Conv2D (useBias %s) + BN', (useBias) => {
    const model = withBn([7, 7, 3], tfl.layers.conv2d({ name: 'conv', filters: 5, kernelSize: 3, strides: 2, padding: 'same', useBias }));
    const node = foldedNode(graphFromLayersModel(model), 'conv');
    expect(node).toMatchObject({ op: 'conv2d', outputShape: [4, 4, 5] });
    expectExact(model, x4(), (k) => tf.conv2d(x4() as tf.Tensor4D, k as tf.Tensor4D, 2, 'same'), node);
  });

  it('Dense + BN', () => {
    const model = withBn([6], tfl.layers.dense({ name: 'fc', units: 4 }));
    const x = tf.randomUniform([3, 6], -1, 1, 'float32', 7);
    const node = foldedNode(graphFromLayersModel(model), 'fc');
    expectExact(model, x, (k) => tf.matMul(x as tf.Tensor2D, k as tf.Tensor2D), node);
  });

  it('DepthwiseConv2D (multiplier 2) + BN', () => {
    const model = withBn([7, 7, 3], tfl.layers.depthwiseConv2d({ name: 'dw', kernelSize: 3, depthMultiplier: 2, padding: 'valid' }));
    const node = foldedNode(graphFromLayersModel(model), 'dw');
    expect(node.params?.kernel.shape).toEqual([3, 3, 3, 2]);
    expectExact(model, x4(), (k) => tf.depthwiseConv2d(x4() as tf.Tensor4D, k as tf.Tensor4D, 1, 'valid'), node);
  });

  it('Conv2DTranspose + BN (output channels on kernel axis 2)', () => {
    const model = withBn([7, 7, 3], tfl.layers.conv2dTranspose({ name: 'up', filters: 4, kernelSize: 3, strides: 2, padding: 'same' }));
    const node = foldedNode(graphFromLayersModel(model), 'up');
    expect(node.params?.kernel.shape).toEqual([3, 3, 4, 3]);
    expectExact(model, x4(), (k) => tf.conv2dTranspose(x4() as tf.Tensor4D, k as tf.Tensor4D, [2, 14, 14, 4], 2, 'same'), node);
  });

  it.each([
    { scale: false, center: true },
    { scale: true, center: false },
    { scale: false, center: false },
  ])('BN with %o', (bn) => {
    const model = withBn([7, 7, 3], tfl.layers.conv2d({ name: 'conv', filters: 4, kernelSize: 1 }), bn);
    const node = foldedNode(graphFromLayersModel(model), 'conv');
    const x = x4();
    const expected = model.predict(x) as tf.Tensor;
    const folded = tf.add(tf.conv2d(x as tf.Tensor4D, tensor(node.params!.kernel) as tf.Tensor4D, 1, 'valid'), tensor(node.params!.bias!));
    expect(relativeError(folded, expected)).toBeLessThan(2e-6);
  });
});

describe('foldBatchNorm on graphs', () => {
  it('folds per output channel, with fresh arrays, and remaps the BN layer', () => {
    const graph = graphOf([node('in', 'input', []), dense('fc', 'in'), batchNorm('bn', 'fc'), node('r', 'relu', ['bn'])]);
    const before = snapshot(graph);
    const folded = foldBatchNorm(graph);
    expect(graph).toEqual(before);
    expect(graphProblems(folded)).toEqual([]);
    expect(folded.nodes.map((n) => `${n.id}:${n.inputs.join('+')}`)).toEqual(['in:', 'fc:in', 'r:fc']);
    expect(folded.layers).toEqual({ in: 'in', fc: 'fc', bn: 'fc', r: 'r' });
    const fc = folded.nodes[1]!;
    expect(fc.params!.kernel.data).not.toBe(graph.nodes[1]!.params!.kernel.data);
    // kernel [4, 4] of 0.1, 0.2, …; scale [2, 3, 4, 5] on the output (last) axis; bias b·scale + 1.
    expect([...fc.params!.kernel.data.slice(0, 4)]).toEqual([0.2, 0.6, 1.2, 2].map(Math.fround));
    expect([...fc.params!.bias!.data]).toEqual([1.2, 1.6, 2.2, 3].map((v) => Math.fround(v)));
  });

  it('folds a chain of two BNs, and a BN into an unfolded batchNorm', () => {
    const graph = graphOf([node('in', 'input', []), dense('fc', 'in'), batchNorm('bn1', 'fc'), batchNorm('bn2', 'bn1')]);
    const folded = foldBatchNorm(graph);
    expect(folded.nodes.map((n) => n.id)).toEqual(['in', 'fc']);
    expect(folded.outputs).toEqual(['fc']);
    expect(folded.layers).toMatchObject({ bn1: 'fc', bn2: 'fc' });
    expect(folded.nodes[1]!.params!.kernel.data[0]).toBeCloseTo(0.1 * 2 * 2, 6);
  });

  it('keeps a BN after a pending ReLU, after a node with other consumers, after a graph output, or after a non-linear node', () => {
    const cases: Graph[] = [
      graphOf([node('in', 'input', []), dense('fc', 'in', { activation: 'relu' }), batchNorm('bn', 'fc')]),
      graphOf([node('in', 'input', []), dense('fc', 'in'), batchNorm('bn', 'fc'), node('sum', 'add', ['bn', 'fc'])]),
      graphOf([node('in', 'input', []), dense('fc', 'in'), batchNorm('bn', 'fc')], ['fc', 'bn']),
      graphOf([node('in', 'input', []), node('r', 'relu', ['in']), batchNorm('bn', 'r')]),
    ];
    for (const graph of cases) {
      const folded = foldBatchNorm(graph);
      expect(folded.nodes.map((n) => n.op)).toContain('batchNorm');
      expect(folded).toEqual(graph);
    }
  });
});
