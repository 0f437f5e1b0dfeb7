/** Resolution of {@link NeuronSet}s into 0/1 mask tensors `[N or 1, ...layer shape]`. */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';
import { InvalidArgumentError, TargetOutOfRangeError } from '@nrm/core';
import { LayerMismatchError } from './errors.js';
import type { ResolvedLayer } from './layers.js';
import { selectionMask } from './selections.js';
import type { NeuronSet, Region } from './sets.js';

/** What resolving a set needs from a measure. */
export interface MaskContext {
  /** Batch size `N` of the measure's input. */
  readonly batch: number;
  /** Resolves a layer name (and checks that it lies on or below the target). */
  layer(name: string): ResolvedLayer;
  /** Makes sure the unconditioned relevance of these layers is computed (one backward walk at most). */
  prepare(layers: readonly ResolvedLayer[]): void;
  /** The unconditioned relevance `[N, ...shape]` of a prepared layer (owned by the measure). */
  relevance(layer: ResolvedLayer): Tensor;
}

const describe = (layer: ResolvedLayer) => `layer '${layer.name}' with output shape [${layer.shape.join(', ')}] (no batch axis)`;

/**
 * The layer a set lies on. Combinations (union, intersection, complement, perSample) must hold
 * sets of one layer (by graph node, so two names of one node agree), else {@link LayerMismatchError}.
 */
export function setLayer(set: NeuronSet, ctx: MaskContext): ResolvedLayer {
  if (set.kind === 'union' || set.kind === 'intersection' || set.kind === 'perSample') {
    const layers = set.sets.map((s) => setLayer(s, ctx));
    const first = layers[0]!;
    const other = layers.find((l) => l.id !== first.id);
    if (other) throw new LayerMismatchError(set.kind, [first.name, other.name]);
    if (set.kind === 'perSample' && set.sets.length !== ctx.batch) {
      throw new InvalidArgumentError(`perSample on layer '${first.name}' has ${set.sets.length} sets for a batch of ${ctx.batch}; give one per sample.`);
    }
    return first;
  }
  if (set.kind === 'complement') return setLayer(set.set, ctx);
  return ctx.layer(set.layer);
}

/** The layers whose unconditioned relevance a set's data-dependent selections need. */
export function selectionLayers(set: NeuronSet, ctx: MaskContext): ResolvedLayer[] {
  switch (set.kind) {
    case 'topK':
    case 'topFraction':
    case 'threshold':
      return [ctx.layer(set.layer)];
    case 'union':
    case 'intersection':
    case 'perSample':
      return set.sets.flatMap((s) => selectionLayers(s, ctx));
    case 'complement':
      return selectionLayers(set.set, ctx);
    default:
      return [];
  }
}

function checkChannels(cs: readonly number[], layer: ResolvedLayer): number {
  const count = layer.shape[layer.shape.length - 1] ?? 1;
  for (const c of cs) {
    if (!Number.isInteger(c) || c < 0 || c >= count) {
      throw new TargetOutOfRangeError(`Channel ${c} is out of range for ${describe(layer)}: it has ${count} channels.`);
    }
  }
  return count;
}

function checkRegion(window: Region, layer: ResolvedLayer): void {
  if (layer.shape.length !== 3) {
    throw new InvalidArgumentError(`A region needs a [H, W, C] layer, but ${describe(layer)} is not one.`);
  }
  const check = (what: string, [a, b]: readonly [number, number], size: number) => {
    if (!Number.isInteger(a) || !Number.isInteger(b) || a < 0 || a > b || b > size) {
      throw new TargetOutOfRangeError(
        `Region ${what} [${a}, ${b}) is out of range for ${describe(layer)}; it needs integers 0 ≤ start ≤ end ≤ ${size} (half-open).`,
      );
    }
  };
  check('rows', window.rows, layer.shape[0]!);
  check('cols', window.cols, layer.shape[1]!);
}

