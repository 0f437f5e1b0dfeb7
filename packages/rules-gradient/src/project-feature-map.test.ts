import * as tf from '@tensorflow/tfjs-core';
import type { Tensor, Tensor4D } from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpu, cpuBackend } from '@nrm/backend-cpu';
import { wasm, wasmBackend } from '@nrm/backend-wasm';
import { createExplainer, createRegistry, type Graph, type HostTensor, type IRNode } from '@nrm/core';
import { mulberry32, uniform } from '@nrm/testkit';
import { gradientMethods } from './index.js';
import { featureMapSeed } from './feature-map-seed.js';
import { projectFeatureMap } from './project-feature-map.js';

beforeAll(() => cpuBackend.setup());
afterAll(() => cpuBackend.setup());

const registry = createRegistry([gradientMethods, cpu, wasm]);
const host = (rng: () => number, shape: number[], low = -1, high = 1): HostTensor => ({
  shape,
  data: uniform(rng, shape.reduce((a, b) => a * b, 1), low, high),
});
const conv = (id: string, input: string, outputShape: number[], kernel: HostTensor, bias: HostTensor | undefined, strides: number, padding: 'same' | 'valid'): IRNode => ({
  id,
  op: 'conv2d',
  inputs: [input],
  attrs: { strides: [strides, strides], padding, dilations: [1, 1] },
  outputShape,
  params: bias ? { kernel, bias } : { kernel },
});
const relu = (id: string, input: string, outputShape: number[]): IRNode => ({ id, op: 'relu', inputs: [input], attrs: {}, outputShape });
/** A graph as `@nrm/graph` makes it: a fused ReLU is split, `L/preact` → `L` (the layer name names the ReLU's output). */
const graphOf = (nodes: IRNode[], layers: string[]): Graph => ({
  nodes,
  input: 'x',
  outputs: [nodes[nodes.length - 1]!.id],
  layers: Object.fromEntries(layers.map((l) => [l, l])),
  warnings: [],
});

/** x [8, 8, 2] → conv1 (3×3, stride 2, same, ReLU) [4, 4, 4] → max-pool 2×2 → flatten → dense logits [3]. */
function firstConvModel() {
  const rng = mulberry32(11);
  const kernel = host(rng, [3, 3, 2, 4]);
  const bias = host(rng, [4], -0.5, 0.5);
  const graph = graphOf(
    [
      { id: 'x', op: 'input', inputs: [], attrs: { shape: [8, 8, 2] }, outputShape: [8, 8, 2] },
      conv('conv1/preact', 'x', [4, 4, 4], kernel, bias, 2, 'same'),
      relu('conv1', 'conv1/preact', [4, 4, 4]),
      { id: 'pool', op: 'maxPool2d', inputs: ['conv1'], attrs: { poolSize: [2, 2], strides: [2, 2], padding: 'valid' }, outputShape: [2, 2, 4] },
      { id: 'flat', op: 'flatten', inputs: ['pool'], attrs: {}, outputShape: [16] },
      { id: 'logits', op: 'dense', inputs: ['flat'], attrs: {}, outputShape: [3], params: { kernel: host(rng, [16, 3]), bias: host(rng, [3], -0.5, 0.5) } },
    ],
    ['conv1', 'pool', 'flat', 'logits'],
  );
  return { graph, kernel, bias, input: () => tf.tensor4d(uniform(mulberry32(5), 2 * 8 * 8 * 2, -1, 1), [2, 8, 8, 2]) };
}

/**
 * x [4, 4, 1] → conv_a (1×1, kernel [1, −1], no bias, ReLU) [4, 4, 2] = [relu(x), relu(−x)] → max-pool 2×2
 * [2, 2, 2] → conv_b (2×2, same, ReLU) [2, 2, 3]. The input is chosen so that every window has a
 * single maximum in each channel.
 */
