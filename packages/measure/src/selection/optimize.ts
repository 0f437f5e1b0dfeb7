/**
 * Tuning a selection (paper 001, METHODS.md §3): sweep the top-`k` channels kept at every chosen
 * layer and score each selection's input heatmap against the full heatmap with MSE and SMAPE.
 */
import { InvalidArgumentError } from '@nrm/core';
import type { RelevanceMeasure } from '../measure.js';
import type { SelectionUnit } from '../sets.js';
import { mse, smape } from './metrics.js';
import { selectLayers, unitCountOf } from './select-units.js';
import { selectionHeatmap } from './selection-heatmap.js';

/** Which error decides the optimum. */
export type SelectionMetric = 'mse' | 'smape';

/** Options of {@link optimizeSelection}. */
export interface OptimizeOptions {
  /** The swept selection: top-`k` (the same `k` at every layer, clamped to each layer's units). */
  readonly select: 'topk';
  /** The `k` to try (integers ≥ 1, tried in ascending order), or `'auto'` (see {@link autoKValues}). */
  readonly values: readonly number[] | 'auto';
  /** The error compared with the tolerance. */
  readonly metric: SelectionMetric;
  /** The largest acceptable error (MSE of sum-1 heatmaps, or SMAPE in percent, 0–200). */
  readonly tolerance: number;
  /** Rank channels (default) or neurons. */
  readonly unit?: SelectionUnit;
}

/** One point of the error curve; the errors and kept mass are means over the samples. */
export interface CurvePoint {
  /** The `k` kept at every layer (before clamping). */
  readonly k: number;
  /** Mean over samples of the MSE between the selection's and the full normalized heatmap. */
  readonly mse: number;
  /** Mean over samples of their SMAPE, in percent. */
  readonly smape: number;
  /** Mean over samples of the kept mass `μ(all@input, selection)`. */
  readonly keptMass: number;
  /** The same three per sample. */
  readonly perSample: { readonly mse: number[]; readonly smape: number[]; readonly keptMass: number[] };
}

/** What {@link optimizeSelection} returns. */
export interface OptimizeResult {
  /** The error that decides. */
  readonly metric: SelectionMetric;
  /** The tolerance. */
  readonly tolerance: number;
  /** The whole error curve, ascending in `k`. */
  readonly curve: CurvePoint[];
  /** The smallest tried `k` whose error is ≤ the tolerance; `null` if none (NaN errors never pass). */
  readonly k: number | null;
}

/**
 * The `k` of `values: 'auto'`: with `U` the most units of any chosen layer, every `k` in `1 … U`
 * when `U ≤ 64`, else the geometric grid `1, 2, 3, 4, 6, 8, 12, 16, 24, …` below `U`, and `U`
 * itself (every unit: the error is 0 there).
 */
export function autoKValues(maxUnits: number): number[] {
  if (maxUnits <= 64) return Array.from({ length: maxUnits }, (_, i) => i + 1);
  const values = [1];
  for (let p = 2; p < maxUnits; p *= 2) {
    values.push(p);
    if (p + p / 2 < maxUnits) values.push(p + p / 2);
  }
  values.push(maxUnits);
  return values;
}

function kValues(options: OptimizeOptions, maxUnits: number): number[] {
  if (options.values === 'auto') return autoKValues(maxUnits);
  if (options.values.length === 0) throw new InvalidArgumentError('optimizeSelection needs at least one k.');
  for (const k of options.values) if (!Number.isInteger(k) || k < 1) throw new InvalidArgumentError(`optimizeSelection needs integers k ≥ 1, got ${k}.`);
  return [...new Set(options.values)].sort((a, b) => a - b);
}

const mean = (values: readonly number[]) => values.reduce((a, b) => a + b, 0) / values.length;

/**
 * Sweeps `k` and scores each selection (the top `k` units at every layer of `layers`) by its
 * input heatmap against the full (unconditioned) input heatmap. **Both heatmaps are normalized to
 * sum to 1 per sample** (each divided by its own signed total, as the measure's conditional
 * heatmaps are), so the errors compare the shapes of the heatmaps and not how much relevance the
 * selection keeps; that is `keptMass`. Per sample: `mse(full, selection)` and
 * `smape(full, selection)` over every input element (a NaN heatmap, whose total is ≈ 0, gives NaN
 * errors); the curve holds their means over the samples. Returns the whole curve and the smallest
 * `k` whose `metric` is ≤ `tolerance`. One backward walk per `k` (plus one for the full heatmap).
 */
export async function optimizeSelection(measure: RelevanceMeasure, layers: readonly string[], options: OptimizeOptions): Promise<OptimizeResult> {
  if (options.select !== 'topk') throw new InvalidArgumentError(`optimizeSelection sweeps 'topk' selections, got '${String(options.select)}'.`);
  if (options.metric !== 'mse' && options.metric !== 'smape') throw new InvalidArgumentError(`metric must be 'mse' or 'smape', got '${String(options.metric)}'.`);
  if (!(options.tolerance >= 0) || !Number.isFinite(options.tolerance)) throw new InvalidArgumentError(`tolerance must be a finite number ≥ 0, got ${options.tolerance}.`);
  if (layers.length === 0) throw new InvalidArgumentError('optimizeSelection needs at least one layer.');
  const unit = options.unit ?? 'channel';
  const maxUnits = Math.max(...layers.map((l) => unitCountOf(measure.layer(l).shape, unit)));
  const values = kValues(options, maxUnits);
  const full = await selectionHeatmap(measure, []);
  const size = full.heatmap.length / measure.batch;
  const sample = (h: Float32Array, n: number) => h.subarray(n * size, (n + 1) * size);
  const curve: CurvePoint[] = [];
  for (const k of values) {
    const selections = await selectLayers(measure, layers, { select: 'topk', value: k, unit });
    const heat = await selectionHeatmap(measure, selections);
    const perSample = { mse: [] as number[], smape: [] as number[], keptMass: heat.keptMass };
    for (let n = 0; n < measure.batch; n++) {
      perSample.mse.push(mse(sample(full.heatmap, n), sample(heat.heatmap, n)));
      perSample.smape.push(smape(sample(full.heatmap, n), sample(heat.heatmap, n)));
    }
    curve.push({ k, mse: mean(perSample.mse), smape: mean(perSample.smape), keptMass: mean(heat.keptMass), perSample });
  }
  const best = curve.find((p) => p[options.metric] <= options.tolerance);
  return { metric: options.metric, tolerance: options.tolerance, curve, k: best ? best.k : null };
}
