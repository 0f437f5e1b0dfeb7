/** Test support: small NRM IR graphs written by hand, seeded random inputs, and explainers on them. */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';
import { createExplainer, createRegistry, type Explainer, type Graph, type HostTensor, type IRNode } from '@nrm/core';
import { lrp } from '@nrm/rules-lrp';
import { mulberry32, uniform } from '@nrm/testkit';

/** A hand-written graph with the names of its layers of interest. */
export interface TestNet {
  readonly graph: Graph;
  /** Layer names bottom (input) to top (target), each a node id. */
  readonly layers: readonly string[];
  readonly inputShape: readonly number[];
  readonly target: string;
}

const host = (rng: () => number, shape: number[], low = -1, high = 1): HostTensor => ({
  shape,
  data: uniform(rng, shape.reduce((a, b) => a * b, 1), low, high),
});

function graphOf(nodes: IRNode[]): Graph {
  return { nodes, input: 'x', outputs: [nodes[nodes.length - 1]!.id], layers: Object.fromEntries(nodes.map((n) => [n.id, n.id])), warnings: [] };
}

/**
 * `x [w0] → d1 → r1 (relu) → d2 → r2 (relu) → … → out (dense, linear)`. `widths` = [w0, w1, …, out].
 * Biases in [-bias, bias].
 */
export function mlp(seed: number, widths: readonly number[], bias = 0.1): TestNet {
  const rng = mulberry32(seed);
  const nodes: IRNode[] = [{ id: 'x', op: 'input', inputs: [], attrs: { shape: [widths[0]!] }, outputShape: [widths[0]!] }];
  let previous = 'x';
  for (let i = 1; i < widths.length; i++) {
    const last = i === widths.length - 1;
    const id = last ? 'out' : `d${i}`;
    nodes.push({
      id,
      op: 'dense',
      inputs: [previous],
      attrs: {},
      outputShape: [widths[i]!],
      params: { kernel: host(rng, [widths[i - 1]!, widths[i]!]), bias: host(rng, [widths[i]!], -bias, bias) },
    });
    previous = id;
    if (!last) {
      nodes.push({ id: `r${i}`, op: 'relu', inputs: [id], attrs: {}, outputShape: [widths[i]!] });
      previous = `r${i}`;
    }
  }
  const layers = nodes.filter((n) => n.op !== 'dense' || n.id === 'out').map((n) => n.id);
  return { graph: graphOf(nodes), layers, inputShape: [widths[0]!], target: 'out' };
}

/**
 * `x [h, w, c0] → c1 conv3x3 same → r1 relu → c2 conv3x3 same → r2 relu → p maxpool 2/2 → f flatten → out dense`.
 */
export function convNet(seed: number, size: number, c0: number, c1: number, c2: number, classes: number): TestNet {
  const rng = mulberry32(seed);
  const conv = { strides: [1, 1] as [number, number], padding: 'same' as const, dilations: [1, 1] as [number, number] };
  const half = Math.floor(size / 2);
  const nodes: IRNode[] = [
    { id: 'x', op: 'input', inputs: [], attrs: { shape: [size, size, c0] }, outputShape: [size, size, c0] },
    { id: 'c1', op: 'conv2d', inputs: ['x'], attrs: conv, outputShape: [size, size, c1], params: { kernel: host(rng, [3, 3, c0, c1]), bias: host(rng, [c1], -0.1, 0.1) } },
    { id: 'r1', op: 'relu', inputs: ['c1'], attrs: {}, outputShape: [size, size, c1] },
    { id: 'c2', op: 'conv2d', inputs: ['r1'], attrs: conv, outputShape: [size, size, c2], params: { kernel: host(rng, [3, 3, c1, c2]), bias: host(rng, [c2], -0.1, 0.1) } },
    { id: 'r2', op: 'relu', inputs: ['c2'], attrs: {}, outputShape: [size, size, c2] },
    { id: 'p', op: 'maxPool2d', inputs: ['r2'], attrs: { poolSize: [2, 2], strides: [2, 2], padding: 'valid' }, outputShape: [half, half, c2] },
    { id: 'f', op: 'flatten', inputs: ['p'], attrs: {}, outputShape: [half * half * c2] },
    { id: 'out', op: 'dense', inputs: ['f'], attrs: {}, outputShape: [classes], params: { kernel: host(rng, [half * half * c2, classes]), bias: host(rng, [classes], -0.1, 0.1) } },
  ];
  return { graph: graphOf(nodes), layers: ['x', 'r1', 'r2', 'p', 'out'], inputShape: [size, size, c0], target: 'out' };
}

