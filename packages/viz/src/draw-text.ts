/** Drawing text with the 5×7 bitmap font into RGBA images. */
import { GLYPH_ADVANCE, GLYPH_HEIGHT, GLYPH_WIDTH, glyphFor } from './bitmap-font.js';
import type { Rgba, RgbaImage } from './rgba-image.js';
import { assertInteger } from './validate.js';

/** An axis-aligned rectangle in pixels: `x0 ≤ x < x1`, `y0 ≤ y < y1`. */
export interface Rect {
  /** Left edge (inclusive). */
  readonly x0: number;
  /** Top edge (inclusive). */
  readonly y0: number;
  /** Right edge (exclusive). */
  readonly x1: number;
  /** Bottom edge (exclusive). */
  readonly y1: number;
}

/** Options of {@link drawText}. */
export interface DrawTextOptions {
  /** Ink colour; default opaque black. */
  readonly color?: Rgba;
  /** Integer magnification of the font (default 1): each font pixel becomes `scale × scale`. */
  readonly scale?: number;
  /** Only pixels inside this rectangle are drawn (always also clipped to the image). */
  readonly clip?: Rect;
}

/** Size in pixels of `text` drawn at `scale` (0 × 0 for the empty string). */
export function measureText(text: string, scale = 1): { width: number; height: number } {
  assertInteger('scale', scale);
  const n = [...text].length;
  if (n === 0) return { width: 0, height: 0 };
  return { width: (n * GLYPH_ADVANCE - 1) * scale, height: GLYPH_HEIGHT * scale };
}

/**
 * Draws `text` (one line) into `image` in place, its top-left corner at (`x`, `y`); only ink
 * pixels are written (the background is left as is).
 */
export function drawText(image: RgbaImage, text: string, x: number, y: number, options: DrawTextOptions = {}): void {
  const { color = [0, 0, 0, 255], scale = 1 } = options;
  assertInteger('scale', scale);
  const clip = options.clip ?? { x0: 0, y0: 0, x1: image.width, y1: image.height };
  const cx0 = Math.max(0, clip.x0);
  const cy0 = Math.max(0, clip.y0);
  const cx1 = Math.min(image.width, clip.x1);
  const cy1 = Math.min(image.height, clip.y1);
  let penX = Math.round(x);
  const top = Math.round(y);
  for (const ch of text) {
    const glyph = glyphFor(ch);
    for (let gy = 0; gy < GLYPH_HEIGHT; gy++) {
      const row = glyph[gy] as string;
      for (let gx = 0; gx < GLYPH_WIDTH; gx++) {
        if (row[gx] !== '#') continue;
        for (let dy = 0; dy < scale; dy++) {
          const py = top + gy * scale + dy;
          if (py < cy0 || py >= cy1) continue;
          for (let dx = 0; dx < scale; dx++) {
            const px = penX + gx * scale + dx;
            if (px < cx0 || px >= cx1) continue;
            const o = (py * image.width + px) * 4;
            image.rgba[o] = color[0];
            image.rgba[o + 1] = color[1];
            image.rgba[o + 2] = color[2];
            image.rgba[o + 3] = color[3];
          }
        }
      }
    }
    penX += GLYPH_ADVANCE * scale;
  }
}
