/**
 * Normalisation of raw values (relevance, pixel intensities) to t ∈ [0, 1] for a colormap,
 * following Zennit's `interval_norm_bounds`.
 */

/** Options of {@link normalize}. */
export interface NormalizeOptions {
  /**
   * `true` (default): symmetric around 0 (Zennit's `symmetric=True`),
   * `t = (v / vmax + 1) / 2` with `vmax = max|v|`, so 0 maps to 0.5 (the centre of a diverging
   * colormap) and the sign is preserved (negative → t < 0.5, positive → t > 0.5).
   * `false`: min–max, `t = (v - vmin) / (vmax - vmin)`, for gray images.
   */
  readonly symmetric?: boolean;
  /**
   * Overrides the computed maximum: with `symmetric`, the absolute value mapped to t = 1 (and its
   * negation to t = 0), which must be finite and > 0; without, the value mapped to t = 1. Use one
   * `vmax` for several heatmaps to put them on the same scale. Values beyond are clamped.
   */
  readonly vmax?: number | undefined;
  /**
   * Overrides the computed minimum (the value mapped to t = 0). Only for `symmetric: false`;
   * passing it with `symmetric: true` throws.
   */
  readonly vmin?: number | undefined;
}

/**
 * Throws an Error naming the first NaN or ±Infinity in `values` and its index.
 *
 * @param what - How to call `values` in the message.
 */
export function assertFinite(values: ArrayLike<number>, what = 'values'): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (!Number.isFinite(v)) {
      throw new Error(`${what} contains a non-finite value (${String(v)}) at index ${i}; cannot normalise NaN or Infinity.`);
    }
  }
}

/**
 * The bounds `[vmin, vmax]` that {@link normalize} maps to 0 and 1.
 * Symmetric: `[-m, m]` with `m = vmax ?? max|v|` (so `[0, 0]` for an all-zero input).
 * Min–max: `[vmin ?? min(v), vmax ?? max(v)]`.
 *
 * @throws Error on NaN/Infinity in `values` or on invalid overrides.
 */
export function normalizationBounds(values: ArrayLike<number>, options: NormalizeOptions = {}): [vmin: number, vmax: number] {
  const { symmetric = true, vmin, vmax } = options;
  assertFinite(values);
  if (vmax !== undefined && !Number.isFinite(vmax)) throw new Error(`vmax must be a finite number, got ${String(vmax)}.`);
  if (vmin !== undefined && !Number.isFinite(vmin)) throw new Error(`vmin must be a finite number, got ${String(vmin)}.`);
  if (symmetric) {
    if (vmin !== undefined) {
      throw new Error('vmin cannot be used with symmetric normalisation (the bounds are [-vmax, vmax]); pass symmetric: false to set it.');
    }
    if (vmax !== undefined) {
      if (vmax <= 0) throw new Error(`vmax must be > 0 for symmetric normalisation, got ${vmax}.`);
      return [-vmax, vmax];
    }
    let m = 0;
    for (let i = 0; i < values.length; i++) m = Math.max(m, Math.abs(values[i] as number));
    return [-m, m];
  }
  let lo = Infinity;
  let hi = -Infinity;
  if (vmin === undefined || vmax === undefined) {
    for (let i = 0; i < values.length; i++) {
      const v = values[i] as number;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    if (values.length === 0) lo = hi = 0;
  }
  const b0 = vmin ?? lo;
  const b1 = vmax ?? hi;
  if (b1 < b0) throw new Error(`vmax (${b1}) must not be below vmin (${b0}).`);
  return [b0, b1];
}

/**
 * Maps `values` to t ∈ [0, 1] (see {@link NormalizeOptions}); out-of-range values are clamped.
 * Degenerate ranges: symmetric with an all-zero input gives all 0.5 (the colormap's centre);
 * min–max with `vmin === vmax` gives all 0.
 *
 * @returns A new array of the same length.
 * @throws Error on NaN/Infinity in `values` or on invalid options.
 */
export function normalize(values: ArrayLike<number>, options: NormalizeOptions = {}): Float32Array {
  const symmetric = options.symmetric ?? true;
  const [lo, hi] = normalizationBounds(values, options);
  const out = new Float32Array(values.length);
  if (symmetric) {
    if (hi === 0) return out.fill(0.5);
    for (let i = 0; i < values.length; i++) out[i] = clamp01(((values[i] as number) / hi + 1) / 2);
    return out;
  }
  const range = hi - lo;
  if (range === 0) return out;
  for (let i = 0; i < values.length; i++) out[i] = clamp01(((values[i] as number) - lo) / range);
  return out;
}

function clamp01(t: number): number {
  return t < 0 ? 0 : t > 1 ? 1 : t;
}
