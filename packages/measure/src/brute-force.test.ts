/**
 * The measure against an explicit enumeration of walks on a tiny MLP (4 → 5 relu → 3 relu → 2,
 * LRP-ε on every dense layer, biases on): the measure of a walk is the seed times the product of
 * its per-edge fractions `x_i W_ij / stab_ε(z_j)` (ReLU passes 1), a neuron's relevance is the sum
 * over walks ending in it, and `Z_l` is the sum over all walks ending at layer l.
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { cpuBackend } from '@nrm/backend-cpu';
import { mulberry32 } from '@nrm/testkit';
import { allOf, complement, createMeasure, neurons, type NeuronSet } from './index.js';
import { explainerFor, mlp, randomIndex, randomInput, randomInputData } from './testing/nets.js';

beforeAll(() => cpuBackend.setup());

const EPSILON = 0.1;
const WIDTHS = [4, 5, 3, 2];
/** Levels of the walk, bottom (input) to top (target), and the layer names of each level. */
const LEVEL_LAYERS = [['x', 'input'], ['r1', 'd1'], ['r2', 'd2'], ['out']] as const;

/** A full walk `[h@x, i@r1, j@r2, t@out]` with its measure. */
interface Walk {
  readonly path: readonly number[];
  readonly value: number;
}

const stab = (z: number) => z + EPSILON * (z >= 0 ? 1 : -1);

/** Every walk truncated at each level, for one sample (float64 from the float32 weights). */
function enumerate(net: ReturnType<typeof mlp>, x: readonly number[], target: number): Walk[][] {
  const dense = net.graph.nodes.filter((n) => n.op === 'dense');
  const layersW = dense.map((n) => n.params!);
  const acts: number[][] = [[...x]];
  const pre: number[][] = [];
  layersW.forEach((p, k) => {
    const [inDim, outDim] = p.kernel.shape as [number, number];
    const z = Array.from({ length: outDim }, (_, j) => {
      let s = p.bias ? p.bias.data[j]! : 0;
      for (let i = 0; i < inDim; i++) s += acts[k]![i]! * p.kernel.data[i * outDim + j]!;
      return s;
    });
    pre.push(z);
    acts.push(k === layersW.length - 1 ? z : z.map((v) => Math.max(v, 0)));
  });
  const fraction = (k: number, i: number, j: number) => {
    const p = layersW[k]!;
    const outDim = p.kernel.shape[1]!;
    return (acts[k]![i]! * p.kernel.data[i * outDim + j]!) / stab(pre[k]![j]!);
  };
  const levels: Walk[][] = [[], [], [], []];
  const seed = pre[2]![target]!;
  levels[3] = [{ path: [target], value: seed }];
  for (let level = 2; level >= 0; level--) {
    for (const w of levels[level + 1]!) {
      const upper = w.path[0]!;
      for (let i = 0; i < WIDTHS[level]!; i++) levels[level]!.push({ path: [i, ...w.path], value: w.value * fraction(level, i, upper) });
    }
  }
  return levels;
}

/** An event for the brute force: a set of neuron indices at a level. */
interface Event {
  readonly level: number;
  readonly indices: readonly number[];
}

/** Brute-force `μ(events)` of one sample: walks truncated at the lowest level, through every set. */
function bruteJoint(levels: Walk[][], events: readonly Event[]): { value: number; scale: number } {
  const lowest = Math.min(...events.map((e) => e.level));
  const walks = levels[lowest]!;
  const Z = walks.reduce((s, w) => s + w.value, 0);
  const absolute = walks.reduce((s, w) => s + Math.abs(w.value), 0);
  const inside = walks.filter((w) => events.every((e) => e.indices.includes(w.path[e.level - lowest]!)));
  return { value: inside.reduce((s, w) => s + w.value, 0) / Z, scale: absolute / Math.abs(Z) };
}

function setOf(event: Event, alias = 0): NeuronSet {
  const names = LEVEL_LAYERS[event.level]!;
  return neurons(names[alias % names.length]!, event.indices.map((i) => [i]));
}

const TOL = 2e-5;

/** Seeds whose nets are not degenerate: every level's `Z_l` is far from 0 for both samples (some relu alive). */
function goodSeeds(count: number): number[] {
  const seeds: number[] = [];
  for (let seed = 1; seeds.length < count; seed++) {
    const net = mlp(seed, WIDTHS, 0.3);
    const data = Array.from(randomInputData(seed + 100, 2, net.inputShape));
    const xs = [data.slice(0, WIDTHS[0]), data.slice(WIDTHS[0])];
    const ok = xs.every((x, n) =>
      enumerate(net, x, n).every((walks) => {
        const Z = walks.reduce((s, w) => s + w.value, 0);
        return Math.abs(Z) > 0.05 * walks.reduce((s, w) => s + Math.abs(w.value), 0);
      }),
    );
    if (ok) seeds.push(seed);
  }
  return seeds;
}

