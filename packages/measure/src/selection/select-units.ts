/**
 * Neuron and channel selection at a layer (paper 001, METHODS.md §3): the measure's data-dependent
 * selections ({@link topK}, {@link topFraction}, {@link threshold}) read back as the selected unit
 * indices per sample.
 */
import { InvalidArgumentError } from '@nrm/core';
import type { RelevanceMeasure } from '../measure.js';
import { threshold, topFraction, topK, type SelectionUnit, type ThresholdSet, type TopFractionSet, type TopKSet } from '../sets.js';

/** How units are selected: the top `k`, the top fraction `p`, or a threshold `τ·max|R|`. */
export type SelectMode = 'topk' | 'fraction' | 'threshold';

/** A selection rule, e.g. `{ select: 'topk', value: 5, unit: 'channel' }`. */
export interface SelectSpec {
  /** `'topk'`: `value = k`; `'fraction'`: `value = p ∈ [0, 1]`; `'threshold'`: `value = τ` (keeps `R ≥ τ·max|R|`). */
  readonly select: SelectMode;
  /** `k`, `p` or `τ` (see {@link SelectSpec.select}). */
  readonly value: number;
  /** What is ranked: whole channels (relevance summed over positions; the default) or single neurons. */
  readonly unit?: SelectionUnit;
}

/** The measure's set behind a {@link SelectSpec}. */
export type SelectionSet = TopKSet | TopFractionSet | ThresholdSet;

/** The units selected at one layer, per sample. */
export interface UnitSelection {
  /** The layer, as named by the caller. */
  readonly layer: string;
  /** The rule, with the unit filled in. */
  readonly spec: Required<SelectSpec>;
  /** The measure's set (resolved per sample into a mask); use it as an event of joints and heatmaps. */
  readonly set: SelectionSet;
  /** Units per layer: channels (last axis) or neurons (the layer's size). */
  readonly unitCount: number;
  /**
   * `units[n]`: the selected units of sample `n`, highest raw relevance first (ties: lower index
   * first), as the measure ranks them; where the layer's total `Z_l` is negative that is the lowest
   * `μ` first. A unit is a channel index for `unit: 'channel'`, a flat row-major neuron index (no
   * batch axis) for `unit: 'neuron'`.
   */
  readonly units: number[][];
  /** `values[n][i] = μ(units[n][i] @ layer)`, the unit's normalized relevance (NaN where `Z_l ≈ 0`). */
  readonly values: number[][];
}

/** The measure's selection set for a rule at a layer (validates `k`, `p`, `τ` and the unit). */
export function selectionSet(layer: string, spec: SelectSpec): SelectionSet {
  const unit = spec.unit ?? 'channel';
  switch (spec.select) {
    case 'topk':
      return topK(layer, spec.value, { unit });
    case 'fraction':
      return topFraction(layer, spec.value, { unit });
    case 'threshold':
      return threshold(layer, spec.value, { unit });
    default:
      throw new InvalidArgumentError(`select must be 'topk', 'fraction' or 'threshold', got '${String(spec.select)}'.`);
  }
}

/** Per-unit sums `[U]` of one sample's relevance `[...shape]` (channels: summed over positions). */
function unitSums(data: ArrayLike<number>, offset: number, size: number, units: number, unit: SelectionUnit): Float64Array {
  const sums = new Float64Array(units);
  for (let i = 0; i < size; i++) sums[unit === 'channel' ? i % units : i]! += data[offset + i]!;
  return sums;
}

/**
 * The units of `layer` selected by `spec`, per sample. The selection is the measure's own
 * ({@link topK}, {@link topFraction} or {@link threshold} on the unconditioned relevance: signed,
 * highest first, ties to the lower index), so `result.set` masks exactly the listed units. The
 * unit defaults to `'channel'`; on a 1-d layer a channel is a neuron. Reads the mask and the
 * layer's relevance to the host; leaves no tensors behind.
 */
export async function selectUnits(measure: RelevanceMeasure, layer: string, spec: SelectSpec): Promise<UnitSelection> {
  const set = selectionSet(layer, spec);
  const shape = measure.layer(layer).shape;
  const size = shape.reduce((a, b) => a * b, 1);
  const unitCount = unitCountOf(shape, set.unit);
  const mask = measure.mask(set);
  const relevance = measure.relevance(layer);
  const totals = measure.totals(layer);
  let maskData: ArrayLike<number>;
  let relevanceData: ArrayLike<number>;
  let total: number[];
  let zero: Set<number>;
  try {
    maskData = await mask.data();
    relevanceData = await relevance.data();
    const t = await totals.read();
    total = t.total;
    zero = new Set(t.flags.map((f) => f.sample));
  } finally {
    mask.dispose();
    relevance.dispose();
    totals.dispose();
  }
  const units: number[][] = [];
  const values: number[][] = [];
  for (let n = 0; n < measure.batch; n++) {
    const sums = unitSums(relevanceData, n * size, size, unitCount, set.unit);
    // A channel mask is broadcast over positions: read it at the first position.
    const picked = Array.from({ length: unitCount }, (_, u) => u).filter((u) => maskData[n * size + u]! !== 0);
    picked.sort((a, b) => sums[b]! - sums[a]! || a - b);
    units.push(picked);
    values.push(picked.map((u) => (zero.has(n) ? Number.NaN : sums[u]! / total[n]!)));
  }
  return { layer, spec: { select: spec.select, value: spec.value, unit: set.unit }, set, unitCount, units, values };
}

/** How many units a selection of `unit`s ranks at a layer of this shape. */
export function unitCountOf(shape: readonly number[], unit: SelectionUnit): number {
  return unit === 'channel' ? (shape[shape.length - 1] ?? 1) : shape.reduce((a, b) => a * b, 1);
}

/**
 * {@link selectUnits} at each of `layers` with one rule (e.g. `topk:5` channels at every layer).
 * A top-`k` larger than a layer's unit count keeps the whole layer there (`k` is clamped per layer;
 * the clamped `k` is in that selection's `spec`).
 */
export async function selectLayers(measure: RelevanceMeasure, layers: readonly string[], spec: SelectSpec): Promise<UnitSelection[]> {
  const unit = spec.unit ?? 'channel';
  const selections: UnitSelection[] = [];
  measure.prepare(layers);
  for (const layer of layers) {
    const count = unitCountOf(measure.layer(layer).shape, unit);
    const value = spec.select === 'topk' && Number.isInteger(spec.value) ? Math.min(spec.value, count) : spec.value;
    selections.push(await selectUnits(measure, layer, { select: spec.select, value, unit }));
  }
  return selections;
}
