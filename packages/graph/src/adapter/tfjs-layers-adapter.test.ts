import { InvalidArgumentError, UnsupportedLayerError } from '@nrm/core';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { graphFromLayersModel } from '../load-graph.js';
import { useCpuBackend } from '../testing/cpu-backend.js';
import { graphProblems } from '../testing/graph-checks.js';
import { relativeError, runGraph } from '../testing/run-graph.js';
import { SUPPORTED_LAYER_CLASSES } from './supported-layers.js';
import { layersModelToGraph, tfjsLayersAdapter } from './tfjs-layers-adapter.js';

beforeAll(useCpuBackend);

type Sym = tfl.SymbolicTensor;
const apply = (layer: { apply: (x: Sym | Sym[]) => unknown }, x: Sym | Sym[]): Sym => layer.apply(x) as Sym;

/** Asserts that translating `model` throws an UnsupportedLayerError naming the layer, class, list and detail. */
function expectUnsupported(model: tfl.LayersModel, layerName: string, className: string, detail?: RegExp): void {
  let error: unknown;
  try {
    layersModelToGraph(model);
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(UnsupportedLayerError);
  const e = error as UnsupportedLayerError;
  expect(e.code).toBe('UNSUPPORTED_LAYER');
  expect(e.layerName).toBe(layerName);
  expect(e.className).toBe(className);
  expect(e.supported).toEqual(SUPPORTED_LAYER_CLASSES);
  expect(e.message).toContain(`Layer '${layerName}' of class ${className} is not supported`);
  expect(e.message).toContain(`supported classes: ${SUPPORTED_LAYER_CLASSES.join(', ')}`);
  if (detail) expect(e.message).toMatch(detail);
}

describe('tfjsLayersAdapter', () => {
  it('is a v1 GraphAdapter that recognizes LayersModels', () => {
    const model = tfl.sequential({ layers: [tfl.layers.dense({ units: 2, inputShape: [3] })] });
    expect(tfjsLayersAdapter).toMatchObject({ specificationVersion: 'v1', id: 'tfjs-layers' });
    expect(tfjsLayersAdapter.canAdapt(model)).toBe(true);
    expect(tfjsLayersAdapter.canAdapt({ layers: [] })).toBe(false);
    expect(tfjsLayersAdapter.canAdapt(null)).toBe(false);
  });

  it('translates a Sequential model with its implicit InputLayer; fused activations stay on the node', () => {
    const model = tfl.sequential({
      layers: [
        tfl.layers.dense({ name: 'd1', units: 4, inputShape: [3], activation: 'relu' }),
        tfl.layers.dropout({ name: 'drop', rate: 0.25 }),
        tfl.layers.dense({ name: 'd2', units: 2, useBias: false }),
      ],
    });
    const graph = layersModelToGraph(model);
    expect(graphProblems(graph)).toEqual([]);
    expect(graph.input).toBe('d1_input');
    expect(graph.nodes.map((n) => [n.id, n.op, n.inputs, n.outputShape, n.activation])).toEqual([
      ['d1_input', 'input', [], [3], undefined],
      ['d1', 'dense', ['d1_input'], [4], 'relu'],
      ['drop', 'dropout', ['d1'], [4], undefined],
      ['d2', 'dense', ['drop'], [2], undefined],
    ]);
    expect(graph.nodes[1]?.params?.kernel.shape).toEqual([3, 4]);
    expect(graph.nodes[3]?.params?.bias).toBeUndefined();
    expect(graph.nodes[1]?.source).toEqual({ name: 'd1', className: 'Dense' });
    expect(graph.layers).toEqual({ d1_input: 'd1_input', d1: 'd1', drop: 'drop', d2: 'd2' });
    expect(graph.outputs).toEqual(['d2']);
  });

  it('translates a Sequential model with an explicit InputLayer', () => {
    const model = tfl.sequential({
      layers: [tfl.layers.inputLayer({ name: 'pixels', inputShape: [4, 4, 1] }), tfl.layers.flatten({ name: 'flat' })],
    });
    const graph = layersModelToGraph(model);
    expect(graph.nodes.map((n) => n.id)).toEqual(['pixels', 'flat']);
    expect(graph.nodes[0]).toMatchObject({ op: 'input', attrs: { shape: [4, 4, 1] } });
  });

  it('copies parameters to the host and creates no tensors', () => {
    const model = tfl.sequential({ layers: [tfl.layers.dense({ name: 'd', units: 2, inputShape: [2] })] });
    const before = tf.memory().numTensors;
    const graph = layersModelToGraph(model);
    expect(tf.memory().numTensors).toBe(before);
    const kernel = graph.nodes[1]!.params!.kernel.data;
    const original = kernel[0];
    kernel[0] = 1234;
    expect(model.layers[0]!.getWeights()[0]!.dataSync()[0]).toBe(original);
  });

  it('keeps functional topology: Concatenate input order and a positive axis, Add, and every op computes as tfjs does', () => {
    const x = tfl.input({ shape: [8, 8, 3], name: 'x' });
    const padded = apply(tfl.layers.zeroPadding2d({ name: 'pad', padding: [[1, 1], [1, 1]] }), x);
    const dw = apply(tfl.layers.depthwiseConv2d({ name: 'dw', kernelSize: 3 }), padded);
    const relu = apply(tfl.layers.reLU({ name: 'relu' }), dw);
    const dil = apply(tfl.layers.conv2d({ name: 'dil', filters: 4, kernelSize: 3, padding: 'same', dilationRate: 2 }), relu);
    const avg = apply(tfl.layers.averagePooling2d({ name: 'avg', poolSize: 2 }), dil);
    const up = apply(tfl.layers.upSampling2d({ name: 'up', size: [2, 2] }), avg);
    const side = apply(tfl.layers.conv2d({ name: 'side', filters: 2, kernelSize: 1 }), x);
    const cat = apply(tfl.layers.concatenate({ name: 'cat' }), [up, side]);
    const tconv = apply(tfl.layers.conv2dTranspose({ name: 'tconv', filters: 2, kernelSize: 2, strides: 2 }), cat);
    const pool = apply(tfl.layers.maxPooling2d({ name: 'pool', poolSize: 2 }), tconv);
    const flat = apply(tfl.layers.flatten({ name: 'flat' }), apply(tfl.layers.reshape({ name: 'resh', targetShape: [8, 16] }), pool));
    const gap = apply(tfl.layers.globalAveragePooling2d({ name: 'gap' }), tconv);
    const gmp = apply(tfl.layers.globalMaxPooling2d({ name: 'gmp' }), tconv);
    const sum = apply(tfl.layers.add({ name: 'sum' }), [gmp, gap]);
    const head = apply(tfl.layers.concatenate({ name: 'head', axis: 1 }), [flat, sum]);
    const fc = apply(tfl.layers.dense({ name: 'fc', units: 3 }), head);
    const out = apply(tfl.layers.softmax({ name: 'probs' }), fc);
    const model = tfl.model({ inputs: x, outputs: out });

    const raw = layersModelToGraph(model);
    const byId = new Map(raw.nodes.map((n) => [n.id, n]));
    expect(byId.get('cat')).toMatchObject({ op: 'concat', inputs: ['up', 'side'], attrs: { axis: 3 }, outputShape: [8, 8, 6] });
    expect(byId.get('head')).toMatchObject({ inputs: ['flat', 'sum'], attrs: { axis: 1 }, outputShape: [130] });
    expect(byId.get('sum')?.inputs).toEqual(['gmp', 'gap']);
    expect(byId.get('resh')).toMatchObject({ op: 'reshape', attrs: { targetShape: [8, 16] } });
    expect(byId.get('dil')).toMatchObject({ attrs: { dilations: [2, 2], padding: 'same', strides: [1, 1] } });
    expect(byId.get('pad')).toMatchObject({ op: 'zeroPadding2d', attrs: { padding: [[1, 1], [1, 1]] }, outputShape: [10, 10, 3] });
    expect(byId.get('up')).toMatchObject({ op: 'upSampling2d', attrs: { size: [2, 2] } });
    expect(byId.get('probs')?.op).toBe('softmax');

    const graph = graphFromLayersModel(model);
    expect(graphProblems(graph)).toEqual([]);
    expect(graph.outputs).toEqual(['fc']);
    const input = tf.randomUniform([2, 8, 8, 3], -1, 1, 'float32', 5);
    const logits = runGraph(graph, input).get('fc')!;
    expect(relativeError(tf.softmax(logits), model.predict(input) as tf.Tensor)).toBeLessThan(1e-5);
  });
});

describe('tfjsLayersAdapter rejects what it cannot represent', () => {
  const image = (name = 'img') => tfl.input({ shape: [6, 6, 3], name });
  const single = (layer: { apply: (x: Sym) => unknown }, x: Sym = image()) => tfl.model({ inputs: x, outputs: layer.apply(x) as Sym });

  it('an unsupported class (LSTM)', () => {
    // The default orthogonal recurrent initializer needs tfjs' chained ops, which tfjs-core alone does not register.
    const x = tfl.input({ shape: [5, 3], name: 'seq' });
    expectUnsupported(single(tfl.layers.lstm({ name: 'rnn', units: 4, recurrentInitializer: 'glorotUniform' }), x), 'rnn', 'LSTM');
  });

  it('an unsupported class (SeparableConv2D)', () => {
    expectUnsupported(single(tfl.layers.separableConv2d({ name: 'sep', filters: 2, kernelSize: 3 })), 'sep', 'SeparableConv2D');
  });

  it('an unsupported class (LeakyReLU)', () => {
    expectUnsupported(single(tfl.layers.leakyReLU({ name: 'leaky' })), 'leaky', 'LeakyReLU');
  });

  it('an unsupported fused activation', () => {
    expectUnsupported(single(tfl.layers.conv2d({ name: 'c', filters: 2, kernelSize: 3, activation: 'tanh' })), 'c', 'Conv2D', /activation 'tanh'/);
    expectUnsupported(single(tfl.layers.activation({ name: 'a', activation: 'sigmoid' })), 'a', 'Activation', /activation 'sigmoid'/);
  });

  it('channels_first', () => {
    const x = image();
    const model = single(tfl.layers.maxPooling2d({ name: 'p', poolSize: 2, dataFormat: 'channelsFirst' }), x);
    expectUnsupported(model, 'p', 'MaxPooling2D', /channels_last/);
  });

  it('bilinear upsampling', () => {
    expectUnsupported(single(tfl.layers.upSampling2d({ name: 'u', interpolation: 'bilinear' })), 'u', 'UpSampling2D', /interpolation 'bilinear'/);
  });

  it('a ReLU with maxValue', () => {
    expectUnsupported(single(tfl.layers.reLU({ name: 'r6', maxValue: 6 })), 'r6', 'ReLU', /maxValue 6/);
  });

  it('dilation on a transposed conv', () => {
    const layer = tfl.layers.conv2dTranspose({ name: 't', filters: 2, kernelSize: 2 });
    const model = single(layer);
    (layer as unknown as { dilationRate: number[] }).dilationRate = [2, 2];
    expectUnsupported(model, 't', 'Conv2DTranspose', /dilation rate \[2,2\]/);
  });

  it('a model with two inputs', () => {
    const a = tfl.input({ shape: [3], name: 'a' });
    const b = tfl.input({ shape: [3], name: 'b' });
    const model = tfl.model({ inputs: [a, b], outputs: apply(tfl.layers.add({ name: 's' }), [a, b]) });
    expectUnsupported(model, 'b', 'InputLayer', /2 inputs/);
  });

  it('a shared layer', () => {
    const x = tfl.input({ shape: [3], name: 'x' });
    const shared = tfl.layers.dense({ name: 'shared', units: 3 });
    const model = tfl.model({ inputs: x, outputs: apply(shared, apply(shared, x)) });
    expectUnsupported(model, 'shared', 'Dense', /more than once/);
  });

  it('a nested model', () => {
    const inner = tfl.sequential({ name: 'inner', layers: [tfl.layers.dense({ units: 2, inputShape: [3] })] });
    const x = tfl.input({ shape: [3], name: 'x' });
    const model = tfl.model({ inputs: x, outputs: apply(inner, x) });
    expectUnsupported(model, 'inner', 'Sequential');
  });

  it('unknown spatial dimensions', () => {
    const x = tfl.input({ shape: [null, null, 3] as unknown as number[], name: 'any' });
    expectUnsupported(single(tfl.layers.conv2d({ name: 'c', filters: 2, kernelSize: 3 }), x), 'any', 'InputLayer', /unknown dimensions/);
  });

  it('Dense on an image', () => {
    expectUnsupported(single(tfl.layers.dense({ name: 'fc', units: 2 })), 'fc', 'Dense', /rank 1/);
  });

  it('an unbuilt Sequential', () => {
    expect(() => layersModelToGraph(tfl.sequential())).toThrow(InvalidArgumentError);
  });
});
