/**
 * Neuron sets: plain data describing a set of neurons of one layer. They hold no tensors and know
 * no graph; a {@link RelevanceMeasure} resolves them lazily into 0/1 mask tensors of shape
 * `[N or 1, ...layer shape]` (`N` for the data-dependent selections and {@link perSample}).
 *
 * Indices are NHWC indices without the batch axis; "channel" is the last axis (for a 1-d layer a
 * channel is a neuron). A layer is named as the graph names it (`graph.layers`), by node id, or,
 * for the input layer, also `'input'`.
 */
import { InvalidArgumentError } from '@nrm/core';

/** What the data-dependent selections rank: single neurons, or whole channels (summed over positions). */
export type SelectionUnit = 'neuron' | 'channel';

/** A half-open window `[r0, r1) × [c0, c1)` of the spatial axes of a `[H, W, C]` layer. */
export interface Region {
  readonly rows: readonly [number, number];
  readonly cols: readonly [number, number];
}

/** Explicit neurons, one NHWC index (no batch axis) each, the same for every sample. */
export interface NeuronsSet {
  readonly kind: 'neurons';
  readonly layer: string;
  readonly indices: readonly (readonly number[])[];
}
/** Whole channels (last axis), the same for every sample. */
export interface ChannelsSet {
  readonly kind: 'channels';
  readonly layer: string;
  readonly channels: readonly number[];
}
/** Every channel inside a spatial window of a `[H, W, C]` layer. */
export interface RegionSet {
  readonly kind: 'region';
  readonly layer: string;
  readonly region: Region;
}
/** Some channels inside a spatial window of a `[H, W, C]` layer. */
export interface ChannelRegionSet {
  readonly kind: 'channelRegion';
  readonly layer: string;
  readonly channels: readonly number[];
  readonly region: Region;
}
/** Every neuron of a layer. */
export interface AllSet {
  readonly kind: 'all';
  readonly layer: string;
}
/** Neurons in any of the sets (all on one layer). */
export interface UnionSet {
  readonly kind: 'union';
  readonly layer: string;
  readonly sets: readonly NeuronSet[];
}
/** Neurons in every one of the sets (all on one layer). */
export interface IntersectionSet {
  readonly kind: 'intersection';
  readonly layer: string;
  readonly sets: readonly NeuronSet[];
}
/** Neurons of the layer not in the set. */
export interface ComplementSet {
  readonly kind: 'complement';
  readonly layer: string;
  readonly set: NeuronSet;
}
/** A different set for each sample: `sets[n]` is sample `n`'s (all on one layer; one per sample). */
export interface PerSampleSet {
  readonly kind: 'perSample';
  readonly layer: string;
  readonly sets: readonly NeuronSet[];
}
/** Per sample, the `k` units with the highest unconditioned relevance (signed, highest first). */
export interface TopKSet {
  readonly kind: 'topK';
  readonly layer: string;
  readonly k: number;
  readonly unit: SelectionUnit;
}
/** Per sample, the top `⌈p·U⌉` of the `U` units by unconditioned relevance (signed, highest first). */
export interface TopFractionSet {
  readonly kind: 'topFraction';
  readonly layer: string;
  readonly p: number;
  readonly unit: SelectionUnit;
}
/** Per sample, the units with unconditioned relevance `R ≥ τ·max|R|` (max over the layer's units). */
export interface ThresholdSet {
  readonly kind: 'threshold';
  readonly layer: string;
  readonly tau: number;
  readonly unit: SelectionUnit;
}

/** A set of neurons of one layer (plain data; see the module docs). */
export type NeuronSet =
  | NeuronsSet
  | ChannelsSet
  | RegionSet
  | ChannelRegionSet
  | AllSet
  | UnionSet
  | IntersectionSet
  | ComplementSet
  | PerSampleSet
  | TopKSet
  | TopFractionSet
  | ThresholdSet;

/** Options of the data-dependent selections. */
export interface SelectionOptions {
  /** Rank single neurons (default) or channels (relevance summed over all positions). */
  readonly unit?: SelectionUnit;
}

function copyRegion(region: Region): Region {
  return { rows: [region.rows[0], region.rows[1]], cols: [region.cols[0], region.cols[1]] };
}

