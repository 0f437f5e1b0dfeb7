/** Heatmaps: relevance maps rendered to RGBA through a colormap. */
import { getColormap, type Colormap, type ColormapName } from './colormap.js';
import { normalize, type NormalizeOptions } from './normalize.js';
import { assertInteger, assertLength } from './validate.js';

/** Options of {@link heatmapToRgba}. */
export interface HeatmapOptions {
  /** Colormap name or object; default `'bwr'`. */
  readonly cmap?: ColormapName | Colormap | (string & {});
  /** Symmetric normalisation around 0 (default `true`); `false` for min–max (gray images). */
  readonly symmetric?: boolean;
  /** Fixed scale instead of the map's own maximum (see {@link NormalizeOptions.vmax}). */
  readonly vmax?: number | undefined;
  /** Fixed minimum, only with `symmetric: false` (see {@link NormalizeOptions.vmin}). */
  readonly vmin?: number | undefined;
}

/**
 * Renders a `height × width` map of values (row-major) to opaque RGBA: the values are normalised
 * to [0, 1] (symmetric around 0 by default, so 0 relevance is the colormap's centre — white for
 * `bwr`) and coloured with the colormap.
 *
 * @returns `height × width × 4` bytes, alpha 255.
 * @throws Error if the length does not match, on NaN/Infinity, or on an unknown colormap.
 */
export function heatmapToRgba(
  values: Float32Array | Float64Array | readonly number[],
  height: number,
  width: number,
  options: HeatmapOptions = {},
): Uint8ClampedArray {
  assertInteger('height', height);
  assertInteger('width', width);
  assertLength('values', values.length, height * width, `a ${height}×${width} heatmap`);
  const cmap = getColormap(options.cmap ?? 'bwr');
  const t = normalize(values, { symmetric: options.symmetric ?? true, vmax: options.vmax, vmin: options.vmin });
  const out = new Uint8ClampedArray(t.length * 4);
  for (let i = 0; i < t.length; i++) {
    cmap.write(t[i] as number, out, i * 4);
    out[i * 4 + 3] = 255;
  }
  return out;
}

/**
 * Sums an `[H, W, C]` array (NHWC without the batch axis, row-major) over its channel axis: the
 * usual way to turn a relevance tensor for an image into one heatmap value per pixel.
 *
 * @param shape - `[H, W, C]`; `H × W × C` must equal `data.length`.
 * @returns `H × W` values, row-major.
 * @throws Error if the shape is invalid or does not match.
 */
export function sumChannels(
  data: Float32Array | Float64Array | readonly number[],
  shape: readonly [height: number, width: number, channels: number],
): Float32Array {
  const [h, w, c] = shape;
  assertInteger('height (shape[0])', h);
  assertInteger('width (shape[1])', w);
  assertInteger('channels (shape[2])', c);
  assertLength('data', data.length, h * w * c, `shape [${h}, ${w}, ${c}]`);
  const out = new Float32Array(h * w);
  for (let p = 0; p < h * w; p++) {
    let s = 0;
    for (let k = 0; k < c; k++) s += data[p * c + k] as number;
    out[p] = s;
  }
  return out;
}

/** Options of {@link imageToRgba}. */
export interface ImageOptions {
  /** Value shown as black; default the image's minimum. */
  readonly vmin?: number | undefined;
  /** Value shown as white (full intensity); default the image's maximum. */
  readonly vmax?: number | undefined;
}

/**
 * Renders an input image given as `[H, W, C]` values with C = 1 (grayscale, through the `gray`
 * colormap) or C = 3 (RGB) to opaque RGBA, min–max normalised over all channels together (pass
 * `vmin`/`vmax`, e.g. 0 and 1 or 0 and 255, to keep the original intensities).
 *
 * @throws Error if C is not 1 or 3, the shape does not match, or on NaN/Infinity.
 */
export function imageToRgba(
  data: Float32Array | Float64Array | readonly number[],
  shape: readonly [height: number, width: number, channels: number],
  options: ImageOptions = {},
): Uint8ClampedArray {
  const [h, w, c] = shape;
  assertInteger('height (shape[0])', h);
  assertInteger('width (shape[1])', w);
  if (c !== 1 && c !== 3) throw new Error(`An image needs 1 or 3 channels, got ${String(c)}.`);
  assertLength('data', data.length, h * w * c, `shape [${h}, ${w}, ${c}]`);
  if (c === 1) return heatmapToRgba(data, h, w, { cmap: 'gray', symmetric: false, vmin: options.vmin, vmax: options.vmax });
  const t = normalize(data, { symmetric: false, vmin: options.vmin, vmax: options.vmax });
  const out = new Uint8ClampedArray(h * w * 4);
  for (let p = 0; p < h * w; p++) {
    out[p * 4] = Math.round((t[p * 3] as number) * 255);
    out[p * 4 + 1] = Math.round((t[p * 3 + 1] as number) * 255);
    out[p * 4 + 2] = Math.round((t[p * 3 + 2] as number) * 255);
    out[p * 4 + 3] = 255;
  }
  return out;
}