describe('brute force over walks on a tiny MLP', () => {
  for (const seed of goodSeeds(3)) {
    it(`seed ${seed}: marginals, random sets, joints at two and three layers, full walks, stays, touches`, async () => {
      const net = mlp(seed, WIDTHS, 0.3);
      const explainer = explainerFor(net, 'epsilon', { epsilon: EPSILON });
      const input = randomInput(seed + 100, 2, net.inputShape);
      const xs = input.arraySync() as number[][];
      const targets = [0, 1];
      const measure = createMeasure(explainer, input, { layer: 'out', indices: targets.map((t) => [t]) });
      const brute = xs.map((x, n) => enumerate(net, x, targets[n]!));
      const rng = mulberry32(seed);
      measure.prepare(['x', 'input', 'd1', 'r1', 'd2', 'r2', 'out']);
      const before = tf.memory().numTensors;
      let checked = 0;
      const check = async (events: Event[], alias = 0, sets?: NeuronSet[]) => {
        const result = measure.joint(...(sets ?? events.map((e) => setOf(e, alias))));
        const { value } = await result.read();
        result.dispose();
        brute.forEach((levels, n) => {
          const expected = bruteJoint(levels, events);
          if (Number.isNaN(expected.value)) {
            expect(value[n], 'Z = 0 (every walk dead): NaN').toBeNaN();
            return;
          }
          expect(Math.abs(value[n]! - expected.value), `${JSON.stringify(events)} sample ${n}`).toBeLessThanOrEqual(TOL * Math.max(1, expected.scale));
        });
        checked++;
      };
      // Every single neuron at every level (both names of a level: relu output = dense output).
      for (let level = 0; level < 4; level++) {
        for (let i = 0; i < (level === 3 ? 2 : WIDTHS[level]!); i++) {
          await check([{ level, indices: [i] }], 0);
          await check([{ level, indices: [i] }], 1);
        }
      }
      // Random sets.
      for (let r = 0; r < 12; r++) {
        const level = randomIndex(rng, 3);
        const indices = Array.from({ length: WIDTHS[level]! }, (_, i) => i).filter(() => rng() < 0.5);
        await check([{ level, indices }], r);
      }
      // Joints of single neurons at two layers, and at three.
      for (const [a, b] of [[0, 1], [0, 2], [1, 2], [0, 3], [1, 3], [2, 3]] as const) {
        for (let i = 0; i < WIDTHS[a]!; i++) for (let j = 0; j < WIDTHS[b]!; j += 2) await check([{ level: a, indices: [i] }, { level: b, indices: [j] }], i + j);
      }
      for (let i = 0; i < 4; i++) for (let j = 0; j < 5; j++) for (let k = 0; k < 3; k++) {
        await check([{ level: 0, indices: [i] }, { level: 1, indices: [j] }, { level: 2, indices: [k] }], i);
      }
      // Joints of random sets at three layers.
      for (let r = 0; r < 6; r++) {
        const events = [0, 1, 2].map((level) => ({ level, indices: Array.from({ length: WIDTHS[level]! }, (_, i) => i).filter(() => rng() < 0.6) }));
        await check(events, r);
      }
      // Every full walk (target neuron included): its measure is the walk's product / Z_input.
      for (let n = 0; n < 2; n++) {
        for (const walk of brute[n]![0]!.filter((w) => w.path[3] === targets[n])) {
          const events = walk.path.map((c, level) => ({ level, indices: [c] }));
          const result = measure.joint(...events.map((e) => setOf(e)));
          const { value } = await result.read();
          result.dispose();
          const Z = brute[n]![0]!.reduce((s, w) => s + w.value, 0);
          const scale = brute[n]![0]!.reduce((s, w) => s + Math.abs(w.value), 0) / Math.abs(Z);
          expect(Math.abs(value[n]! - walk.value / Z)).toBeLessThanOrEqual(TOL * Math.max(1, scale));
        }
      }
      // stays = walks inside S at every listed layer; touches = 1 − walks avoiding S everywhere.
      for (let r = 0; r < 5; r++) {
        const events = [0, 1, 2].map((level) => ({ level, indices: Array.from({ length: WIDTHS[level]! }, (_, i) => i).filter(() => rng() < 0.5) }));
        const sets = events.map((e) => setOf(e));
        const stays = measure.stays(sets);
        const touches = measure.touches(sets);
        const [s, t] = [(await stays.read()).value, (await touches.read()).value];
        stays.dispose();
        touches.dispose();
        brute.forEach((levels, n) => {
          const inside = bruteJoint(levels, events);
          const walks = levels[0]!;
          const Z = walks.reduce((acc, w) => acc + w.value, 0);
          const hit = walks.filter((w) => events.some((e) => e.indices.includes(w.path[e.level]!))).reduce((acc, w) => acc + w.value, 0) / Z;
          expect(Math.abs(s[n]! - inside.value)).toBeLessThanOrEqual(TOL * Math.max(1, inside.scale));
          expect(Math.abs(t[n]! - hit)).toBeLessThanOrEqual(TOL * Math.max(1, inside.scale));
        });
      }
      // The complement of all is empty: measure exactly 0.
      await check([{ level: 1, indices: [] }], 0, [complement(allOf('r1'))]);
      expect(checked).toBeGreaterThan(140);
      expect(tf.memory().numTensors).toBe(before);
      measure.dispose();
      explainer.dispose();
      input.dispose();
    });
  }
});
