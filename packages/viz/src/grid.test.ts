import { describe, expect, it } from 'vitest';
import { gridLayout, heatmapGrid, type GridTile } from './grid.js';
import { measureText } from './draw-text.js';
import { createRgbaImage, type Rgba, type RgbaImage } from './rgba-image.js';

const solid = (width: number, height: number, color: Rgba): GridTile => createRgbaImage(width, height, color);
const at = (img: RgbaImage, x: number, y: number) => Array.from(img.rgba.slice((y * img.width + x) * 4, (y * img.width + x) * 4 + 4));

const RED: Rgba = [255, 0, 0, 255];
const GREEN: Rgba = [0, 255, 0, 255];
const BLUE: Rgba = [0, 0, 255, 255];
const WHITE = [255, 255, 255, 255];

describe('heatmapGrid', () => {
  it('lays out equal tiles with gaps', () => {
    const tiles = [
      [solid(3, 2, RED), solid(3, 2, GREEN)],
      [solid(3, 2, BLUE), solid(3, 2, RED)],
    ];
    const img = heatmapGrid(tiles);
    expect([img.width, img.height]).toEqual([3 + 2 + 3, 2 + 2 + 2]);
    expect(img.rgba.length).toBe(img.width * img.height * 4);
    expect(at(img, 0, 0)).toEqual(RED);
    expect(at(img, 2, 1)).toEqual(RED);
    expect(at(img, 3, 0)).toEqual(WHITE); // gap
    expect(at(img, 5, 0)).toEqual(GREEN);
    expect(at(img, 0, 2)).toEqual(WHITE); // gap
    expect(at(img, 0, 4)).toEqual(BLUE);
    expect(at(img, 7, 5)).toEqual(RED);
  });

  it('pads tiles of different sizes, centred in their cells, and fills missing cells', () => {
    const tiles = [[solid(4, 4, RED), solid(2, 2, GREEN)], [solid(2, 2, BLUE)]];
    const img = heatmapGrid(tiles, { gap: 1, background: [0, 0, 0, 0] });
    // columns: 4, 2; rows: 4, 2
    expect([img.width, img.height]).toEqual([4 + 1 + 2, 4 + 1 + 2]);
    // green 2×2 in a 2×4 cell at x=5: rows 1–2
    expect(at(img, 5, 0)).toEqual([0, 0, 0, 0]);
    expect(at(img, 5, 1)).toEqual(GREEN);
    expect(at(img, 6, 2)).toEqual(GREEN);
    expect(at(img, 5, 3)).toEqual([0, 0, 0, 0]);
    // blue 2×2 in a 4×2 cell at y=5: columns 1–2
    expect(at(img, 0, 5)).toEqual([0, 0, 0, 0]);
    expect(at(img, 1, 5)).toEqual(BLUE);
    expect(at(img, 2, 6)).toEqual(BLUE);
    expect(at(img, 3, 5)).toEqual([0, 0, 0, 0]);
    // missing cell [1][1]
    expect(at(img, 6, 6)).toEqual([0, 0, 0, 0]);
  });

  it('scales tiles but not gaps', () => {
    const tile: GridTile = { width: 2, height: 1, rgba: new Uint8ClampedArray([...RED, ...GREEN]) };
    const img = heatmapGrid([[tile, tile]], { scale: 3, gap: 2 });
    expect([img.width, img.height]).toEqual([6 + 2 + 6, 3]);
    expect(at(img, 2, 2)).toEqual(RED);
    expect(at(img, 3, 0)).toEqual(GREEN);
    expect(at(img, 6, 1)).toEqual(WHITE);
    expect(at(img, 8, 0)).toEqual(RED);
    expect(at(img, 13, 2)).toEqual(GREEN);
  });

  it('adds caption bands and draws captions in them', () => {
    const tiles = [
      [solid(20, 10, RED), solid(20, 10, GREEN)],
      [solid(20, 10, BLUE), solid(20, 10, RED)],
    ];
    const labels = { rows: ['0', '12'], columns: ['IN', 'LRP-ε'] };
    const layout = gridLayout(tiles, { labels });
    const pad = 2;
    expect(layout.labelWidth).toBe(measureText('12').width + 2 * pad);
    expect(layout.labelHeight).toBe(7 + 2 * pad);
    expect(layout.columnX).toEqual([layout.labelWidth, layout.labelWidth + 22]);
    expect(layout.rowY).toEqual([layout.labelHeight, layout.labelHeight + 12]);
    const img = heatmapGrid(tiles, { labels });
    expect([img.width, img.height]).toEqual([layout.width, layout.height]);
    expect([layout.width, layout.height]).toEqual([layout.labelWidth + 42, layout.labelHeight + 22]);
    expect(at(img, layout.labelWidth, layout.labelHeight)).toEqual(RED);

    const inked = (x0: number, y0: number, x1: number, y1: number) => {
      let n = 0;
      for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) if (at(img, x, y)[0] === 0 && at(img, x, y)[1] === 0 && at(img, x, y)[2] === 0) n++;
      return n;
    };
    // captions are black ink inside their bands only
    expect(inked(layout.labelWidth, 0, layout.labelWidth + 20, layout.labelHeight)).toBeGreaterThan(0);
    expect(inked(layout.labelWidth + 22, 0, layout.width, layout.labelHeight)).toBeGreaterThan(0);
    expect(inked(0, layout.labelHeight, layout.labelWidth, layout.labelHeight + 10)).toBeGreaterThan(0);
    expect(inked(0, 0, layout.labelWidth, layout.labelHeight)).toBe(0);
    expect(inked(layout.labelWidth, layout.labelHeight, layout.width, layout.height)).toBe(0);
  });

  it('validates tiles, labels and options', () => {
    expect(() => heatmapGrid([])).toThrow(/at least one tile/);
    expect(() => heatmapGrid([[null]])).toThrow(/at least one tile/);
    expect(() => heatmapGrid([[{ width: 2, height: 2, rgba: new Uint8Array(3) }]])).toThrow(/tile \[0\]\[0\]/);
    expect(() => heatmapGrid([[solid(1, 1, RED)]], { labels: { rows: ['a', 'b'] } })).toThrow(/labels.rows/);
    expect(() => heatmapGrid([[solid(1, 1, RED)]], { gap: -1 })).toThrow(/gap/);
  });
});
