/** Decoded RGBA images turned into model inputs (NHWC floats) for one image. */
import { InvalidArgumentError } from '@nrm/core';
import { resizeBilinear, type RgbaImage } from '@nrm/viz';

/** How an image becomes a model input. */
export interface ImageInputOptions {
  /** `[height, width]` of the model input; the image is resized (bilinear) to it. */
  readonly size: readonly [height: number, width: number];
  /** 1 = grayscale (luma), 3 = RGB. */
  readonly channels: 1 | 3;
  /** Pixel values 0…255 map linearly onto `[lo, hi]` (default `[0, 1]`). */
  readonly range?: readonly [lo: number, hi: number];
  /** Per-channel mean subtracted after scaling (one value, or one per channel). */
  readonly mean?: readonly number[];
  /** Per-channel standard deviation divided by after the mean (one value, or one per channel). */
  readonly std?: readonly number[];
}

function perChannel(name: string, values: readonly number[] | undefined, channels: number, fallback: number): number[] {
  if (values === undefined) return new Array<number>(channels).fill(fallback);
  if (values.length === 1) return new Array<number>(channels).fill(values[0]!);
  if (values.length !== channels) throw new InvalidArgumentError(`--${name} needs 1 or ${channels} values; got ${values.length}.`);
  return [...values];
}

/**
 * One image as a model input: resized to `size`, converted to grayscale (luma 0.299 R + 0.587 G
 * + 0.114 B) when `channels = 1`, scaled from 0…255 to `range`, then `(x − mean) / std`.
 *
 * @returns `H × W × channels` floats, row-major (NHWC without the batch axis of 1).
 */
export function imageToInput(image: RgbaImage, options: ImageInputOptions): Float32Array {
  const [h, w] = options.size;
  const c = options.channels;
  const [lo, hi] = options.range ?? [0, 1];
  const mean = perChannel('mean', options.mean, c, 0);
  const std = perChannel('std', options.std, c, 1);
  if (std.some((s) => s === 0 || !Number.isFinite(s))) throw new InvalidArgumentError('--std values must be finite and non-zero.');
  const rgba = resizeBilinear(image.rgba, image.width, image.height, w, h);
  const scale = (hi - lo) / 255;
  const out = new Float32Array(h * w * c);
  for (let p = 0; p < h * w; p++) {
    const r = rgba[p * 4] as number;
    const g = rgba[p * 4 + 1] as number;
    const b = rgba[p * 4 + 2] as number;
    if (c === 1) {
      out[p] = (lo + (0.299 * r + 0.587 * g + 0.114 * b) * scale - mean[0]!) / std[0]!;
    } else {
      out[p * 3] = (lo + r * scale - mean[0]!) / std[0]!;
      out[p * 3 + 1] = (lo + g * scale - mean[1]!) / std[1]!;
      out[p * 3 + 2] = (lo + b * scale - mean[2]!) / std[2]!;
    }
  }
  return out;
}
