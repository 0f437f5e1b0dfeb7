/**
 * The state a relevance measure shares between its operations: the bound explainer, input and
 * target, the layer resolver, the cache of unconditioned relevance (and raw totals) per layer, and
 * the one place that calls the engine.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';
import { InvalidArgumentError, type Condition, type Explainer, type Target } from '@nrm/core';
import { LayerResolver, type ResolvedLayer } from './layers.js';
import { buildMask, selectionLayers, setLayer, type MaskContext } from './masks.js';
import type { NeuronSet } from './sets.js';

/** The unconditioned relevance of one layer and its per-sample totals (owned by the cache). */
export interface LayerEntry {
  /** `[N, ...shape]`. */
  readonly relevance: Tensor;
  /** Raw total `Z_l[n] = Σ_i R_i`, `[N]`. */
  readonly total: Tensor;
  /** `Σ_i |R_i|`, `[N]`: the scale of the ≈ 0 tests. */
  readonly absolute: Tensor;
  /** `|Z_l| ≤ rtol · Σ|R|` (bool `[N]`): normalized values at this layer are NaN. */
  readonly totalZero: Tensor;
}

/** Events on one graph node (they intersect). */
export interface EventGroup {
  readonly layer: ResolvedLayer;
  readonly sets: readonly NeuronSet[];
}

/** A mask condition on a layer. */
export interface MaskCondition {
  readonly layer: ResolvedLayer;
  readonly mask: Tensor;
}

/** Sums every axis but the batch axis. */
export function sumPerSample(t: Tensor): Tensor {
  return tf.tidy(() => (t.rank === 1 ? tf.clone(t) : tf.sum(t, t.shape.slice(1).map((_, i) => i + 1))));
}

/** A `[N]` tensor reshaped to broadcast against `[N, ...]` of the given rank. */
export function perSampleColumn(t: Tensor, rank: number): Tensor {
  return tf.reshape(t, [t.shape[0]!, ...Array.from({ length: rank - 1 }, () => 1)]);
}

/** Shared state and engine access of one measure. */
export class MeasureCore implements MaskContext {
  readonly batch: number;
  readonly resolver: LayerResolver;
  readonly target: Target;
  private readonly input: Tensor;
  private readonly cache = new Map<string, LayerEntry>();
  private disposed = false;

  constructor(
    readonly explainer: Explainer,
    input: Tensor,
    target: Target,
    /** The relative tolerance of every ≈ 0 test. */
    readonly relativeTolerance: number,
    /** Default rows per backward chunk for batched (expanding) conditions. */
    readonly chunkSize: number,
  ) {
    if (input.rank < 1 || input.shape[0]! < 1) throw new InvalidArgumentError(`The input needs a batch axis of size ≥ 1; got shape [${input.shape.join(', ')}].`);
    this.resolver = new LayerResolver(explainer.graph, target.layer);
    this.batch = input.shape[0]!;
    this.input = tf.clone(input);
    this.target = target.seed ? { ...target, seed: tf.clone(target.seed) } : { ...target };
  }

  private alive(): void {
    if (this.disposed) throw new InvalidArgumentError('This relevance measure has been disposed.');
  }

  /** Resolves a layer name on or below the target. */
  layer(name: string): ResolvedLayer {
    this.alive();
    return this.resolver.resolve(name);
  }

  /** The layer of a set (checks combinations). */
  setLayer(set: NeuronSet): ResolvedLayer {
    return setLayer(set, this);
  }

  /** Computes (one backward walk) the unconditioned relevance of every layer not yet cached. */
  prepare(layers: readonly ResolvedLayer[]): void {
    this.alive();
    const missing = [...new Map(layers.filter((l) => !this.cache.has(l.id)).map((l) => [l.id, l])).values()];
    if (missing.length === 0) return;
    const recorded = this.run([], missing);
    for (const layer of missing) {
      const relevance = recorded.get(layer.id)!;
      const entry = tf.tidy(() => {
        const total = sumPerSample(relevance);
        const absolute = sumPerSample(tf.abs(relevance));
        return { total, absolute, totalZero: tf.lessEqual(tf.abs(total), tf.mul(absolute, this.relativeTolerance)) };
      });
      this.cache.set(layer.id, { relevance, ...entry });
    }
  }

  /** The cached entry of a layer (computed if needed). */
  entry(layer: ResolvedLayer): LayerEntry {
    this.prepare([layer]);
    return this.cache.get(layer.id)!;
  }

  /** The unconditioned relevance of a layer (owned by the cache; do not dispose). */
  relevance(layer: ResolvedLayer): Tensor {
    return this.entry(layer).relevance;
  }

  /** Prepares the normalizing layers and every selection layer of the events, in one walk. */
  prepareFor(layers: readonly ResolvedLayer[], events: readonly NeuronSet[]): void {
    this.prepare([...layers, ...events.flatMap((e) => selectionLayers(e, this))]);
  }

