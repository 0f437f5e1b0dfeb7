/** Conditionals `μ(A | given)` and conditional heatmaps. */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';
import { InvalidArgumentError } from '@nrm/core';
import { perSampleColumn, sumPerSample, type EventGroup, type MeasureCore } from './core.js';
import { readFlags, type FlagSource } from './flags.js';
import { INPUT_ALIAS } from './layers.js';
import { disposer, readVector, type ConditionalHeatmap, type ConditionalValue } from './results.js';
import type { NeuronSet } from './sets.js';

const NAN = () => tf.scalar(Number.NaN);

/**
 * Raw relevance per sample of the given events `[N]` and of what the callback records below them,
 * in one backward walk where every given group is a mask condition (the engine records a layer
 * after its mask, so the lowest given layer's recorded relevance summed is the raw joint of the
 * givens).
 */
function givenRaw(core: MeasureCore, given: readonly EventGroup[], below: EventGroup['layer']): { below: Tensor; given: Tensor } {
  const masks: Tensor[] = [];
  try {
    for (const g of given) masks.push(core.groupMask(g));
    const lowest = given[0]!.layer;
    const recorded = core.run(given.map((g, i) => ({ layer: g.layer, mask: masks[i]! })), [below, lowest]);
    try {
      return { below: tf.clone(recorded.get(below.id)!), given: sumPerSample(recorded.get(lowest.id)!) };
    } finally {
      tf.dispose([...recorded.values()]);
    }
  } finally {
    tf.dispose(masks);
  }
}

/**
 * Flags of a given event's measure: `given-zero` from its raw relevance, `given-negative` from the
 * sign of its normalized value `μ(given) = raw / Z` (a negative raw total flips it).
 */
function givenFlags(core: MeasureCore, raw: Tensor, value: Tensor, givenLayer: EventGroup['layer']): { zero: Tensor; flags: FlagSource[] } {
  const entry = core.entry(givenLayer);
  const zero = core.isZero(raw, entry);
  const negative = tf.tidy(() => tf.logicalAnd(tf.less(value, 0), tf.logicalNot(zero)));
  return {
    zero,
    flags: [
      { kind: 'given-zero', layer: givenLayer.name, mask: tf.clone(zero) },
      { kind: 'given-negative', layer: givenLayer.name, mask: negative },
    ],
  };
}

/**
 * `μ(A | given) = μ(A, given) / μ(given)` per sample. NaN with a `given-zero` flag where
 * `|μ(given)| ≤ rtol · Σ|R|/|Z|` at the given events' lowest layer; a `given-negative` flag where
 * `μ(given) < 0` (the value is still computed). When A lies strictly below every given event, the
 * joint and the given measure come from one backward walk; otherwise from two.
 */
export function conditional(core: MeasureCore, event: NeuronSet, given: readonly NeuronSet[]): ConditionalValue {
  if (given.length === 0) throw new InvalidArgumentError('conditional needs at least one given event; use marginal(...) for none.');
  const givenGroups = core.groups(given);
  const allGroups = core.groups([event, ...given]);
  const givenLayer = givenGroups[0]!.layer;
  const jointLayer = allGroups[0]!.layer;
  const eventLayer = core.setLayer(event);
  core.prepareFor([jointLayer, givenLayer], [event, ...given]);
  let jointRaw: Tensor;
  let givenRawSum: Tensor;
  if (eventLayer.position < givenLayer.position) {
    const eventMask = core.mask(event);
    try {
      const r = givenRaw(core, givenGroups, eventLayer);
      jointRaw = tf.tidy(() => sumPerSample(tf.mul(r.below, eventMask)));
      r.below.dispose();
      givenRawSum = r.given;
    } finally {
      eventMask.dispose();
    }
  } else {
    jointRaw = core.jointRaw(allGroups);
    givenRawSum = core.jointRaw(givenGroups);
  }
  const jointEntry = core.entry(jointLayer);
  const givenEntry = core.entry(givenLayer);
  const jointValue = core.normalize(jointRaw, jointEntry);
  const givenValue = core.normalize(givenRawSum, givenEntry);
  const { zero, flags } = givenFlags(core, givenRawSum, givenValue, givenLayer);
  const value = tf.tidy(() => tf.where(zero, NAN(), tf.div(jointValue, givenValue)));
  flags.push({ kind: 'total-zero', layer: jointLayer.name, mask: tf.clone(jointEntry.totalZero) });
  if (givenLayer.id !== jointLayer.id) flags.push({ kind: 'total-zero', layer: givenLayer.name, mask: tf.clone(givenEntry.totalZero) });
  tf.dispose([jointRaw, givenRawSum, zero]);
  return {
    layer: jointLayer.name,
    givenLayer: givenLayer.name,
    value,
    joint: jointValue,
    given: givenValue,
    async read() {
      const [v, j, g, f] = await Promise.all([readVector(value), readVector(jointValue), readVector(givenValue), readFlags(flags)]);
      return { value: v, joint: j, given: g, flags: f };
    },
    dispose: disposer([value, jointValue, givenValue], flags),
  };
}