/** A static mask `[1, ...shape]` from a predicate on NHWC coordinates. */
function staticMask(layer: ResolvedLayer, keep: (coords: number[]) => boolean): Tensor {
  const shape = layer.shape;
  const size = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(size);
  const coords = shape.map(() => 0);
  for (let flat = 0; flat < size; flat++) {
    let rest = flat;
    for (let d = shape.length - 1; d >= 0; d--) {
      coords[d] = rest % shape[d]!;
      rest = Math.floor(rest / shape[d]!);
    }
    if (keep(coords)) data[flat] = 1;
  }
  return tf.tensor(data, [1, ...shape]);
}

function inRegion(window: Region, coords: readonly number[]): boolean {
  const [r, c] = coords as [number, number];
  return r >= window.rows[0] && r < window.rows[1] && c >= window.cols[0] && c < window.cols[1];
}

/** Builds the mask of a set whose selection layers are prepared (inside a tidy). */
function build(set: NeuronSet, ctx: MaskContext, layer: ResolvedLayer): Tensor {
  const shape = layer.shape;
  switch (set.kind) {
    case 'neurons': {
      const size = shape.reduce((a, b) => a * b, 1);
      const data = new Float32Array(size);
      for (const index of set.indices) {
        if (index.length !== shape.length) {
          throw new InvalidArgumentError(
            `Neuron index [${index.join(', ')}] has ${index.length} axes but ${describe(layer)} has ${shape.length}.`,
          );
        }
        if (index.some((v, d) => !Number.isInteger(v) || v < 0 || v >= shape[d]!)) {
          throw new TargetOutOfRangeError(`Neuron index [${index.join(', ')}] is out of range for ${describe(layer)}.`);
        }
        let flat = 0;
        for (let d = 0; d < shape.length; d++) flat = flat * shape[d]! + index[d]!;
        data[flat] = 1;
      }
      return tf.tensor(data, [1, ...shape]);
    }
    case 'channels': {
      const count = checkChannels(set.channels, layer);
      const data = new Float32Array(count);
      for (const c of set.channels) data[c] = 1;
      return tf.broadcastTo(tf.tensor(data, [1, ...shape.slice(0, -1).map(() => 1), count]), [1, ...shape]);
    }
    case 'region':
      checkRegion(set.region, layer);
      return staticMask(layer, (coords) => inRegion(set.region, coords));
    case 'channelRegion': {
      checkRegion(set.region, layer);
      checkChannels(set.channels, layer);
      const keep = new Set(set.channels);
      return staticMask(layer, (coords) => keep.has(coords[2]!) && inRegion(set.region, coords));
    }
    case 'all':
      return tf.ones([1, ...shape]);
    case 'union':
      return set.sets.map((s) => build(s, ctx, layer)).reduce((a, b) => tf.maximum(a, b));
    case 'intersection':
      return set.sets.map((s) => build(s, ctx, layer)).reduce((a, b) => tf.mul(a, b));
    case 'complement':
      return tf.sub(1, build(set.set, ctx, layer));
    case 'perSample': {
      const rows = set.sets.map((s, n) => {
        const m = build(s, ctx, layer);
        return m.shape[0] === 1 ? m : tf.slice(m, [n], [1]);
      });
      return tf.concat(rows.map((r) => tf.broadcastTo(r, [1, ...shape])), 0);
    }
    case 'topK':
    case 'topFraction':
    case 'threshold':
      return selectionMask(set, ctx.relevance(layer), shape);
  }
}

/**
 * The 0/1 mask of a set, shape `[1, ...layer shape]` (static sets) or `[N, ...layer shape]`
 * (data-dependent selections, perSample). The caller disposes it.
 */
export function buildMask(set: NeuronSet, ctx: MaskContext): Tensor {
  const layer = setLayer(set, ctx);
  ctx.prepare(selectionLayers(set, ctx));
  return tf.tidy(() => {
    const mask = build(set, ctx, layer);
    return tf.broadcastTo(mask, [mask.shape[0]!, ...layer.shape]);
  });
}
