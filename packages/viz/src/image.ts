/** Image files (PNG and JPEG) decoded to RGBA, bilinear resizing and heatmap overlays. */
import jpeg from 'jpeg-js';
import { decodePng } from './png.js';
import { assertRgba, type RgbaBytes, type RgbaImage } from './rgba-image.js';
import { assertInteger } from './validate.js';

const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const JPEG_MAGIC = [0xff, 0xd8, 0xff];

/** The format of an image file's bytes by its magic number, or `undefined` if neither PNG nor JPEG. */
export function imageFormat(bytes: Uint8Array): 'png' | 'jpeg' | undefined {
  const starts = (magic: readonly number[]) => bytes.length >= magic.length && magic.every((b, i) => bytes[i] === b);
  if (starts(PNG_MAGIC)) return 'png';
  if (starts(JPEG_MAGIC)) return 'jpeg';
  return undefined;
}

/**
 * Decodes a PNG or JPEG file (detected by its magic bytes) to 8-bit RGBA.
 *
 * @throws Error if the bytes are neither a PNG nor a JPEG, or cannot be decoded.
 */
export function decodeImage(bytes: Uint8Array): RgbaImage {
  const format = imageFormat(bytes);
  if (format === 'png') return decodePng(bytes);
  if (format === 'jpeg') {
    let img;
    try {
      img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true });
    } catch (err) {
      throw new Error(`Cannot decode JPEG: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
    const rgba = new Uint8ClampedArray(img.data.buffer, img.data.byteOffset, img.data.byteLength);
    if (img.width < 1 || img.height < 1 || rgba.length !== img.width * img.height * 4) throw new Error('Cannot decode JPEG: bad image size.');
    return { width: img.width, height: img.height, rgba };
  }
  throw new Error('Not a PNG or JPEG image (unknown magic bytes).');
}

/**
 * Encodes RGBA pixels as a baseline JPEG (alpha is dropped).
 *
 * @param quality - 1…100 (default 90).
 */
export function encodeJpeg(rgba: RgbaBytes, width: number, height: number, quality = 90): Uint8Array {
  assertRgba(rgba, width, height);
  const buf = jpeg.encode({ width, height, data: rgba }, quality);
  return new Uint8Array(buf.data.buffer, buf.data.byteOffset, buf.data.byteLength);
}

/**
 * Resizes an RGBA image to `outWidth × outHeight` with bilinear sampling (pixel centres aligned,
 * as in `tf.image.resizeBilinear` with half-pixel centres). The same size returns a copy.
 *
 * @throws Error if a size is not an integer ≥ 1 or the pixel count does not match.
 */
export function resizeBilinear(rgba: RgbaBytes, width: number, height: number, outWidth: number, outHeight: number): Uint8ClampedArray {
  assertRgba(rgba, width, height);
  assertInteger('outWidth', outWidth);
  assertInteger('outHeight', outHeight);
  if (outWidth === width && outHeight === height) return new Uint8ClampedArray(rgba);
  const out = new Uint8ClampedArray(outWidth * outHeight * 4);
  const sx = width / outWidth;
  const sy = height / outHeight;
  for (let y = 0; y < outHeight; y++) {
    const fy = Math.min(Math.max((y + 0.5) * sy - 0.5, 0), height - 1);
    const y0 = Math.floor(fy);
    const y1 = Math.min(y0 + 1, height - 1);
    const wy = fy - y0;
    for (let x = 0; x < outWidth; x++) {
      const fx = Math.min(Math.max((x + 0.5) * sx - 0.5, 0), width - 1);
      const x0 = Math.floor(fx);
      const x1 = Math.min(x0 + 1, width - 1);
      const wx = fx - x0;
      const a = (y0 * width + x0) * 4;
      const b = (y0 * width + x1) * 4;
      const c = (y1 * width + x0) * 4;
      const d = (y1 * width + x1) * 4;
      const o = (y * outWidth + x) * 4;
      for (let k = 0; k < 4; k++) {
        const top = (rgba[a + k] as number) * (1 - wx) + (rgba[b + k] as number) * wx;
        const bottom = (rgba[c + k] as number) * (1 - wx) + (rgba[d + k] as number) * wx;
        out[o + k] = Math.round(top * (1 - wy) + bottom * wy);
      }
    }
  }
  return out;
}

/**
 * Blends a heatmap over an image of the same size: the image is shown in gray (luma) underneath,
 * `out = alpha · heatmap + (1 − alpha) · gray(image)`, opaque.
 *
 * @param alpha - The heatmap's weight in [0, 1] (default 0.5).
 * @throws Error if the lengths differ, are not whole pixels, or alpha is outside [0, 1].
 */
export function overlayHeatmap(imageRgba: RgbaBytes, heatmapRgba: RgbaBytes, alpha = 0.5): Uint8ClampedArray {
  if (imageRgba.length !== heatmapRgba.length || imageRgba.length % 4 !== 0) {
    throw new Error(`overlayHeatmap needs two RGBA images of the same size; got ${imageRgba.length} and ${heatmapRgba.length} bytes.`);
  }
  if (!(alpha >= 0 && alpha <= 1)) throw new Error(`alpha must be in [0, 1]; got ${alpha}.`);
  const out = new Uint8ClampedArray(imageRgba.length);
  for (let i = 0; i < imageRgba.length; i += 4) {
    const gray = 0.299 * (imageRgba[i] as number) + 0.587 * (imageRgba[i + 1] as number) + 0.114 * (imageRgba[i + 2] as number);
    for (let k = 0; k < 3; k++) out[i + k] = Math.round(alpha * (heatmapRgba[i + k] as number) + (1 - alpha) * gray);
    out[i + 3] = 255;
  }
  return out;
}