function switchModel() {
  const rng = mulberry32(3);
  const graph = graphOf(
    [
      { id: 'x', op: 'input', inputs: [], attrs: { shape: [4, 4, 1] }, outputShape: [4, 4, 1] },
      conv('conv_a/preact', 'x', [4, 4, 2], { shape: [1, 1, 1, 2], data: Float32Array.from([1, -1]) }, undefined, 1, 'valid'),
      relu('conv_a', 'conv_a/preact', [4, 4, 2]),
      { id: 'pool', op: 'maxPool2d', inputs: ['conv_a'], attrs: { poolSize: [2, 2], strides: [2, 2], padding: 'valid' }, outputShape: [2, 2, 2] },
      conv('conv_b/preact', 'pool', [2, 2, 3], host(rng, [2, 2, 2, 3]), host(rng, [3], -0.5, 0.5), 1, 'same'),
      relu('conv_b', 'conv_b/preact', [2, 2, 3]),
    ],
    ['conv_a', 'pool', 'conv_b'],
  );
  // prettier-ignore
  const x = [
     1,    5, -2,  0.5,
    -3,    2,  9, -1,
    -0.5,  4,  1, -6,
     7,   -2,  3,  8,
  ];
  // The switches, by hand: channel 0 = relu(x) keeps each window's largest x, channel 1 = relu(−x) its smallest.
  // prettier-ignore
  const switches = [
    [0, 1, 0, 0,  0, 0, 1, 0,  0, 0, 0, 0,  1, 0, 0, 1], // windows {1,5,−3,2} → 5, {−2,.5,9,−1} → 9, {−.5,4,7,−2} → 7, {1,−6,3,8} → 8
    [0, 0, 1, 0,  1, 0, 0, 0,  0, 0, 0, 1,  0, 1, 0, 0], // smallest: −3, −2, −2, −6
  ];
  return { graph, x, switches, input: () => tf.tensor4d(x, [1, 4, 4, 1]) };
}

function maxRel(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < b.length; i++) {
    num = Math.max(num, Math.abs(a[i]! - b[i]!));
    den = Math.max(den, Math.abs(b[i]!));
  }
  expect(a.length).toBe(b.length);
  expect(den).toBeGreaterThan(0);
  return num / den;
}

/** Runs `body` and checks that it leaves no tensor behind. */
function noLeaks<T>(body: () => T): T {
  const before = tf.memory().numTensors;
  const result = body();
  expect(tf.memory().numTensors).toBe(before);
  return result;
}

/** Per sample, the strongest activation of channel c (first on a tie), others zeroed — written out by hand. */
function strongestOfChannel(map: Float32Array, shape: number[], c: number): Float32Array {
  const [n, h, w, ch] = shape as [number, number, number, number];
  const seed = new Float32Array(map.length);
  for (let s = 0; s < n; s++) {
    let best = -1;
    for (let p = 0; p < h * w; p++) {
      const k = (s * h * w + p) * ch + c;
      if (best < 0 || map[k]! > map[best]!) best = k;
    }
    seed[best] = map[best]!;
  }
  return seed;
}

/** What the first-conv test computes, for the wasm comparison. */
interface FirstConvNumbers {
  deconvnet: Float32Array;
  guided: Float32Array;
  projection: Float32Array;
}

/** Computes a tensor expression and reads it to the host, freeing every intermediate. */
const read = (f: () => Tensor): Float32Array => tf.tidy(() => f().dataSync().slice() as Float32Array);