function unitOf(options: SelectionOptions | undefined): SelectionUnit {
  const unit = options?.unit ?? 'neuron';
  if (unit !== 'neuron' && unit !== 'channel') {
    throw new InvalidArgumentError(`Selection unit must be 'neuron' or 'channel', got '${String(unit)}'.`);
  }
  return unit;
}

function nonEmpty(operation: string, sets: readonly NeuronSet[]): string {
  if (sets.length === 0) throw new InvalidArgumentError(`${operation} needs at least one set.`);
  return sets[0]!.layer;
}

/** The neurons at the given NHWC indices (no batch axis) of `layer`, for every sample. */
export function neurons(layer: string, indices: readonly (readonly number[])[]): NeuronsSet {
  return { kind: 'neurons', layer, indices: indices.map((i) => [...i]) };
}

/** The channels `cs` (last axis) of `layer`, at every position, for every sample. */
export function channels(layer: string, cs: readonly number[]): ChannelsSet {
  return { kind: 'channels', layer, channels: [...cs] };
}

/** Every channel inside the half-open window `rows × cols` of a `[H, W, C]` layer. */
export function region(layer: string, window: Region): RegionSet {
  return { kind: 'region', layer, region: copyRegion(window) };
}

/** The channels `cs` inside the half-open window `rows × cols` of a `[H, W, C]` layer. */
export function channelRegion(layer: string, cs: readonly number[], window: Region): ChannelRegionSet {
  return { kind: 'channelRegion', layer, channels: [...cs], region: copyRegion(window) };
}

/** Every neuron of `layer`. */
export function allOf(layer: string): AllSet {
  return { kind: 'all', layer };
}

/** The union of sets of one layer (a {@link LayerMismatchError} when resolved otherwise). */
export function union(...sets: NeuronSet[]): UnionSet {
  return { kind: 'union', layer: nonEmpty('union', sets), sets: [...sets] };
}

/** The intersection of sets of one layer (a {@link LayerMismatchError} when resolved otherwise). */
export function intersection(...sets: NeuronSet[]): IntersectionSet {
  return { kind: 'intersection', layer: nonEmpty('intersection', sets), sets: [...sets] };
}

/** Every neuron of the set's layer that is not in the set. */
export function complement(set: NeuronSet): ComplementSet {
  return { kind: 'complement', layer: set.layer, set };
}

/**
 * One set per sample (`sets[n]` for sample `n`, all on one layer): e.g. per-sample channel
 * conditions, or a different walk per sample. Resolving it with a batch of another size throws.
 */
export function perSample(sets: readonly NeuronSet[]): PerSampleSet {
  return { kind: 'perSample', layer: nonEmpty('perSample', sets), sets: [...sets] };
}

/**
 * Per sample, the `k` units of `layer` with the highest unconditioned relevance. Ranking is by
 * signed relevance, highest first (the most negative units come last); ties go to the lower index.
 */
export function topK(layer: string, k: number, options?: SelectionOptions): TopKSet {
  if (!Number.isInteger(k) || k < 0) throw new InvalidArgumentError(`topK on layer '${layer}' needs an integer k ≥ 0, got ${k}.`);
  return { kind: 'topK', layer, k, unit: unitOf(options) };
}

/**
 * Per sample, the top `⌈p·U⌉` of the `U` units of `layer` (same ranking as {@link topK});
 * `p ∈ [0, 1]`, `p = 0` is the empty set.
 */
export function topFraction(layer: string, p: number, options?: SelectionOptions): TopFractionSet {
  if (!(p >= 0 && p <= 1)) throw new InvalidArgumentError(`topFraction on layer '${layer}' needs p in [0, 1], got ${p}.`);
  return { kind: 'topFraction', layer, p, unit: unitOf(options) };
}

/**
 * Per sample, the units of `layer` whose unconditioned relevance is `R ≥ τ·max|R|` (the maximum
 * over the layer's units of that sample). Signed: with `τ > 0` only positive units can pass; with
 * `τ ≤ 0` every positive unit and the negative ones down to `τ·max|R|` pass. On a sample whose
 * relevance at the layer is all zero every unit passes (`0 ≥ 0`).
 */
export function threshold(layer: string, tau: number, options?: SelectionOptions): ThresholdSet {
  if (!Number.isFinite(tau)) throw new InvalidArgumentError(`threshold on layer '${layer}' needs a finite τ, got ${tau}.`);
  return { kind: 'threshold', layer, tau, unit: unitOf(options) };
}
