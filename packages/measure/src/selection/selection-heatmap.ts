/**
 * The heatmap of a selection: keep only the selected units at every chosen layer (a mask at each,
 * i.e. a joint) and propagate on to the input.
 */
import type { HeatmapOptions } from '../conditional.js';
import type { MeasureFlag } from '../flags.js';
import type { RelevanceMeasure } from '../measure.js';
import type { ConditionalHeatmap } from '../results.js';
import type { NeuronSet } from '../sets.js';
import type { UnitSelection } from './select-units.js';

/** A selection at one layer: a {@link UnitSelection} or any neuron set of the measure. */
export type SelectionInput = UnitSelection | NeuronSet;

/** Host copy of the heatmap of a selection. */
export interface SelectionHeatmapData {
  /** The heatmap's layer (default the input). */
  readonly layer: string;
  /** `[N, ...layer shape]`. */
  readonly shape: number[];
  /**
   * The joint relevance normalized to sum to 1 per sample, `raw / Σ raw` (NaN where that sum is
   * ≈ 0, with a `heatmap-zero` flag).
   */
  readonly heatmap: Float32Array;
  /**
   * The raw joint relevance at the layer: the relevance that passed through the selected units at
   * every chosen layer. Selecting every unit gives the plain LRP relevance, bit for bit.
   */
  readonly raw: Float32Array;
  /**
   * Kept mass per sample, `μ(all@layer, S_1@l_1, …) / μ(all@layer) = Σ raw / Z_layer`: the share
   * of the layer's relevance carried by walks through the selection (`μ(all@layer) = 1`).
   */
  readonly keptMass: number[];
  /** `μ(S_1@l_1, …)` per sample, normalized at the lowest selection layer (1 without selections). */
  readonly given: number[];
  /** The raw total `Z_layer` of the unconditioned relevance, per sample. */
  readonly total: number[];
  /** Flags (`heatmap-zero`, `given-zero`, `given-negative`, `total-zero`). */
  readonly flags: MeasureFlag[];
}

/** The measure's set behind a selection input. */
export function selectionEvent(selection: SelectionInput): NeuronSet {
  return 'kind' in selection ? selection : selection.set;
}

/** Reads a conditional heatmap to the host and disposes it. */
export async function readHeatmap(result: ConditionalHeatmap): Promise<SelectionHeatmapData> {
  try {
    const data = await result.read();
    return {
      layer: result.layer,
      shape: data.shape,
      heatmap: data.heatmap,
      raw: data.raw,
      keptMass: data.mass,
      given: data.given,
      total: data.total,
      flags: data.flags,
    };
  } finally {
    result.dispose();
  }
}

/**
 * The input heatmap (or the heatmap at `options.layer`) of a selection: every chosen layer is
 * masked to its selected units and the relevance that passes through all of them is recorded.
 * This is the measure's conditional heatmap given the selections (one backward walk); the result
 * is read to the host, so nothing is left to dispose. With no selections it is the plain
 * (unconditioned) heatmap.
 */
export async function selectionHeatmap(
  measure: RelevanceMeasure,
  selections: readonly SelectionInput[],
  options: HeatmapOptions = {},
): Promise<SelectionHeatmapData> {
  return readHeatmap(measure.conditionalHeatmap(selections.map(selectionEvent), options));
}
