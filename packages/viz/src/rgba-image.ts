/** The RGBA image type shared by the PNG, grid and text functions. */
import { assertInteger, assertLength } from './validate.js';

/** An RGBA image: `rgba` holds `width × height` pixels row by row, 4 bytes each (R, G, B, A). */
export interface RgbaImage {
  /** Width in pixels. */
  readonly width: number;
  /** Height in pixels. */
  readonly height: number;
  /** The pixels, `width × height × 4` bytes. */
  readonly rgba: Uint8ClampedArray;
}

/** Pixel data accepted as input: any byte array in the {@link RgbaImage} layout. */
export type RgbaBytes = Uint8Array | Uint8ClampedArray;

/** An RGBA colour as four bytes; the alpha byte 255 is opaque. */
export type Rgba = readonly [r: number, g: number, b: number, a: number];

/**
 * Creates a `width × height` image filled with `fill` (default opaque white).
 *
 * @throws Error if a dimension is not an integer ≥ 0.
 */
export function createRgbaImage(width: number, height: number, fill: Rgba = [255, 255, 255, 255]): RgbaImage {
  assertInteger('width', width, 0);
  assertInteger('height', height, 0);
  const rgba = new Uint8ClampedArray(width * height * 4);
  for (let i = 0; i < rgba.length; i += 4) {
    rgba[i] = fill[0];
    rgba[i + 1] = fill[1];
    rgba[i + 2] = fill[2];
    rgba[i + 3] = fill[3];
  }
  return { width, height, rgba };
}

/**
 * Throws unless `width` and `height` are integers ≥ 1 and `rgba` holds exactly
 * `width × height × 4` bytes.
 */
export function assertRgba(rgba: RgbaBytes, width: number, height: number, what = 'rgba'): void {
  assertInteger('width', width);
  assertInteger('height', height);
  assertLength(what, rgba.length, width * height * 4, `${height}×${width} RGBA`);
}

/**
 * Upscales an RGBA image by an integer factor with nearest-neighbour sampling (every pixel
 * becomes a `scale × scale` block). `scale = 1` returns a copy.
 *
 * @throws Error if `scale` is not an integer ≥ 1 or the size does not match.
 */
export function upscaleNearest(rgba: RgbaBytes, width: number, height: number, scale: number): RgbaImage {
  assertRgba(rgba, width, height);
  assertInteger('scale', scale);
  const w = width * scale;
  const h = height * scale;
  const out = new Uint8ClampedArray(w * h * 4);
  const src = new Uint32Array(rgba.buffer.slice(rgba.byteOffset, rgba.byteOffset + rgba.byteLength));
  const dst = new Uint32Array(out.buffer);
  for (let y = 0; y < h; y++) {
    const srcRow = Math.floor(y / scale) * width;
    const dstRow = y * w;
    for (let x = 0; x < w; x++) dst[dstRow + x] = src[srcRow + Math.floor(x / scale)] as number;
  }
  return { width: w, height: h, rgba: out };
}
