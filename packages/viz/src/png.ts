/** PNG encoding and decoding (via pngjs). */
import pngjs from 'pngjs';
import { assertRgba, upscaleNearest, type RgbaBytes, type RgbaImage } from './rgba-image.js';

const { PNG } = pngjs;

/** Options of {@link encodePng}. */
export interface EncodePngOptions {
  /** Integer nearest-neighbour upscaling factor (default 1): each pixel becomes a `scale × scale` block. */
  readonly scale?: number;
}

/**
 * Encodes RGBA pixels (row-major, 4 bytes a pixel) as an 8-bit RGBA PNG.
 *
 * @returns The PNG file's bytes.
 * @throws Error if the size does not match or `scale` is not an integer ≥ 1.
 */
export function encodePng(rgba: RgbaBytes, width: number, height: number, options: EncodePngOptions = {}): Uint8Array {
  assertRgba(rgba, width, height);
  const scale = options.scale ?? 1;
  const img = scale === 1 ? { width, height, rgba } : upscaleNearest(rgba, width, height, scale);
  const png = new PNG({ width: img.width, height: img.height });
  png.data = Buffer.from(img.rgba.buffer, img.rgba.byteOffset, img.rgba.byteLength);
  const buf = PNG.sync.write(png, { colorType: 6, inputColorType: 6, inputHasAlpha: true, bitDepth: 8 });
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}

/**
 * Decodes a PNG file (any colour type or bit depth pngjs reads) to 8-bit RGBA.
 *
 * @throws Error if the bytes are not a valid PNG.
 */
export function decodePng(bytes: Uint8Array): RgbaImage {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let png;
  try {
    png = PNG.sync.read(buf);
  } catch (err) {
    throw new Error(`Cannot decode PNG: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  const rgba = new Uint8ClampedArray(png.data.buffer, png.data.byteOffset, png.data.byteLength);
  return { width: png.width, height: png.height, rgba };
}
