/** MSE and SMAPE: basic cases, symmetry, zeros and the 200 % bound. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mse, smape } from './metrics.js';

const arrays = fc.integer({ min: 1, max: 12 }).chain((n) =>
  fc.tuple(
    fc.array(fc.double({ min: -10, max: 10, noNaN: true }), { minLength: n, maxLength: n }),
    fc.array(fc.double({ min: -10, max: 10, noNaN: true }), { minLength: n, maxLength: n }),
  ),
);

describe('mse', () => {
  it('is the mean of the squared differences', () => {
    expect(mse([1, 2, 3], [1, 2, 3])).toBe(0);
    expect(mse([0, 0], [1, 3])).toBe(5);
    expect(mse(new Float32Array([1, -1]), [0, 0])).toBe(1);
    expect(mse([2], [-2])).toBe(16);
  });
  it('is symmetric and ≥ 0', () => {
    fc.assert(fc.property(arrays, ([a, b]) => mse(a, b) === mse(b, a) && mse(a, b) >= 0 && mse(a, a) === 0));
  });
  it('is NaN for empty arrays and throws on a length mismatch', () => {
    expect(mse([], [])).toBeNaN();
    expect(() => mse([1], [1, 2])).toThrow(/one length/);
  });
});

describe('smape', () => {
  it('is 0 on equal inputs, 0 when both are 0, 200 when one side is 0', () => {
    expect(smape([1, -2, 0.5], [1, -2, 0.5])).toBe(0);
    expect(smape([0, 0, 0], [0, 0, 0])).toBe(0);
    expect(smape([0, 0], [1, -3])).toBe(200);
    expect(smape([1, -3], [0, 0])).toBe(200);
  });
  it('follows 100/n Σ |F − A| / ((|A| + |F|)/2), a term being 0 when A = F = 0', () => {
    // |3 − 1| / 2 = 1, the 0/0 term is 0, |2 − 2| = 0: 100/3 · 1.
    expect(smape([1, 0, 2], [3, 0, 2])).toBeCloseTo(100 / 3, 12);
    // Opposite signs: |−1 − 1| / 1 = 2 → 200.
    expect(smape([1], [-1])).toBe(200);
    expect(smape(new Float32Array([4]), new Float64Array([2]))).toBeCloseTo((100 * 2) / 3, 12);
  });
  it('is symmetric and within [0, 200]', () => {
    fc.assert(
      fc.property(arrays, ([a, b]) => {
        const s = smape(a, b);
        return Math.abs(s - smape(b, a)) <= 1e-9 && s >= 0 && s <= 200 + 1e-9 && smape(a, a) === 0;
      }),
    );
  });
  it('is NaN for empty arrays or NaN elements and throws on a length mismatch', () => {
    expect(smape([], [])).toBeNaN();
    expect(smape([Number.NaN], [1])).toBeNaN();
    expect(() => smape([1, 2], [1])).toThrow(/one length/);
  });
});
