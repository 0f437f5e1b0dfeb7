/** Test support: fast-check arbitraries of small nets with a measure on them, and tolerance scales. */
import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { expect } from 'vitest';
import { mulberry32 } from '@nrm/testkit';
import { createMeasure, type RelevanceMeasure } from '../index.js';
import { convNet, explainerFor, mlp, randomIndex, randomInput, type TestNet } from './nets.js';

/** A random small net, its composite, batch and targets. */
export interface NetCase {
  readonly kind: 'mlp' | 'conv';
  readonly net: TestNet;
  readonly composite: string;
  readonly options: { epsilon?: number };
  readonly batch: number;
  readonly seed: number;
  readonly targets: readonly number[];
}

const seedArb = fc.integer({ min: 1, max: 2 ** 30 });

function targetsFor(seed: number, batch: number, classes: number): number[] {
  const rng = mulberry32(seed ^ 0x5bd1e995);
  return Array.from({ length: batch }, () => randomIndex(rng, classes));
}

/** Dense/relu stacks `w0 → w1 relu → w2 relu → out`, composite `epsilon`. */
export const mlpCase: fc.Arbitrary<NetCase> = fc
  .record({
    seed: seedArb,
    widths: fc.tuple(fc.integer({ min: 2, max: 5 }), fc.integer({ min: 2, max: 6 }), fc.integer({ min: 2, max: 5 }), fc.integer({ min: 2, max: 3 })),
    batch: fc.integer({ min: 1, max: 2 }),
    epsilon: fc.constantFrom(0.01, 0.1, 0.5),
  })
  .map(({ seed, widths, batch, epsilon }) => ({
    kind: 'mlp' as const,
    net: mlp(seed, widths, 0.2),
    composite: 'epsilon',
    options: { epsilon },
    batch,
    seed,
    targets: targetsFor(seed, batch, widths[3]),
  }));

/** `[4, 4, c0] → conv c1 relu → conv c2 relu → maxpool → flatten → dense`, composite `epsilon-plus-flat`. */
export const convCase: fc.Arbitrary<NetCase> = fc
  .record({
    seed: seedArb,
    c0: fc.integer({ min: 1, max: 2 }),
    c1: fc.integer({ min: 2, max: 3 }),
    c2: fc.integer({ min: 2, max: 3 }),
    classes: fc.integer({ min: 2, max: 3 }),
    batch: fc.integer({ min: 1, max: 2 }),
  })
  .map(({ seed, c0, c1, c2, classes, batch }) => ({
    kind: 'conv' as const,
    net: convNet(seed, 4, c0, c1, c2, classes),
    composite: 'epsilon-plus-flat',
    options: {},
    batch,
    seed,
    targets: targetsFor(seed, batch, classes),
  }));

/** Either kind. */
export const anyCase: fc.Arbitrary<NetCase> = fc.oneof(mlpCase, convCase);

/** Runs `body` with a measure on the case (every layer prepared), then checks that nothing leaked. */
export async function withMeasure(c: NetCase, body: (measure: RelevanceMeasure, rng: () => number) => Promise<void>): Promise<void> {
  const start = tf.memory().numTensors;
  const explainer = explainerFor(c.net, c.composite, c.options);
  const input = randomInput(c.seed + 1, c.batch, c.net.inputShape, c.kind === 'conv' ? 0 : -1, 1);
  const measure = createMeasure(explainer, input, { layer: c.net.target, indices: c.targets.map((t) => [t]) }, { layers: c.net.layers });
  try {
    // Warm the explainer's caches (derived kernels) before counting.
    measure.marginal({ kind: 'all', layer: c.net.layers[0]! }).dispose();
    measure.joint({ kind: 'all', layer: c.net.layers[0]! }, { kind: 'all', layer: c.net.layers[1]! }).dispose();
    const before = tf.memory().numTensors;
    await body(measure, mulberry32(c.seed * 7 + 3));
    expect(tf.memory().numTensors, 'tensors left by the property').toBe(before);
  } finally {
    measure.dispose();
    explainer.dispose();
    input.dispose();
  }
  expect(tf.memory().numTensors, 'tensors left after disposal').toBe(start);
}

/**
 * Per sample, the error scale of normalized values at `layer`: `max_k Σ|R_k| / |Z_layer|` over
 * every layer k of the net (float32 errors are relative to the largest relevance on the way),
 * or `null` where the layer's total is ≈ 0.
 */
export async function scales(measure: RelevanceMeasure, net: TestNet, layer: string): Promise<(number | null)[]> {
  const read = async (l: string) => {
    const t = measure.totals(l);
    const data = await t.read();
    t.dispose();
    return data;
  };
  const all = await Promise.all(net.layers.map(read));
  const own = await read(layer);
  return own.total.map((z, n) => {
    if (own.flags.some((f) => f.sample === n) || Math.abs(z) < 1e-3 * own.absolute[n]!) return null;
    return Math.max(1, ...all.map((d) => d.absolute[n]! / Math.abs(z)));
  });
}

/** Random neuron indices (NHWC, no batch) of a layer shape, each kept with probability p. */
export function randomNeurons(rng: () => number, shape: readonly number[], p = 0.5): number[][] {
  const size = shape.reduce((a, b) => a * b, 1);
  const out: number[][] = [];
  for (let flat = 0; flat < size; flat++) {
    if (rng() >= p) continue;
    const index = shape.map(() => 0);
    let rest = flat;
    for (let d = shape.length - 1; d >= 0; d--) {
      index[d] = rest % shape[d]!;
      rest = Math.floor(rest / shape[d]!);
    }
    out.push(index);
  }
  return out;
}

/** Every neuron index of a layer shape. */
export function everyNeuron(shape: readonly number[]): number[][] {
  return randomNeurons(() => 0, shape, 1);
}