  /** The 0/1 mask of a set `[1 or N, ...shape]`; the caller disposes it. */
  mask(set: NeuronSet): Tensor {
    this.alive();
    return buildMask(set, this);
  }

  /** Events grouped by graph node, lowest (earliest in `graph.nodes`) first. */
  groups(events: readonly NeuronSet[]): EventGroup[] {
    const byId = new Map<string, { layer: ResolvedLayer; sets: NeuronSet[] }>();
    for (const event of events) {
      const layer = this.setLayer(event);
      const group = byId.get(layer.id);
      if (group) group.sets.push(event);
      else byId.set(layer.id, { layer, sets: [event] });
    }
    return [...byId.values()].sort((a, b) => a.layer.position - b.layer.position);
  }

  /** The mask of a group (the intersection of its sets); the caller disposes it. */
  groupMask(group: EventGroup): Tensor {
    const masks = group.sets.map((s) => this.mask(s));
    if (masks.length === 1) return masks[0]!;
    try {
      return tf.tidy(() => masks.reduce((a, b) => tf.mul(a, b)));
    } finally {
      tf.dispose(masks);
    }
  }

  /**
   * One backward walk with mask conditions (and optionally K masks expanding the batch at one
   * layer); returns the relevance recorded at each `record` layer, by node id (the input layer's is
   * the explanation's input relevance). The caller disposes the returned tensors.
   */
  run(
    conditions: readonly MaskCondition[],
    record: readonly ResolvedLayer[],
    expand?: { readonly layer: ResolvedLayer; readonly masks: Tensor },
    chunkSize?: number,
  ): Map<string, Tensor> {
    this.alive();
    const engineConditions: Condition[] = conditions.map((c) => ({ layer: c.layer.engineName, mask: c.mask }));
    if (expand) engineConditions.push({ layer: expand.layer.engineName, expand: expand.masks });
    const names = [...new Set(record.filter((l) => !l.isInput).map((l) => l.engineName))];
    const explanation = this.explainer.explain(this.input, {
      target: this.target,
      conditions: engineConditions,
      record: names,
      // Nothing below the lowest recorded layer is needed (unless the input itself is recorded).
      stopAtRecorded: !record.some((l) => l.isInput),
      ...(expand ? { chunkSize: chunkSize ?? this.chunkSize } : {}),
    });
    const out = new Map<string, Tensor>();
    try {
      for (const layer of record) {
        if (out.has(layer.id)) continue;
        out.set(layer.id, tf.clone(layer.isInput ? explanation.input : explanation.layers[layer.engineName]!));
      }
    } catch (error) {
      tf.dispose([...out.values()]);
      throw error;
    } finally {
      explanation.dispose();
    }
    return out;
  }

  /**
   * The raw joint `Σ_{A_lowest} R^{(masked at the other groups)}` per sample, `[N]`: every group
   * but the lowest is a mask condition, the lowest layer is recorded and summed over its set.
   */
  jointRaw(groups: readonly EventGroup[]): Tensor {
    const [lowest, ...rest] = groups;
    if (!lowest) throw new InvalidArgumentError('A joint needs at least one event.');
    const lowestMask = this.groupMask(lowest);
    const masks: Tensor[] = [];
    try {
      if (rest.length === 0) {
        const relevance = this.relevance(lowest.layer);
        return tf.tidy(() => sumPerSample(tf.mul(relevance, lowestMask)));
      }
      for (const g of rest) masks.push(this.groupMask(g));
      const recorded = this.run(rest.map((g, i) => ({ layer: g.layer, mask: masks[i]! })), [lowest.layer]);
      try {
        const relevance = recorded.get(lowest.layer.id)!;
        return tf.tidy(() => sumPerSample(tf.mul(relevance, lowestMask)));
      } finally {
        tf.dispose([...recorded.values()]);
      }
    } finally {
      tf.dispose([lowestMask, ...masks]);
    }
  }

  /** `|q| ≤ rtol · Σ|R_l|` per sample (bool, shape of `raw`): "≈ 0" at that layer. */
  isZero(raw: Tensor, entry: LayerEntry): Tensor {
    return tf.tidy(() => tf.lessEqual(tf.abs(raw), tf.mul(perSampleColumn(entry.absolute, raw.rank), this.relativeTolerance)));
  }

  /** `raw / Z_l` per sample (any shape `[N, ...]`), NaN where the layer's total is ≈ 0. */
  normalize(raw: Tensor, entry: LayerEntry): Tensor {
    return tf.tidy(() => {
      const total = perSampleColumn(entry.total, raw.rank);
      const zero = perSampleColumn(entry.totalZero, raw.rank);
      return tf.where(zero, tf.scalar(Number.NaN), tf.div(raw, total));
    });
  }

  /** Frees the cached relevance and the copies of the input and the seed. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const e of this.cache.values()) tf.dispose([e.relevance, e.total, e.absolute, e.totalZero]);
    this.cache.clear();
    tf.dispose([this.input, ...(this.target.seed ? [this.target.seed] : [])]);
  }
}
