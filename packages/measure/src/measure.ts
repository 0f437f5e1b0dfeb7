/**
 * The normalized relevance measure bound to an explainer, an input batch and a target.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';
import { InvalidArgumentError, type Explainer, type Target } from '@nrm/core';
import { conditional, conditionalHeatmap, type HeatmapOptions } from './conditional.js';
import { MeasureCore } from './core.js';
import { readFlags, type MeasureFlag } from './flags.js';
import { flows, type ChannelWalk, type Flows, type FlowsOptions } from './flows.js';
import { channelMarginals, joint, touches } from './joint.js';
import type { ResolvedLayer } from './layers.js';
import { disposer, readVector, type ChannelMarginals, type ConditionalHeatmap, type ConditionalValue, type MeasureValue } from './results.js';
import { channels, perSample, type NeuronSet } from './sets.js';

/** Default relative tolerance of the ≈ 0 tests (a few float32 roundings of `Σ|R|`). */
export const DEFAULT_RELATIVE_TOLERANCE = 1e-6;
/** Default rows per backward chunk of a batched (expanding) condition. */
export const DEFAULT_CHUNK_SIZE = 16;

/** Options of {@link createMeasure}. */
export interface MeasureOptions {
  /**
   * Relative tolerance `rtol` of every "≈ 0" test: a quantity `q` of raw relevance at layer `l`
   * counts as zero when `|q| ≤ rtol · Σ_i |R^l_i|` (the unconditioned relevance at `l`, per
   * sample); in normalized terms `|μ| ≤ rtol · Σ|R^l| / |Z_l|`. Default
   * {@link DEFAULT_RELATIVE_TOLERANCE}: float32 sums carry relative errors of about 1e-7 of
   * `Σ|R|`, so a smaller tolerance would let rounding noise through as a "non-zero" given.
   */
  readonly relativeTolerance?: number;
  /** Default rows per backward chunk for flows (memory ∝ chunk); default {@link DEFAULT_CHUNK_SIZE}. */
  readonly chunkSize?: number;
  /** Layers whose unconditioned relevance to compute at once (one backward walk); others lazily. */
  readonly layers?: readonly string[];
}

/** Host copy of {@link LayerTotals}. */
export interface LayerTotalsData {
  /** `Z_l` per sample. */
  readonly total: number[];
  /** `Σ|R^l|` per sample. */
  readonly absolute: number[];
  /** `total-zero` where `|Z_l| ≤ rtol · Σ|R^l|`. */
  readonly flags: MeasureFlag[];
}

/** The raw totals of a layer: `Z_l = Σ R` and `Σ |R|` per sample (the caller disposes). */
export interface LayerTotals {
  /** The layer, as named by the caller. */
  readonly layer: string;
  /** `[N]` `Z_l`. */
  readonly total: Tensor;
  /** `[N]` `Σ|R^l|`. */
  readonly absolute: Tensor;
  /** Reads the totals to the host. */
  read(): Promise<LayerTotalsData>;
  /** Frees this result's tensors. */
  dispose(): void;
}

/** Public facts about a resolved layer. */
export interface LayerInfo {
  /** The name as given. */
  readonly name: string;
  /** The graph node id. */
  readonly id: string;
  /** Output shape without the batch axis. */
  readonly shape: readonly number[];
  /** Topological position (index in `graph.nodes`); lower = nearer the input. */
  readonly position: number;
  /** Whether it is the graph's input layer. */
  readonly isInput: boolean;
}

/**
 * A relevance measure bound to (explainer, input batch `[N, ...]`, target). For a set `A` at layer
 * `l`: `μ(A@l)[n] = Σ_{i∈A} R^l_i / Z_l[n]` with `Z_l[n] = Σ_i R^l_i` the raw total of the
 * unconditioned relevance at `l`'s output. Every result holds tensors `[N, …]` on the device until
 * `read()`, and is freed by its own `dispose()`; the measure's `dispose()` frees only its cache and
 * its copies of the input and seed (never the explainer, the caller's input or the results).
 */
export interface RelevanceMeasure {
  /** The explainer the measure runs (not owned). */
  readonly explainer: Explainer;
  /** The target (with the measure's own copy of the seed, if any). */
  readonly target: Target;
  /** Batch size `N`. */
  readonly batch: number;
  /** The relative tolerance of the ≈ 0 tests (see {@link MeasureOptions.relativeTolerance}). */
  readonly relativeTolerance: number;
  /** Resolves a layer name (`graph.layers`, a node id, or `'input'`); must be on or below the target. */
  layer(name: string): LayerInfo;
  /** Computes the unconditioned relevance of these layers now, in one backward walk. */
  prepare(layers: readonly string[]): void;
  /** The unconditioned relevance at a layer, `[N, ...shape]` (a copy; the caller disposes it). */
  relevance(layer: string): Tensor;
  /** The raw totals `Z_l` and `Σ|R|` of a layer. */
  totals(layer: string): LayerTotals;
  /** The 0/1 mask of a set, `[1 or N, ...layer shape]` (the caller disposes it). */
  mask(set: NeuronSet): Tensor;
  /** `μ(A@l)`. An empty set has measure 0. */
  marginal(set: NeuronSet): MeasureValue;
  /** `μ(channel c @ layer)` for every channel, `[N, C]`. */
  channelMarginals(layer: string): ChannelMarginals;
  /**
   * `μ(E1@l1, …, Ek@lk)`: the relevance of the walks through every event's set, normalized at the
   * lowest event layer. Events on one layer intersect; relevance that bypasses an event layer above
   * the lowest is excluded.
   */
  joint(...events: NeuronSet[]): MeasureValue;
  /** `μ(A | given…) = μ(A, given…) / μ(given…)` per sample (NaN + flag where `μ(given) ≈ 0`). */
  conditional(event: NeuronSet, ...given: NeuronSet[]): ConditionalValue;
  /**
   * The relevance at a layer (default the input) given the events, normalized to sum to 1, with
   * `mass = μ(all@layer, given)` and `given = μ(given)` (equal when relevance is conserved).
   */
  conditionalHeatmap(given: readonly NeuronSet[], options?: HeatmapOptions): ConditionalHeatmap;
  /** `μ` of the walks that stay inside `sets[j]` at every listed layer: `joint(...sets)`, normalized at the lowest. */
  stays(sets: readonly NeuronSet[]): MeasureValue;
  /** `1 − μ(walks avoiding every set)`, normalized at the lowest listed layer. */
  touches(sets: readonly NeuronSet[]): MeasureValue;
  /** Channel flow matrices between consecutive layers (sorted by topology) and the top-k channel walks. */
  flows(layers: readonly string[], options?: FlowsOptions): Flows;
  /** The conditional heatmap given a channel walk (or one walk per sample). */
  walkHeatmap(walk: ChannelWalk | readonly ChannelWalk[], options?: HeatmapOptions): ConditionalHeatmap;
  /** Frees the cache and the measure's copies of the input and seed. */
  dispose(): void;
}

