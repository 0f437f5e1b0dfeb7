/** Marginals, joints and the subgraph events `stays` / `touches`. */
import * as tf from '@tensorflow/tfjs-core';
import { InvalidArgumentError } from '@nrm/core';
import type { MeasureCore } from './core.js';
import type { ResolvedLayer } from './layers.js';
import { disposer, measureValue, readMatrix, readVector, type ChannelMarginals, type MeasureValue } from './results.js';
import { complement, type NeuronSet } from './sets.js';
import { unitScores } from './selections.js';
import { readFlags } from './flags.js';

/**
 * `μ(E1@l1, …, Ek@lk)`: every event's layer but the lowest is masked, the lowest layer is recorded
 * and summed over its set, divided by `Z_lowest`. Events on one layer intersect. One backward walk
 * (none for a single event: the cached unconditioned relevance is used).
 */
export function joint(core: MeasureCore, events: readonly NeuronSet[]): MeasureValue {
  if (events.length === 0) throw new InvalidArgumentError('joint needs at least one event.');
  const groups = core.groups(events);
  const lowest = groups[0]!.layer;
  core.prepareFor([lowest], events);
  const entry = core.entry(lowest);
  const raw = core.jointRaw(groups);
  const value = core.normalize(raw, entry);
  return measureValue(lowest.name, value, raw, tf.clone(entry.total), [
    { kind: 'total-zero', layer: lowest.name, mask: tf.clone(entry.totalZero) },
  ]);
}

/**
 * `touches(S) = 1 − μ(walks avoiding S)`, the avoiding walks being `joint(complement(s) for s in S)`:
 * the share of the relevance at the lowest layer of `S` carried by walks that pass through `S` at
 * one listed layer at least. Walks that bypass a listed layer (a residual skip) are not "avoiding"
 * (the engine drops them from the joint), so they count as touching.
 */
export function touches(core: MeasureCore, sets: readonly NeuronSet[]): MeasureValue {
  if (sets.length === 0) throw new InvalidArgumentError('touches needs at least one set.');
  const avoiding = joint(core, sets.map((s) => complement(s)));
  try {
    const value = tf.sub(1, avoiding.value);
    const raw = tf.sub(avoiding.total, avoiding.raw);
    const layer = avoiding.layer;
    const entry = core.entry(core.layer(layer));
    return measureValue(layer, value, raw, tf.clone(avoiding.total), [{ kind: 'total-zero', layer, mask: tf.clone(entry.totalZero) }]);
  } finally {
    avoiding.dispose();
  }
}

/** `μ(channel c @ layer)` for every channel, `[N, C]`, from the unconditioned relevance. */
export function channelMarginals(core: MeasureCore, layer: ResolvedLayer): ChannelMarginals {
  const entry = core.entry(layer);
  const value = tf.tidy(() => core.normalize(unitScores(entry.relevance, 'channel'), entry));
  const total = tf.clone(entry.total);
  const flags = [{ kind: 'total-zero' as const, layer: layer.name, mask: tf.clone(entry.totalZero) }];
  return {
    layer: layer.name,
    value,
    total,
    async read() {
      const [v, t, f] = await Promise.all([readMatrix(value), readVector(total), readFlags(flags)]);
      return { value: v, total: t, flags: f };
    },
    dispose: disposer([value, total], flags),
  };
}
