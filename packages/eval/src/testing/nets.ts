/** Test support: small hand-written IR graphs, seeded data, an edge detector and a cpu registry. */
import { createRegistry, type Graph, type HostTensor, type IRNode, type Registry } from '@nrm/core';
import { cpu } from '@nrm/backend-cpu';
import { gradientMethods } from '@nrm/rules-gradient';
import { lrp } from '@nrm/rules-lrp';
import { seededRandom } from '../random.js';

/** The registry of the tests: LRP, gradient methods, the cpu backend. */
export function testRegistry(): Registry {
  return createRegistry([lrp, gradientMethods, cpu]);
}

/** `count` seeded uniform values in `[low, high)`. */
export function uniformData(seed: number, count: number, low = 0, high = 1): Float32Array {
  const random = seededRandom(seed);
  return Float32Array.from({ length: count }, () => low + (high - low) * random());
}

const host = (seed: number, shape: number[], low = -1, high = 1): HostTensor => ({
  shape,
  data: uniformData(seed, shape.reduce((a, b) => a * b, 1), low, high),
});

/** `x [h, w, 1] → flatten → out = Σ w_i x_i` (dense to one unit, no bias). */
export function linearGraph(weights: Float32Array, h: number, w: number): Graph {
  const nodes: IRNode[] = [
    { id: 'x', op: 'input', inputs: [], attrs: { shape: [h, w, 1] }, outputShape: [h, w, 1] },
    { id: 'f', op: 'flatten', inputs: ['x'], attrs: {}, outputShape: [h * w] },
    { id: 'out', op: 'dense', inputs: ['f'], attrs: {}, outputShape: [1], params: { kernel: { shape: [h * w, 1], data: weights } } },
  ];
  return { nodes, input: 'x', outputs: ['out'], layers: Object.fromEntries(nodes.map((n) => [n.id, n.id])), warnings: [] };
}

/**
 * `x [s, s, 1] → c1 conv 3×3 (4) → r1 relu → c2 conv 3×3 (6) → r2 relu → p maxpool 2 → f flatten
 * → d dense 8 → r3 relu → out dense (classes)`, seeded weights, biases in `[-bias, bias]` (0: none).
 */
export function convNet(seed: number, size = 8, classes = 3, bias = 0.05): Graph {
  const conv = { strides: [1, 1] as [number, number], padding: 'same' as const, dilations: [1, 1] as [number, number] };
  const half = size / 2;
  const b = (k: number, n: number): HostTensor | undefined => (bias > 0 ? host(seed + k, [n], -bias, bias) : undefined);
  const params = (k: number, shape: number[], n: number, scale: number) => {
    const kernel = host(seed + 10 * k, shape, -scale, scale);
    const bb = b(10 * k + 1, n);
    return bb ? { kernel, bias: bb } : { kernel };
  };
  const nodes: IRNode[] = [
    { id: 'x', op: 'input', inputs: [], attrs: { shape: [size, size, 1] }, outputShape: [size, size, 1] },
    { id: 'c1', op: 'conv2d', inputs: ['x'], attrs: conv, outputShape: [size, size, 4], params: params(1, [3, 3, 1, 4], 4, 0.6) },
    { id: 'r1', op: 'relu', inputs: ['c1'], attrs: {}, outputShape: [size, size, 4] },
    { id: 'c2', op: 'conv2d', inputs: ['r1'], attrs: conv, outputShape: [size, size, 6], params: params(2, [3, 3, 4, 6], 6, 0.4) },
    { id: 'r2', op: 'relu', inputs: ['c2'], attrs: {}, outputShape: [size, size, 6] },
    { id: 'p', op: 'maxPool2d', inputs: ['r2'], attrs: { poolSize: [2, 2], strides: [2, 2], padding: 'valid' }, outputShape: [half, half, 6] },
    { id: 'f', op: 'flatten', inputs: ['p'], attrs: {}, outputShape: [half * half * 6] },
    { id: 'd', op: 'dense', inputs: ['f'], attrs: {}, outputShape: [8], params: params(3, [half * half * 6, 8], 8, 0.3) },
    { id: 'r3', op: 'relu', inputs: ['d'], attrs: {}, outputShape: [8] },
    { id: 'out', op: 'dense', inputs: ['r3'], attrs: {}, outputShape: [classes], params: params(4, [8, classes], classes, 0.5) },
  ];
  return { nodes, input: 'x', outputs: ['out'], layers: Object.fromEntries(nodes.map((n) => [n.id, n.id])), warnings: [] };
}
