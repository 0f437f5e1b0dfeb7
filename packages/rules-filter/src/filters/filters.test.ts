/** The three operators on hand-computed cases, their identities, the m = 0 guard, and leaks. */
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpuBackend } from '@nrm/backend-cpu';
import { InvalidArgumentError } from '@nrm/core';
import { mulberry32 } from '@nrm/testkit';
import { amplifyFilter, clampFilter, passFilter, type RelevanceFilter } from '../index.js';

let start = 0;
beforeAll(async () => {
  await cpuBackend.setup();
  start = tf.memory().numTensors;
});
afterAll(() => expect(tf.memory().numTensors).toBe(start));

// Sample 0: m = 4, r = [0.5, −1, 0.1, 0, −0.25, 0.75]. Sample 1: m = 0.5, r = [0, 1, −0.1, 0.5, −1, 0].
const R = [
  [2, -4, 0.4, 0, -1, 3],
  [0, 0.5, -0.05, 0.25, -0.5, 0],
];

/** Applies a filter to a [N, K] array and reads the result back; checks shape and no leak. */
function run(filter: RelevanceFilter, values: number[] | number[][] | number[][][][]): number[] {
  const before = tf.memory().numTensors;
  const input = tf.tensor(values);
  const output = filter(input);
  expect(output.shape).toEqual(input.shape);
  expect(input.isDisposed).toBe(false);
  const data = Array.from(output.dataSync());
  tf.dispose([input, output]);
  expect(tf.memory().numTensors).toBe(before);
  return data;
}

function expectClose(actual: number[], expected: number[]): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((v, i) => expect(v, `element ${i}`).toBeCloseTo(expected[i]!, 6));
}

describe('hand-computed cases, both signs', () => {
  it('clamp(0.2, 0.6) clips |r| into [0.2, 0.6] where R ≠ 0 and leaves zeros at zero', () => {
    // Clipping on each part's own support; clipping the dense p and n would give m(clip(p) − a1) here.
    expectClose(run(clampFilter(0.2, 0.6), R), [2, -2.4, 0.8, 0, -1, 2.4, 0, 0.3, -0.1, 0.25, -0.3, 0]);
  });

  it('clamp(0, 0.05): noise-spike suppression caps both signs at 0.05·m', () => {
    expectClose(run(clampFilter(0, 0.05), R), [0.2, -0.2, 0.2, 0, -0.2, 0.2, 0, 0.025, -0.025, 0.025, -0.025, 0]);
  });

  it('pass(0.2, 0.6) keeps only |r| in [0.2, 0.6]', () => {
    expectClose(run(passFilter(0.2, 0.6), R), [2, 0, 0, 0, -1, 0, 0, 0, 0, 0.25, 0, 0]);
  });

  it('pass bounds are inclusive on both ends', () => {
    expect(run(passFilter(0.25, 0.5), [[1, -0.5, 0.25, -0.125]])).toEqual([0, -0.5, 0.25, 0]);
  });

  it('amplify(0.5, 2) doubles |r| ≥ 0.5 of either sign', () => {
    expectClose(run(amplifyFilter(0.5, 2), R), [4, -8, 0.4, 0, -1, 6, 0, 1, -0.05, 0.5, -1, 0]);
  });

  it('amplify(0.7, 2): threshold inclusive only at or above 0.7', () => {
    expectClose(run(amplifyFilter(0.7, 2), R), [2, -8, 0.4, 0, -1, 6, 0, 1, -0.05, 0.25, -1, 0]);
  });

  it('normalizes per sample over every non-batch axis of a 4-D tensor', () => {
    // [2, 1, 2, 2]: sample 0 has m = 8, sample 1 has m = 1.
    const x = [[[[8, -1], [2, -4]]], [[[0.5, -1], [0.1, 0.3]]]];
    expectClose(run(passFilter(0, 0.3), x), [0, -1, 2, 0, 0, 0, 0.1, 0.3]);
  });
});

