/**
 * Small one-node graphs on which a rule is checked: the node under test is `node`; its inputs are
 * the graph input (or, for Add, two per-channel affine nodes so that the summands differ).
 */
import type { Graph, HostTensor, IRNode, OpKind } from '@nrm/core';
import { uniform } from './random.js';

/** Names of the built-in scenarios. */
export type ScenarioName =
  | 'dense'
  | 'conv2d-same'
  | 'conv2d-valid-stride2'
  | 'conv2d-dilated'
  | 'conv2d-transpose'
  | 'depthwise-conv2d'
  | 'batch-norm'
  | 'add'
  | 'avg-pool'
  | 'global-avg-pool'
  | 'relu'
  | 'max-pool-overlapping'
  | 'global-max-pool';

/** A scenario graph and the id of the node under test. */
export interface Scenario {
  readonly name: ScenarioName;
  readonly graph: Graph;
  readonly node: string;
  /** Input shape with the batch axis. */
  readonly inputShape: readonly number[];
}

const host = (rng: () => number, shape: number[], low = -1, high = 1): HostTensor => ({
  shape,
  data: uniform(rng, shape.reduce((a, b) => a * b, 1), low, high),
});

function graphOf(nodes: IRNode[], node: string): Graph {
  return {
    nodes,
    input: 'x',
    outputs: [node],
    layers: Object.fromEntries(nodes.map((n) => [n.id, n.id])),
    warnings: [],
  };
}

function input(shape: number[]): IRNode {
  return { id: 'x', op: 'input', inputs: [], attrs: { shape }, outputShape: shape };
}

function single(op: OpKind, inShape: number[], outShape: number[], attrs: object, params?: IRNode['params']): IRNode[] {
  return [input(inShape), { id: 'node', op, inputs: ['x'], attrs, outputShape: outShape, params } as IRNode];
}

/** Builds a scenario with seeded random parameters (`biasFree` zeroes the biases). */
export function buildScenario(name: ScenarioName, rng: () => number, biasFree = false): Scenario {
  const bias = (n: number) => (biasFree ? { shape: [n], data: new Float32Array(n) } : host(rng, [n], -0.5, 0.5));
  const conv = { dilations: [1, 1] as [number, number] };
  let nodes: IRNode[];
  let inputShape: number[];
  switch (name) {
    case 'dense':
      inputShape = [2, 6];
      nodes = single('dense', [6], [5], {}, { kernel: host(rng, [6, 5]), bias: bias(5) });
      break;
    case 'conv2d-same':
      inputShape = [1, 5, 5, 2];
      nodes = single('conv2d', [5, 5, 2], [5, 5, 3], { ...conv, strides: [1, 1], padding: 'same' }, { kernel: host(rng, [3, 3, 2, 3]), bias: bias(3) });
      break;
    case 'conv2d-valid-stride2':
      inputShape = [1, 7, 8, 2];
      nodes = single('conv2d', [7, 8, 2], [3, 3, 2], { ...conv, strides: [2, 2], padding: 'valid' }, { kernel: host(rng, [3, 3, 2, 2]), bias: bias(2) });
      break;
    case 'conv2d-dilated':
      inputShape = [1, 6, 6, 1];
      nodes = single('conv2d', [6, 6, 1], [6, 6, 2], { strides: [1, 1], padding: 'same', dilations: [2, 2] }, { kernel: host(rng, [3, 3, 1, 2]), bias: bias(2) });
      break;
    case 'conv2d-transpose':
      inputShape = [1, 3, 3, 2];
      nodes = single('conv2dTranspose', [3, 3, 2], [6, 6, 3], { strides: [2, 2], padding: 'same' }, { kernel: host(rng, [3, 3, 3, 2]), bias: bias(3) });
      break;
    case 'depthwise-conv2d':
      inputShape = [1, 5, 5, 2];
      nodes = single('depthwiseConv2d', [5, 5, 2], [5, 5, 4], { ...conv, strides: [1, 1], padding: 'same' }, { kernel: host(rng, [3, 3, 2, 2]), bias: bias(4) });
      break;
    case 'batch-norm':
      inputShape = [1, 3, 3, 2];
      nodes = single('batchNorm', [3, 3, 2], [3, 3, 2], {}, { kernel: host(rng, [2], 0.5, 1.5), bias: bias(2) });
      break;
    case 'add': {
      inputShape = [1, 3, 3, 2];
      const affine = (id: string): IRNode => ({
        id,
        op: 'batchNorm',
        inputs: ['x'],
        attrs: {},
        outputShape: [3, 3, 2],
        params: { kernel: host(rng, [2], -1.5, 1.5), bias: host(rng, [2], -0.5, 0.5) },
      });
      nodes = [input([3, 3, 2]), affine('a'), affine('b'), { id: 'node', op: 'add', inputs: ['a', 'b'], attrs: {}, outputShape: [3, 3, 2] }];
      break;
    }
    case 'avg-pool':
      inputShape = [1, 5, 5, 2];
      nodes = single('avgPool2d', [5, 5, 2], [3, 3, 2], { poolSize: [3, 3], strides: [2, 2], padding: 'same' });
      break;
    case 'global-avg-pool':
      inputShape = [1, 3, 4, 2];
      nodes = single('globalAvgPool2d', [3, 4, 2], [2], { keepDims: false });
      break;
    case 'relu':
      inputShape = [2, 7];
      nodes = single('relu', [7], [7], {});
      break;
    case 'max-pool-overlapping':
      inputShape = [1, 7, 7, 2];
      nodes = single('maxPool2d', [7, 7, 2], [3, 3, 2], { poolSize: [3, 3], strides: [2, 2], padding: 'valid' });
      break;
    case 'global-max-pool':
      inputShape = [1, 3, 3, 2];
      nodes = single('globalMaxPool2d', [3, 3, 2], [2], { keepDims: false });
      break;
  }
  return { name, graph: graphOf(nodes, 'node'), node: 'node', inputShape };
}

/** Scenarios whose node is a linear map (so a matrix form exists). */
export const LINEAR_SCENARIOS: readonly ScenarioName[] = [
  'dense',
  'conv2d-same',
  'conv2d-valid-stride2',
  'conv2d-dilated',
  'conv2d-transpose',
  'depthwise-conv2d',
  'batch-norm',
];