function info(layer: ResolvedLayer): LayerInfo {
  return { name: layer.name, id: layer.id, shape: layer.shape, position: layer.position, isInput: layer.isInput };
}

function walkEvents(core: MeasureCore, walk: ChannelWalk | readonly ChannelWalk[]): NeuronSet[] {
  const list: readonly ChannelWalk[] = Array.isArray(walk) ? walk : [walk as ChannelWalk];
  const multiple = Array.isArray(walk);
  if (multiple && list.length !== core.batch) {
    throw new InvalidArgumentError(`walkHeatmap got ${list.length} walks for a batch of ${core.batch}; give one walk, or one per sample.`);
  }
  const layers = list[0]?.layers ?? [];
  for (const w of list) {
    if (w.layers.length === 0 || w.layers.length !== w.channels.length) {
      throw new InvalidArgumentError(`A walk needs one channel per layer (at least one); got ${w.channels.length} channels for ${w.layers.length} layers.`);
    }
    if (w.layers.length !== layers.length || w.layers.some((l, j) => l !== layers[j])) {
      throw new InvalidArgumentError('The walks of walkHeatmap must all go through the same layers.');
    }
  }
  return layers.map((layer, j) =>
    multiple ? perSample(list.map((w) => channels(layer, [w.channels[j]!]))) : channels(layer, [list[0]!.channels[j]!]),
  );
}

/**
 * Binds a relevance measure to an explainer, an input batch `[N, ...]` and a target (the engine's
 * {@link Target}: indices per sample, or an explicit seed, e.g. from {@link regionTarget}). Nothing
 * is computed until asked for; the unconditioned relevance of each layer is computed once and cached.
 */
export function createMeasure(explainer: Explainer, input: Tensor, target: Target, options: MeasureOptions = {}): RelevanceMeasure {
  const rtol = options.relativeTolerance ?? DEFAULT_RELATIVE_TOLERANCE;
  if (!(rtol >= 0) || !Number.isFinite(rtol)) throw new InvalidArgumentError(`relativeTolerance must be a finite number ≥ 0, got ${rtol}.`);
  const chunkSize = options.chunkSize ?? DEFAULT_CHUNK_SIZE;
  if (!Number.isInteger(chunkSize) || chunkSize < 1) throw new InvalidArgumentError(`chunkSize must be an integer ≥ 1, got ${chunkSize}.`);
  const core = new MeasureCore(explainer, input, target, rtol, chunkSize);
  try {
    if (options.layers) core.prepare(options.layers.map((l) => core.layer(l)));
  } catch (error) {
    core.dispose();
    throw error;
  }
  return {
    explainer,
    target: core.target,
    batch: core.batch,
    relativeTolerance: rtol,
    layer: (name) => info(core.layer(name)),
    prepare: (layers) => core.prepare(layers.map((l) => core.layer(l))),
    relevance: (layer) => tf.clone(core.relevance(core.layer(layer))),
    totals(name) {
      const layer = core.layer(name);
      const entry = core.entry(layer);
      const total = tf.clone(entry.total);
      const absolute = tf.clone(entry.absolute);
      const flags = [{ kind: 'total-zero' as const, layer: layer.name, mask: tf.clone(entry.totalZero) }];
      return {
        layer: layer.name,
        total,
        absolute,
        async read() {
          const [t, a, f] = await Promise.all([readVector(total), readVector(absolute), readFlags(flags)]);
          return { total: t, absolute: a, flags: f };
        },
        dispose: disposer([total, absolute], flags),
      };
    },
    mask: (set) => core.mask(set),
    marginal: (set) => joint(core, [set]),
    channelMarginals: (layer) => channelMarginals(core, core.layer(layer)),
    joint: (...events) => joint(core, events),
    conditional: (event, ...given) => conditional(core, event, given),
    conditionalHeatmap: (given, heatmapOptions) => conditionalHeatmap(core, given, heatmapOptions),
    stays(sets) {
      if (sets.length === 0) throw new InvalidArgumentError('stays needs at least one set.');
      return joint(core, sets);
    },
    touches: (sets) => touches(core, sets),
    flows: (layers, flowOptions) => flows(core, layers, flowOptions),
    walkHeatmap: (walk, heatmapOptions) => conditionalHeatmap(core, walkEvents(core, walk), heatmapOptions),
    dispose: () => core.dispose(),
  };
}