describe('identities', () => {
  const rand = (seed: number) => tf.tidy(() => tf.randomNormal([3, 4, 5, 2], 0, 1, 'float32', seed).arraySync()) as number[][][][];

  it('pass(0, 1) is the identity, bit-exact', () => {
    const x = rand(1);
    expect(run(passFilter(0, 1), x)).toEqual(x.flat(3));
  });

  it('clamp(0, 1) and clamp(-1, 2) are the identity, bit-exact', () => {
    const x = rand(2);
    expect(run(clampFilter(0, 1), x)).toEqual(x.flat(3));
    expect(run(clampFilter(-1, 2), x)).toEqual(x.flat(3));
  });

  it('amplify with factor 1, or a threshold above 1, is the identity; threshold 0 scales everything', () => {
    const x = rand(3);
    expect(run(amplifyFilter(0.3, 1), x)).toEqual(x.flat(3));
    expect(run(amplifyFilter(1.01, 5), x)).toEqual(x.flat(3));
    expect(run(amplifyFilter(0, 2), x)).toEqual(x.flat(3).map((v) => Math.fround(v * 2)));
  });

  it('the sample maximum survives pass(a1, 1) and is the only value left by pass(1, 1)', () => {
    expect(run(passFilter(1, 1), R)).toEqual([0, -4, 0, 0, 0, 0, 0, 0.5, 0, 0, -0.5, 0]);
  });
});

describe('guards and errors', () => {
  const all: [string, RelevanceFilter][] = [
    ['clamp(0.2, 0.6)', clampFilter(0.2, 0.6)],
    ['pass(0.2, 0.6)', passFilter(0.2, 0.6)],
    ['amplify(0, 2)', amplifyFilter(0, 2)],
  ];

  it.each(all)('%s leaves an all-zero sample (m = 0) unchanged, without NaN', (_, filter) => {
    const out = run(filter, [
      [0, 0, 0],
      [1, -0.1, 0.5],
    ]);
    expect(out.slice(0, 3)).toEqual([0, 0, 0]);
    expect(out.every(Number.isFinite)).toBe(true);
  });

  it('a rank-1 tensor is one value per sample (m = |R|)', () => {
    expect(run(passFilter(0, 0.5), [3, -2, 0])).toEqual([0, 0, 0]);
  });

  it('rejects a scalar, non-finite parameters and a1 > a2', () => {
    const scalar = tf.scalar(1);
    expect(() => passFilter(0, 1)(scalar)).toThrow(InvalidArgumentError);
    scalar.dispose();
    expect(() => clampFilter(0.6, 0.2)).toThrow(/a1 ≤ a2/);
    expect(() => passFilter(0, Number.NaN)).toThrow(/finite/);
    expect(() => amplifyFilter(0.5, Infinity)).toThrow(/factor must be a finite number/);
  });
});

describe('the literal formula of METHODS.md §5', () => {
  /** `R' = m (p' − n')` per sample in float64, with `op` applied to p and n separately. */
  function reference(values: number[][], op: (v: number) => number): number[] {
    return values.flatMap((row) => {
      const m = Math.max(...row.map(Math.abs));
      if (m === 0) return row;
      return row.map((x) => {
        const r = x / m;
        return m * (op(Math.max(r, 0)) - op(Math.max(-r, 0)));
      });
    });
  }
  const onSupport = (f: (v: number) => number) => (v: number) => (v === 0 ? 0 : f(v));
  const ops: [string, RelevanceFilter, (v: number) => number][] = [
    ['clamp(0.1, 0.3)', clampFilter(0.1, 0.3), onSupport((v) => Math.min(Math.max(v, 0.1), 0.3))],
    ['clamp(0, 0.05)', clampFilter(0, 0.05), (v) => Math.min(Math.max(v, 0), 0.05)],
    ['pass(0.2, 0.6)', passFilter(0.2, 0.6), (v) => (v >= 0.2 && v <= 0.6 ? v : 0)],
    ['pass(0, 0.05)', passFilter(0, 0.05), (v) => (v <= 0.05 ? v : 0)],
    ['amplify(0.5, 2)', amplifyFilter(0.5, 2), (v) => (v >= 0.5 ? 2 * v : v)],
    ['amplify(0.7, 2)', amplifyFilter(0.7, 2), (v) => (v >= 0.7 ? 2 * v : v)],
  ];

  it.each(ops)('%s matches it on random samples of both signs', (_, filter, op) => {
    const random = mulberry32(7);
    // Rounded to float32 first, so both sides see the same inputs; some exact zeros.
    const values = Array.from({ length: 4 }, (_, n) =>
      Array.from({ length: 50 }, () => (random() < 0.1 ? 0 : Math.fround((random() * 2 - 1) * 10 ** n))),
    );
    const got = run(filter, values);
    const want = reference(values, op);
    values.forEach((row, n) => {
      const m = Math.max(...row.map(Math.abs));
      row.forEach((_, k) => {
        const i = n * row.length + k;
        expect(Math.abs(got[i]! - want[i]!), `sample ${n}, element ${k}`).toBeLessThanOrEqual(1e-6 * m);
      });
    });
  });
});
