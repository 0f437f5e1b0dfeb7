import { describe, expect, it } from 'vitest';
import { decodePng, encodePng } from './png.js';
import { upscaleNearest } from './rgba-image.js';

function randomRgba(n: number, seed = 1): Uint8ClampedArray {
  const out = new Uint8ClampedArray(n * 4);
  let s = seed;
  for (let i = 0; i < out.length; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    out[i] = s >>> 24;
  }
  return out;
}

describe('encodePng / decodePng', () => {
  it('round-trips RGBA exactly (including alpha)', () => {
    const rgba = randomRgba(7 * 5);
    const bytes = encodePng(rgba, 7, 5);
    expect(Array.from(bytes.slice(0, 8))).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const img = decodePng(bytes);
    expect(img.width).toBe(7);
    expect(img.height).toBe(5);
    expect(Array.from(img.rgba)).toEqual(Array.from(rgba));
  });

  it('upscales by an integer factor with nearest neighbour', () => {
    const rgba = randomRgba(3 * 2, 7);
    const img = decodePng(encodePng(rgba, 3, 2, { scale: 4 }));
    expect([img.width, img.height]).toEqual([12, 8]);
    expect(Array.from(img.rgba)).toEqual(Array.from(upscaleNearest(rgba, 3, 2, 4).rgba));
    // pixel (x=5, y=6) comes from source pixel (1, 1)
    const src = Array.from(rgba.slice((1 * 3 + 1) * 4, (1 * 3 + 1) * 4 + 4));
    expect(Array.from(img.rgba.slice((6 * 12 + 5) * 4, (6 * 12 + 5) * 4 + 4))).toEqual(src);
  });

  it('accepts a Uint8Array view with an offset', () => {
    const backing = new Uint8Array(4 + 16);
    backing.set(randomRgba(4, 3), 4);
    const view = backing.subarray(4);
    expect(Array.from(decodePng(encodePng(view, 2, 2)).rgba)).toEqual(Array.from(view));
  });

  it('validates its input', () => {
    expect(() => encodePng(new Uint8Array(15), 2, 2)).toThrow(/15 elements but 2×2 RGBA needs 16/);
    expect(() => encodePng(new Uint8Array(16), 2, 2, { scale: 1.5 })).toThrow(/scale/);
    expect(() => decodePng(new Uint8Array([1, 2, 3]))).toThrow(/Cannot decode PNG/);
  });
});
