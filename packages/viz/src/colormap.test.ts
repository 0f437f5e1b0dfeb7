import { describe, expect, it } from 'vitest';
import { colormapNames, colormaps, createColormap, getColormap } from './colormap.js';

describe('colormaps', () => {
  it('bwr: 0 is blue, 0.5 is white, 1 is red', () => {
    expect(colormaps.bwr.at(0)).toEqual([0, 0, 255]);
    expect(colormaps.bwr.at(0.5)).toEqual([255, 255, 255]);
    expect(colormaps.bwr.at(1)).toEqual([255, 0, 0]);
    expect(colormaps.bwr.at(0.25)).toEqual([128, 128, 255]);
    expect(colormaps.bwr.at(0.75)).toEqual([255, 128, 128]);
  });

  it('gray runs black to white', () => {
    expect(colormaps.gray.at(0)).toEqual([0, 0, 0]);
    expect(colormaps.gray.at(0.5)).toEqual([128, 128, 128]);
    expect(colormaps.gray.at(1)).toEqual([255, 255, 255]);
  });

  it('seismic has brightness 0xd0 at its stops', () => {
    expect(colormaps.seismic.at(0)).toEqual([0, 0, 0xd0]);
    expect(colormaps.seismic.at(0.5)).toEqual([0xd0, 0xd0, 0xd0]);
    expect(colormaps.seismic.at(1)).toEqual([0xd0, 0, 0]);
  });

  it('coldnhot: cyan, blue, black (centre), red, yellow, white', () => {
    const c = colormaps.coldnhot;
    expect(c.at(0)).toEqual([0, 255, 255]);
    expect(c.at(0.25)).toEqual([0, 0, 255]);
    expect(c.at(0.5)).toEqual([0, 0, 0]);
    expect(c.at(0.5 + 1 / 6)).toEqual([255, 0, 0]);
    expect(c.at(0.5 + 2 / 6)).toEqual([255, 255, 0]);
    expect(c.at(1)).toEqual([255, 255, 255]);
  });

  it('clamps t outside [0, 1] and rejects NaN', () => {
    expect(colormaps.bwr.at(-3)).toEqual([0, 0, 255]);
    expect(colormaps.bwr.at(7)).toEqual([255, 0, 0]);
    expect(() => colormaps.bwr.at(Number.NaN)).toThrow(/NaN/);
  });

  it('write() fills a buffer at an offset', () => {
    const out = new Uint8ClampedArray(8);
    colormaps.bwr.write(1, out, 4);
    expect(Array.from(out)).toEqual([0, 0, 0, 0, 255, 0, 0, 0]);
  });

  it('is monotone between stops (gray)', () => {
    let prev = -1;
    for (let i = 0; i <= 100; i++) {
      const [r] = colormaps.gray.at(i / 100);
      expect(r).toBeGreaterThanOrEqual(prev);
      prev = r;
    }
  });
});

describe('getColormap', () => {
  it('returns built-ins by name and passes objects through', () => {
    expect(getColormap('bwr')).toBe(colormaps.bwr);
    expect(getColormap(colormaps.gray)).toBe(colormaps.gray);
    expect(colormapNames).toEqual(['bwr', 'coldnhot', 'seismic', 'gray']);
  });

  it('throws naming the unknown name and the valid ones', () => {
    expect(() => getColormap('viridis')).toThrow("Unknown colormap 'viridis'; valid colormaps: bwr, coldnhot, seismic, gray.");
    expect(() => getColormap('toString')).toThrow(/Unknown colormap 'toString'/);
  });
});

describe('createColormap', () => {
  it('validates stops', () => {
    expect(() => createColormap('x', [{ at: 0, color: [0, 0, 0] }])).toThrow(/at least 2/);
    expect(() => createColormap('x', [{ at: 0.1, color: [0, 0, 0] }, { at: 1, color: [1, 1, 1] }])).toThrow(/first stop/);
    expect(() =>
      createColormap('x', [
        { at: 0, color: [0, 0, 0] },
        { at: 0.6, color: [0, 0, 0] },
        { at: 0.4, color: [0, 0, 0] },
        { at: 1, color: [0, 0, 0] },
      ]),
    ).toThrow(/ascending/);
    expect(() => createColormap('x', [{ at: 0, color: [0, 0, 256] }, { at: 1, color: [1, 1, 1] }])).toThrow(/0–255/);
  });

  it('supports hard edges (repeated positions, the later stop wins)', () => {
    const c = createColormap('edge', [
      { at: 0, color: [0, 0, 0] },
      { at: 0.5, color: [10, 10, 10] },
      { at: 0.5, color: [200, 200, 200] },
      { at: 1, color: [255, 255, 255] },
    ]);
    expect(c.at(0.5)).toEqual([200, 200, 200]);
    expect(c.at(0.25)).toEqual([5, 5, 5]);
  });
});