function firstConvCheck(): FirstConvNumbers {
  const { graph, kernel, bias, input } = firstConvModel();
  return noLeaks(() => {
    const x = input();
    const k = tf.tensor4d(kernel.data, kernel.shape as [number, number, number, number]);
    const b = tf.tensor1d(bias.data);
    const z = tf.tidy(() => tf.add(tf.conv2d(x, k, 2, 'same'), b)) as Tensor4D;
    const signed = tf.randomUniform([2, 4, 4, 4], -1, 1, 'float32', 9) as Tensor4D;
    const transposed = (t: Tensor) => tf.conv2dTranspose(t as Tensor4D, k, [2, 8, 8, 2], 2, 'same');
    const on = () => tf.cast(tf.greater(z, 0), 'float32');
    const deconvnet = createExplainer({ graph, registry, composite: 'deconvnet' });
    const guided = createExplainer({ graph, registry, composite: 'guided-backprop' });
    const gradient = createExplainer({ graph, registry, composite: 'gradient' });
    const target = { layer: 'conv1', seed: signed };
    try {
      // 1. A signed seed at conv1's output: the deconvnet ReLU rectifies it, the transposed filters map it to pixels.
      const explainOnce = (explainer: typeof deconvnet) => {
        const e = explainer.explain(x, { target });
        expect(e.input.shape).toEqual([2, 8, 8, 2]);
        const data = e.input.dataSync().slice() as Float32Array;
        e.dispose();
        return data;
      };
      const d = explainOnce(deconvnet);
      const g = explainOnce(guided);
      const grad = explainOnce(gradient);
      const expectedD = read(() => transposed(tf.relu(signed)));
      const expectedG = read(() => transposed(tf.mul(tf.relu(signed), on())));
      const expectedGrad = read(() => transposed(tf.mul(signed, on())));
      expect(maxRel(d, expectedD)).toBeLessThan(1e-5);
      expect(maxRel(g, expectedG)).toBeLessThan(1e-5);
      expect(maxRel(grad, expectedGrad)).toBeLessThan(1e-5);
      // The three methods really differ on this seed (otherwise the checks above prove little).
      expect(maxRel(d, expectedG)).toBeGreaterThan(1e-2);
      expect(maxRel(g, expectedGrad)).toBeGreaterThan(1e-2);

      // 2. projectFeatureMap: the strongest activation of channel 2 of conv1's (rectified) map.
      const featureMap = read(() => tf.relu(z));
      const seedByHand = strongestOfChannel(featureMap, [2, 4, 4, 4], 2);
      expect(seedByHand.filter((v) => v > 0)).toHaveLength(2);
      const p = projectFeatureMap(deconvnet, x, { layer: 'conv1', channel: 2 });
      // The engine's forward adds the bias inside the (fused) conv: equal up to rounding.
      expect(maxRel(p.seed.dataSync() as Float32Array, seedByHand)).toBeLessThan(1e-6);
      expect(Array.from(p.seed.dataSync()).map((v) => v > 0)).toEqual(Array.from(seedByHand).map((v) => v > 0));
      expect(p.peaks!.map((q) => q.index[2])).toEqual([2, 2]);
      const expectedP = read(() => transposed(tf.relu(tf.tensor4d(seedByHand, [2, 4, 4, 4]))));
      expect(p.input.shape).toEqual(x.shape);
      const projection = p.input.dataSync().slice() as Float32Array;
      expect(maxRel(projection, expectedP)).toBeLessThan(1e-5);
      p.dispose();

      // 3. The whole channel ('all').
      const all = projectFeatureMap(deconvnet, x, { layer: 'conv1', channel: 2, position: 'all' });
      const expectedAll = read(() => transposed(tf.mul(tf.relu(z), tf.reshape(tf.oneHot(tf.tensor1d([2], 'int32'), 4), [1, 1, 1, 4]))));
      expect(maxRel(all.input.dataSync(), expectedAll)).toBeLessThan(1e-5);
      all.dispose();
      return { deconvnet: d, guided: g, projection };
    } finally {
      tf.dispose([x, k, b, z, signed]);
      deconvnet.dispose();
      guided.dispose();
      gradient.dispose();
    }
  });
}

let cpuNumbers: FirstConvNumbers | undefined;

