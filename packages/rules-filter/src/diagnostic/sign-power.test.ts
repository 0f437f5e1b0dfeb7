/** Percentile mean power on hand-computed values, every guard included. */
import { describe, expect, it } from 'vitest';
import { samplePercentileMeanPower, signPercentileMeanPower } from '../index.js';

describe('signPercentileMeanPower', () => {
  it('n = 10: n_th = 8, mean(9, 10) / mean(1..8) = 9.5 / 4.5', () => {
    expect(signPercentileMeanPower([10, 3, 1, 2, 9, 4, 5, 8, 7, 6])).toBeCloseTo(9.5 / 4.5, 12);
  });

  it('n = 5: n_th = ceil(4) = 4, 10 / mean(1, 2, 3, 4) = 4', () => {
    expect(signPercentileMeanPower([10, 1, 3, 2, 4])).toBeCloseTo(4, 12);
  });

  it('n = 6: n_th = ceil(4.8) = 5, mean(12) / mean(1, 1, 2, 2, 4) = 12 / 2', () => {
    expect(signPercentileMeanPower([2, 12, 1, 4, 1, 2])).toBeCloseTo(6, 12);
  });

  it('guard n_th = 1 (n = 1): the power is 1, whatever the value', () => {
    expect(signPercentileMeanPower([7])).toBe(1);
    expect(signPercentileMeanPower([0])).toBe(1);
  });

  it('guard n_th ≥ n → n − 1 (n = 2, 3, 4)', () => {
    // n = 2: n_th = 2 → 1: 3 / 1.
    expect(signPercentileMeanPower([3, 1])).toBeCloseTo(3, 12);
    // n = 3: n_th = 3 → 2: 4 / mean(1, 2).
    expect(signPercentileMeanPower([4, 1, 2])).toBeCloseTo(8 / 3, 12);
    // n = 4: n_th = 4 → 3: 8 / mean(1, 2, 3).
    expect(signPercentileMeanPower([2, 8, 3, 1])).toBeCloseTo(4, 12);
  });

  it('guard lower mean 0 → 1e-9', () => {
    expect(signPercentileMeanPower([0, 0, 0, 0, 2])).toBeCloseTo(2e9, 0);
    expect(signPercentileMeanPower([0, 5])).toBeCloseTo(5e9, 0);
  });

  it('guard upper mean 0 → 0', () => {
    expect(signPercentileMeanPower([0, 0])).toBe(0);
    expect(signPercentileMeanPower([0, 0, 0, 0, 0, 0, 0, 0, 0, 0])).toBe(0);
  });

  it('no values: undefined (the caller copies the other sign)', () => {
    expect(signPercentileMeanPower([])).toBeUndefined();
  });
});

describe('samplePercentileMeanPower', () => {
  it('averages the positive values and the magnitudes of the negative values', () => {
    // positives [10, 1, 3, 2, 4] → 4; negatives [3, 1] → 3; average 3.5.
    expect(samplePercentileMeanPower([10, -3, 1, 0, 3, -1, 2, 4])).toBeCloseTo(3.5, 12);
  });

  it('guard one sign empty: copies the other (both ways)', () => {
    expect(samplePercentileMeanPower([3, 0, 1])).toBeCloseTo(3, 12);
    expect(samplePercentileMeanPower([-4, -1, 0, -2])).toBeCloseTo(8 / 3, 12);
    // A single negative value: n_th = 1 → 1, copied.
    expect(samplePercentileMeanPower([0, -0.5, 0])).toBe(1);
  });

  it('an all-zero sample (neither sign) is 0', () => {
    expect(samplePercentileMeanPower([0, 0, 0])).toBe(0);
    expect(samplePercentileMeanPower([])).toBe(0);
  });

  it('includeZeros: both signs over every element, reaching the zero-mean guards', () => {
    // positive part [0, 0, 0, 0, 2] → 2 / 1e-9; negative part all zero → upper mean 0 → 0.
    expect(samplePercentileMeanPower([0, 0, 0, 0, 2], true)).toBeCloseTo(1e9, 0);
    // positive part [1, 0, 0, 0, 0] → 1e9; negative part [0, 0, 0, 4, 0] → 4e9.
    expect(samplePercentileMeanPower([1, 0, 0, -4, 0], true)).toBeCloseTo(2.5e9, 0);
    // Without it, zeros are in neither sign: [2] → 1; [1] and [4] → 1 each.
    expect(samplePercentileMeanPower([0, 0, 0, 0, 2])).toBe(1);
    expect(samplePercentileMeanPower([1, 0, 0, -4, 0])).toBe(1);
  });
});
