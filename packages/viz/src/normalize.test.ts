import { describe, expect, it } from 'vitest';
import { normalizationBounds, normalize } from './normalize.js';

describe('normalize (symmetric, default)', () => {
  it('maps 0 to 0.5 and ±max|v| to 1 and 0, preserving the sign', () => {
    const t = normalize([-2, -1, 0, 0.5, 1]);
    expect(Array.from(t)).toEqual([0, 0.25, 0.5, 0.625, 0.75]);
  });

  it('keeps 0 at the centre even when all values are positive', () => {
    const t = normalize([0, 2, 4]);
    expect(Array.from(t)).toEqual([0.5, 0.75, 1]);
  });

  it('sign is preserved for random data', () => {
    const v = Array.from({ length: 200 }, (_, i) => Math.sin(i * 12.9898) * 1e-3);
    const t = normalize(v);
    v.forEach((x, i) => expect(Math.sign((t[i] as number) - 0.5)).toBe(Math.sign(x)));
  });

  it('an all-zero map gives all 0.5', () => {
    expect(Array.from(normalize(new Float32Array(4)))).toEqual([0.5, 0.5, 0.5, 0.5]);
  });

  it('uses a fixed vmax and clamps beyond it', () => {
    expect(Array.from(normalize([-4, 1, 4], { vmax: 2 }))).toEqual([0, 0.75, 1]);
    expect(() => normalize([1], { vmax: 0 })).toThrow(/> 0/);
    expect(() => normalize([1], { vmin: -1 })).toThrow(/vmin cannot be used/);
  });

  it('throws a clear error on NaN and Infinity', () => {
    expect(() => normalize([0, Number.NaN])).toThrow('values contains a non-finite value (NaN) at index 1');
    expect(() => normalize([Number.POSITIVE_INFINITY])).toThrow(/Infinity/);
    expect(() => normalize([1], { symmetric: false, vmax: Number.NaN })).toThrow(/vmax/);
  });
});

describe('normalize (min–max)', () => {
  it('maps min to 0 and max to 1', () => {
    expect(Array.from(normalize([2, 4, 6], { symmetric: false }))).toEqual([0, 0.5, 1]);
  });

  it('honours vmin/vmax overrides', () => {
    expect(Array.from(normalize([0, 0.5, 2], { symmetric: false, vmin: 0, vmax: 1 }))).toEqual([0, 0.5, 1]);
    expect(normalizationBounds([3, 5], { symmetric: false, vmin: 0 })).toEqual([0, 5]);
    expect(() => normalize([1], { symmetric: false, vmin: 2, vmax: 1 })).toThrow(/below vmin/);
  });

  it('a constant map gives all 0', () => {
    expect(Array.from(normalize([3, 3], { symmetric: false }))).toEqual([0, 0]);
  });
});