/**
 * A residual block: `x [s, s, c] → a conv → ra relu → b conv → sum = add(b, ra) → rs relu → g global avg → out dense`:
 * the skip `ra → sum` bypasses `b`.
 */
export function residualNet(seed: number, size = 4, c = 3, classes = 3): TestNet {
  const rng = mulberry32(seed);
  const conv = { strides: [1, 1] as [number, number], padding: 'same' as const, dilations: [1, 1] as [number, number] };
  const nodes: IRNode[] = [
    { id: 'x', op: 'input', inputs: [], attrs: { shape: [size, size, c] }, outputShape: [size, size, c] },
    { id: 'a', op: 'conv2d', inputs: ['x'], attrs: conv, outputShape: [size, size, c], params: { kernel: host(rng, [3, 3, c, c]), bias: host(rng, [c], -0.1, 0.1) } },
    { id: 'ra', op: 'relu', inputs: ['a'], attrs: {}, outputShape: [size, size, c] },
    { id: 'b', op: 'conv2d', inputs: ['ra'], attrs: conv, outputShape: [size, size, c], params: { kernel: host(rng, [3, 3, c, c]), bias: host(rng, [c], -0.1, 0.1) } },
    { id: 'sum', op: 'add', inputs: ['b', 'ra'], attrs: {}, outputShape: [size, size, c] },
    { id: 'rs', op: 'relu', inputs: ['sum'], attrs: {}, outputShape: [size, size, c] },
    { id: 'g', op: 'globalAvgPool2d', inputs: ['rs'], attrs: { keepDims: false }, outputShape: [c] },
    { id: 'out', op: 'dense', inputs: ['g'], attrs: {}, outputShape: [classes], params: { kernel: host(rng, [c, classes]), bias: host(rng, [classes], -0.1, 0.1) } },
  ];
  return { graph: graphOf(nodes), layers: ['x', 'ra', 'b', 'rs', 'out'], inputShape: [size, size, c], target: 'out' };
}

/** An explainer on a test net with the LRP plugin. */
export function explainerFor(net: TestNet, composite: string, options: { epsilon?: number } = {}): Explainer {
  return createExplainer({ graph: net.graph, registry: createRegistry([lrp]), composite, options });
}

/** The host data of {@link randomInput}, flat. */
export function randomInputData(seed: number, batch: number, shape: readonly number[], low = -1, high = 1): Float32Array {
  return uniform(mulberry32(seed), batch * shape.reduce((a, b) => a * b, 1), low, high);
}

/** A seeded random input `[batch, ...shape]` in `[low, high]`. */
export function randomInput(seed: number, batch: number, shape: readonly number[], low = -1, high = 1): Tensor {
  return tf.tensor(randomInputData(seed, batch, shape, low, high), [batch, ...shape]);
}

/** A seeded random integer in `[0, n)`. */
export function randomIndex(rng: () => number, n: number): number {
  return Math.min(n - 1, Math.floor(rng() * n));
}

/** `|a − b| ≤ tol · scale`, with a message. */
export function close(a: number, b: number, tol: number, scale = 1): boolean {
  return Math.abs(a - b) <= tol * Math.max(1, scale);
}
