import { describe, expect, it } from 'vitest';
import { FONT_5X7, GLYPH_HEIGHT, GLYPH_WIDTH, glyphFor } from './bitmap-font.js';
import { drawText, measureText } from './draw-text.js';
import { createRgbaImage } from './rgba-image.js';

describe('bitmap font', () => {
  it('every glyph is 7 rows of 5 cells of # or .', () => {
    for (const [ch, glyph] of Object.entries(FONT_5X7)) {
      expect(glyph.length, ch).toBe(GLYPH_HEIGHT);
      for (const row of glyph) expect(row, ch).toMatch(new RegExp(`^[#.]{${GLYPH_WIDTH}}$`));
    }
  });

  it('covers digits and letters; lower case uses upper case; unknown is ?', () => {
    for (const ch of '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ') expect(FONT_5X7[ch], ch).toBeDefined();
    expect(glyphFor('a')).toBe(FONT_5X7.A);
    expect(glyphFor('€')).toBe(FONT_5X7['?']);
    // glyphs are distinct
    const shapes = new Set(Object.values(FONT_5X7).map((g) => g.join('')));
    expect(shapes.size).toBe(Object.keys(FONT_5X7).length);
  });
});

describe('drawText / measureText', () => {
  it('measures with 1 pixel spacing', () => {
    expect(measureText('')).toEqual({ width: 0, height: 0 });
    expect(measureText('1')).toEqual({ width: 5, height: 7 });
    expect(measureText('12', 2)).toEqual({ width: 22, height: 14 });
  });

  it('draws the glyph pixels at the position and scale', () => {
    const img = createRgbaImage(12, 16);
    drawText(img, 'L', 1, 1, { scale: 2, color: [9, 8, 7, 255] });
    const px = (x: number, y: number) => Array.from(img.rgba.slice((y * 12 + x) * 4, (y * 12 + x) * 4 + 4));
    // L: left column and bottom row inked
    expect(px(1, 1)).toEqual([9, 8, 7, 255]);
    expect(px(2, 2)).toEqual([9, 8, 7, 255]);
    expect(px(3, 1)).toEqual([255, 255, 255, 255]);
    expect(px(10, 14)).toEqual([9, 8, 7, 255]);
    expect(px(0, 0)).toEqual([255, 255, 255, 255]);
  });

  it('clips to the image and the clip rectangle', () => {
    const img = createRgbaImage(4, 4);
    expect(() => drawText(img, 'W', -2, -3)).not.toThrow();
    const before = Array.from(img.rgba);
    drawText(img, 'W', 0, 0, { clip: { x0: 0, y0: 0, x1: 0, y1: 0 } });
    expect(Array.from(img.rgba)).toEqual(before);
  });
});
