import { describe, expect, it } from 'vitest';
import { centerDigit } from './center-digit.js';

/** A `width × height` image with ink (1) on the rectangle [x0, x1) × [y0, y1). */
function rectangle(width: number, height: number, x0: number, y0: number, x1: number, y1: number): Float32Array {
  const img = new Float32Array(width * height);
  for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) img[y * width + x] = 1;
  return img;
}

function inkBox(img: Float32Array, size: number): { width: number; height: number; cx: number; cy: number } {
  let x0 = size, y0 = size, x1 = -1, y1 = -1, mass = 0, cx = 0, cy = 0;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const v = img[y * size + x]!;
      if (v > 0.05) [x0, x1, y0, y1] = [Math.min(x0, x), Math.max(x1, x), Math.min(y0, y), Math.max(y1, y)];
      mass += v;
      cx += v * (x + 0.5);
      cy += v * (y + 0.5);
    }
  }
  return { width: x1 - x0 + 1, height: y1 - y0 + 1, cx: cx / mass, cy: cy / mass };
}

describe('centerDigit', () => {
  it('gives an empty digit for an empty drawing', () => {
    expect(Array.from(centerDigit(new Float32Array(280 * 280), 280, 280)).every((v) => v === 0)).toBe(true);
  });

  it('scales the ink to a 20-pixel box, keeps its aspect and centres its mass', () => {
    // A tall bar in the top-left corner of a 280 × 280 pad: 40 wide, 160 tall.
    const out = centerDigit(rectangle(280, 280, 10, 20, 50, 180), 280, 280);
    const box = inkBox(out, 28);
    expect(box.height).toBe(20);
    expect(box.width).toBe(5);
    expect(Math.abs(box.cx - 14)).toBeLessThanOrEqual(0.5);
    expect(Math.abs(box.cy - 14)).toBeLessThanOrEqual(0.5);
    expect(Math.max(...out)).toBeLessThanOrEqual(1);
    expect(Math.min(...out)).toBeGreaterThanOrEqual(0);
  });

  it('enlarges a small drawing and moves an off-centre one', () => {
    const out = centerDigit(rectangle(28, 28, 20, 2, 26, 5), 28, 28);
    const box = inkBox(out, 28);
    expect(box.width).toBe(20);
    expect(box.height).toBe(10);
    expect(Math.abs(box.cx - 14)).toBeLessThanOrEqual(0.5);
    expect(Math.abs(box.cy - 14)).toBeLessThanOrEqual(0.5);
  });

  it('rejects a pixel count that does not match the size', () => {
    expect(() => centerDigit(new Float32Array(10), 28, 28)).toThrow(/10 pixels for a 28×28 image/);
  });
});