/** Options of `RelevanceMeasure.conditionalHeatmap` and `RelevanceMeasure.walkHeatmap`. */
export interface HeatmapOptions {
  /** The layer of the heatmap (default: the input layer); at or below every given event. */
  readonly layer?: string;
}

/**
 * The relevance at `layer` conditioned on the given events (every given layer masked), normalized
 * to sum to 1 per sample (NaN with a `heatmap-zero` flag where its total is ≈ 0), with `mass` =
 * `μ(all@layer, given)` and `given` = `μ(given)`. One backward walk. Without events it is the
 * unconditioned heatmap normalized, `given = 1`.
 */
export function conditionalHeatmap(core: MeasureCore, given: readonly NeuronSet[], options: HeatmapOptions = {}): ConditionalHeatmap {
  const layer = core.layer(options.layer ?? INPUT_ALIAS);
  const groups = given.length > 0 ? core.groups(given) : [];
  const lowest = groups[0];
  if (lowest && lowest.layer.position < layer.position) {
    throw new InvalidArgumentError(
      `The heatmap layer '${layer.name}' must be at or below every given event, but the event on '${lowest.layer.name}' is below it.`,
    );
  }
  core.prepareFor(lowest ? [layer, lowest.layer] : [layer], given);
  const entry = core.entry(layer);
  let raw: Tensor;
  let givenSum: Tensor | undefined;
  if (!lowest) {
    raw = tf.clone(entry.relevance);
  } else if (lowest.layer.id === layer.id) {
    const [, ...rest] = groups;
    const mask = core.groupMask(lowest);
    try {
      if (rest.length === 0) {
        raw = tf.mul(entry.relevance, mask);
      } else {
        const masks: Tensor[] = [];
        try {
          for (const g of rest) masks.push(core.groupMask(g));
          const recorded = core.run(rest.map((g, i) => ({ layer: g.layer, mask: masks[i]! })), [layer]);
          raw = tf.mul(recorded.get(layer.id)!, mask);
          tf.dispose([...recorded.values()]);
        } finally {
          tf.dispose(masks);
        }
      }
    } finally {
      mask.dispose();
    }
    givenSum = sumPerSample(raw);
  } else {
    const r = givenRaw(core, groups, layer);
    raw = r.below;
    givenSum = r.given;
  }
  const flags: FlagSource[] = [];
  const own = tf.tidy(() => {
    const sum = sumPerSample(raw);
    const heatZero = core.isZero(sum, entry);
    const heatmap = tf.where(perSampleColumn(heatZero, raw.rank), NAN(), tf.div(raw, perSampleColumn(sum, raw.rank)));
    return { heatmap, mass: core.normalize(sum, entry), heatZero };
  });
  flags.push({ kind: 'heatmap-zero', layer: layer.name, mask: own.heatZero });
  let givenValue: Tensor;
  if (lowest && givenSum) {
    givenValue = core.normalize(givenSum, core.entry(lowest.layer));
    const g = givenFlags(core, givenSum, givenValue, lowest.layer);
    g.zero.dispose();
    flags.push(...g.flags);
    givenSum.dispose();
  } else {
    givenValue = tf.ones([core.batch]);
  }
  flags.push({ kind: 'total-zero', layer: layer.name, mask: tf.clone(entry.totalZero) });
  if (lowest && lowest.layer.id !== layer.id) {
    flags.push({ kind: 'total-zero', layer: lowest.layer.name, mask: tf.clone(core.entry(lowest.layer).totalZero) });
  }
  const total = tf.clone(entry.total);
  const { heatmap, mass } = own;
  return {
    layer: layer.name,
    heatmap,
    raw,
    mass,
    given: givenValue,
    total,
    async read() {
      const [h, r, m, g, t, f] = await Promise.all([
        heatmap.data() as Promise<Float32Array>,
        raw.data() as Promise<Float32Array>,
        readVector(mass),
        readVector(givenValue),
        readVector(total),
        readFlags(flags),
      ]);
      return { shape: [...heatmap.shape], heatmap: h, raw: r, mass: m, given: g, total: t, flags: f };
    },
    dispose: disposer([heatmap, raw, mass, givenValue, total], flags),
  };
}
