/**
 * Colormaps: piecewise-linear maps from t ∈ [0, 1] to RGB bytes.
 *
 * The built-in maps follow the colour stops of Zennit's `zennit.image.CMAPS`. Zennit places its
 * centre stop at palette index 0x80 (t = 128/255 ≈ 0.502); here the centre stop of the diverging
 * maps sits at exactly t = 0.5, so that a relevance of 0 under symmetric normalisation lands
 * exactly on the centre colour.
 */

/** An RGB colour as three bytes (0–255). */
export type Rgb = readonly [r: number, g: number, b: number];

/** One colour stop: the colour `color` at position `at` ∈ [0, 1]. */
export interface ColorStop {
  /** Position in [0, 1]. */
  readonly at: number;
  /** Colour at that position. */
  readonly color: Rgb;
}

/** Names of the built-in colormaps. */
export type ColormapName = 'bwr' | 'coldnhot' | 'seismic' | 'gray';

/** A colormap: a name, its colour stops, and the map from t to RGB. */
export interface Colormap {
  /** Name, used in error messages and by {@link getColormap}. */
  readonly name: string;
  /** Stops in ascending order of `at`; the first is at 0 and the last at 1. */
  readonly stops: readonly ColorStop[];
  /**
   * The colour at `t`, interpolated linearly between the neighbouring stops and rounded to
   * bytes. `t` outside [0, 1] is clamped; NaN throws.
   */
  at(t: number): Rgb;
  /**
   * Like {@link Colormap.at}, but writes the colour into `out[offset..offset+2]` without
   * allocating (for filling pixel buffers).
   */
  write(t: number, out: Uint8Array | Uint8ClampedArray, offset: number): void;
}

/**
 * Builds a colormap from colour stops.
 *
 * @param name - Name of the map.
 * @param stops - At least two stops with `at` non-decreasing from exactly 0 to exactly 1 and
 *   colour channels that are integers in 0–255. Two stops may share a position to make a hard edge
 *   (the later one wins at that position).
 * @throws Error if the stops are malformed.
 */
export function createColormap(name: string, stops: readonly ColorStop[]): Colormap {
  if (stops.length < 2) throw new Error(`Colormap '${name}' needs at least 2 stops, got ${stops.length}.`);
  stops.forEach((stop, i) => {
    if (!(stop.at >= 0 && stop.at <= 1)) {
      throw new Error(`Colormap '${name}': stop ${i} is at ${stop.at}, outside [0, 1].`);
    }
    const prev = stops[i - 1];
    if (prev !== undefined && stop.at < prev.at) {
      throw new Error(`Colormap '${name}': stops must be in ascending order (stop ${i} at ${stop.at} < ${prev.at}).`);
    }
    if (stop.color.length !== 3 || stop.color.some((c) => !Number.isInteger(c) || c < 0 || c > 255)) {
      throw new Error(`Colormap '${name}': stop ${i} colour must be three integers in 0–255.`);
    }
  });
  const first = stops[0];
  const last = stops[stops.length - 1];
  if (first?.at !== 0 || last?.at !== 1) {
    throw new Error(`Colormap '${name}': the first stop must be at 0 and the last at 1.`);
  }
  const frozen: readonly ColorStop[] = Object.freeze(
    stops.map((s) => Object.freeze({ at: s.at, color: Object.freeze([s.color[0], s.color[1], s.color[2]] as const) })),
  );

  const write = (t: number, out: Uint8Array | Uint8ClampedArray, offset: number): void => {
    if (Number.isNaN(t)) throw new Error(`Colormap '${name}' got NaN; t must be a number in [0, 1].`);
    const x = t < 0 ? 0 : t > 1 ? 1 : t;
    // Last stop whose position is ≤ x (so a repeated position takes the later colour).
    let i = 0;
    while (i < frozen.length - 2 && (frozen[i + 1] as ColorStop).at <= x) i++;
    const lo = frozen[i] as ColorStop;
    const hi = frozen[i + 1] as ColorStop;
    const span = hi.at - lo.at;
    const f = span > 0 ? Math.min(1, Math.max(0, (x - lo.at) / span)) : 1;
    for (let c = 0; c < 3; c++) {
      const a = lo.color[c] as number;
      const b = hi.color[c] as number;
      out[offset + c] = Math.round(a + (b - a) * f);
    }
  };

  return Object.freeze({
    name,
    stops: frozen,
    write,
    at(t: number): Rgb {
      const out = new Uint8Array(3);
      write(t, out, 0);
      return [out[0] as number, out[1] as number, out[2] as number];
    },
  });
}

/** Evenly spaced stops from `from` to `to` (inclusive) for the given colours. */
function spread(from: number, to: number, colors: readonly Rgb[]): ColorStop[] {
  const n = colors.length - 1;
  return colors.map((color, i) => ({ at: i === n ? to : from + ((to - from) * i) / n, color }));
}

const BLACK: Rgb = [0, 0, 0];
const WHITE: Rgb = [255, 255, 255];
const RED: Rgb = [255, 0, 0];
const BLUE: Rgb = [0, 0, 255];
const CYAN: Rgb = [0, 255, 255];
const YELLOW: Rgb = [255, 255, 0];

/**
 * The built-in colormaps:
 * - `bwr`: blue → white (centre) → red; Zennit's default for relevance heatmaps.
 * - `coldnhot`: cyan → blue → black (centre) → red → yellow → white.
 * - `seismic`: like `bwr` with brightness 0xd0: (0,0,208) → (208,208,208) → (208,0,0).
 * - `gray`: black → white, for input images.
 */
export const colormaps: Readonly<Record<ColormapName, Colormap>> = Object.freeze({
  bwr: createColormap('bwr', spread(0, 1, [BLUE, WHITE, RED])),
  coldnhot: createColormap('coldnhot', [
    ...spread(0, 0.5, [CYAN, BLUE, BLACK]),
    ...spread(0.5, 1, [BLACK, RED, YELLOW, WHITE]).slice(1),
  ]),
  seismic: createColormap('seismic', spread(0, 1, [[0, 0, 0xd0], [0xd0, 0xd0, 0xd0], [0xd0, 0, 0]])),
  gray: createColormap('gray', spread(0, 1, [BLACK, WHITE])),
});

/** The names of the built-in colormaps, in a stable order. */
export const colormapNames: readonly ColormapName[] = Object.freeze(Object.keys(colormaps) as ColormapName[]);

/** Whether `name` is the name of a built-in colormap. */
export function isColormapName(name: string): name is ColormapName {
  return Object.prototype.hasOwnProperty.call(colormaps, name);
}

/**
 * Looks up a built-in colormap by name; a {@link Colormap} object is returned as is.
 *
 * @throws Error naming the unknown name and listing the valid ones.
 */
export function getColormap(name: string | Colormap): Colormap {
  if (typeof name !== 'string') return name;
  if (isColormapName(name)) return colormaps[name];
  throw new Error(`Unknown colormap '${name}'; valid colormaps: ${colormapNames.join(', ')}.`);
}