describe('deconvnet and guided-backprop composites', () => {
  it('bind ReLUs to their rules and everything else to the gradient', () => {
    const { graph } = switchModel();
    const d = createExplainer({ graph, registry, composite: 'deconvnet' });
    const g = createExplainer({ graph, registry, composite: 'guided-backprop' });
    expect(d.rules).toMatchObject({
      'conv_a/preact': 'gradient/gradient',
      conv_a: 'gradient/deconvnet-relu',
      pool: 'gradient/gradient',
      'conv_b/preact': 'gradient/gradient',
      conv_b: 'gradient/deconvnet-relu',
    });
    expect(g.rules).toMatchObject({ conv_a: 'gradient/guided-relu', pool: 'gradient/gradient', conv_b: 'gradient/guided-relu' });
    d.dispose();
    g.dispose();
  });

  it('for the first conv layer it equals the transposed conv of the rectified map (cpu)', () => {
    cpuNumbers = firstConvCheck();
  });

  it("the projection has the input's shape (any layer, batch of 3, both methods)", () => {
    const { graph } = firstConvModel();
    noLeaks(() => {
      const x = tf.randomUniform([3, 8, 8, 2], -1, 1, 'float32', 4);
      for (const composite of ['deconvnet', 'guided-backprop']) {
        const explainer = createExplainer({ graph, registry, composite });
        for (const target of [
          { layer: 'conv1', channel: 0 },
          { layer: 'pool', channel: 3, position: [1, 0] },
          { layer: 'flat', position: 'all' as const },
          { layer: 'logits', channel: 1 },
          { layer: 'logits' },
        ]) {
          const p = projectFeatureMap(explainer, x, target);
          expect(p.input.shape).toEqual([3, 8, 8, 2]);
          expect(p.seed.shape).toEqual([3, ...graph.nodes.find((n) => n.id === target.layer)!.outputShape]);
          if (target.position === undefined) expect(p.peaks).toHaveLength(3);
          p.dispose();
        }
        explainer.dispose();
      }
      x.dispose();
    });
  });

  it('max switches are honoured: below the pool, relevance lands only on each window’s maximum', () => {
    const { graph, switches, input } = switchModel();
    noLeaks(() => {
      const x = input();
      for (const composite of ['deconvnet', 'guided-backprop']) {
        const explainer = createExplainer({ graph, registry, composite });
        const top = explainer.forward(x, 'conv_b');
        const channel = read(() => tf.argMax(tf.sum(top, [0, 1, 2])))[0]!;
        const { seed } = featureMapSeed(top, { channel, position: 'all' });
        top.dispose();
        expect(seed.dataSync().some((v) => v > 0)).toBe(true);
        const e = explainer.explain(x, { target: { layer: 'conv_b', seed }, record: ['pool', 'conv_a'] });
        const atPool = e.layers['pool']!.dataSync(); // [1, 2, 2, 2]
        const belowPool = e.layers['conv_a']!.dataSync(); // [1, 4, 4, 2]
        expect(atPool.filter((v) => v !== 0).length).toBeGreaterThanOrEqual(6);
        for (let i = 0; i < 4; i++) {
          for (let j = 0; j < 4; j++) {
            for (let c = 0; c < 2; c++) {
              const here = belowPool[(i * 4 + j) * 2 + c]!;
              const window = atPool[((i >> 1) * 2 + (j >> 1)) * 2 + c]!;
              // At a switch: the window's whole relevance; elsewhere: nothing.
              if (switches[c]![i * 4 + j]) expect(here).toBe(window);
              else expect(Math.abs(here)).toBe(0);
            }
          }
        }
        // Below conv_a: its ReLU rule, then the 1×1 transposed conv with kernel [1, −1].
        const xs = x.dataSync();
        const expected = Array.from({ length: 16 }, (_, p) => {
          const r = [belowPool[p * 2]!, belowPool[p * 2 + 1]!].map((v) => Math.max(v, 0));
          const on = [xs[p]! > 0, -xs[p]! > 0];
          return composite === 'deconvnet' ? r[0]! - r[1]! : (on[0] ? r[0]! : 0) - (on[1] ? r[1]! : 0);
        });
        expect(maxRel(e.input.dataSync(), expected)).toBeLessThan(1e-6);
        e.dispose();
        seed.dispose();
        explainer.dispose();
      }
      x.dispose();
    });
  });

  it('guided and deconvnet differ exactly where the forward ReLU was off', () => {
    const { graph, input } = firstConvModel();
    noLeaks(() => {
      const x = input();
      const signed = tf.randomUniform([2, 4, 4, 4], -1, 1, 'float32', 21);
      const run = (composite: string) => {
        const explainer = createExplainer({ graph, registry, composite });
        const e = explainer.explain(x, { target: { layer: 'conv1', seed: signed }, record: ['conv1/preact'] });
        const atPreact = e.layers['conv1/preact']!.dataSync().slice();
        const atInput = e.input.dataSync().slice();
        const z = explainer.forward(x, 'conv1/preact');
        const zs = z.dataSync().slice();
        tf.dispose([z]);
        e.dispose();
        explainer.dispose();
        return { atPreact, atInput, zs };
      };
      const d = run('deconvnet');
      const g = run('guided-backprop');
      const s = signed.dataSync();
      let differ = 0;
      for (let i = 0; i < s.length; i++) {
        expect(d.atPreact[i]).toBe(Math.fround(Math.max(s[i]!, 0)));
        if (g.zs[i]! > 0) {
          expect(g.atPreact[i]).toBe(d.atPreact[i]);
        } else {
          expect(g.atPreact[i]).toBe(0);
          if (d.atPreact[i] !== 0) differ++;
        }
      }
      expect(differ).toBeGreaterThan(5);
      expect(maxRel(g.atInput, d.atInput)).toBeGreaterThan(1e-2);
      tf.dispose([x, signed]);
    });
  });

  it('gives the same numbers on wasm', async () => {
    expect(cpuNumbers).toBeDefined();
    await wasmBackend.setup();
    try {
      const onWasm = firstConvCheck();
      expect(maxRel(onWasm.deconvnet, cpuNumbers!.deconvnet)).toBeLessThan(1e-5);
      expect(maxRel(onWasm.guided, cpuNumbers!.guided)).toBeLessThan(1e-5);
      expect(maxRel(onWasm.projection, cpuNumbers!.projection)).toBeLessThan(1e-5);
    } finally {
      await cpuBackend.setup();
    }
  });
});
