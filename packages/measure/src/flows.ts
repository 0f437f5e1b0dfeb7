/**
 * Channel flows between consecutive analysed layers (one batched backward walk per pair) and the
 * top-k channel walks through them.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';
import { InvalidArgumentError } from '@nrm/core';
import type { MeasureCore } from './core.js';
import { readFlags, type FlagSource, type MeasureFlag } from './flags.js';
import { joint } from './joint.js';
import type { ResolvedLayer } from './layers.js';
import { disposer, readMatrix } from './results.js';
import { unitScores } from './selections.js';
import { channels, perSample } from './sets.js';
import { topWalks } from './walks.js';

/** Options of {@link RelevanceMeasure.flows}. */
export interface FlowsOptions {
  /** How many channel walks to return per sample (default 5). */
  readonly topK?: number;
  /** Rows (channel masks) per backward chunk of a batched pair (default: the measure's, 16). */
  readonly chunkSize?: number;
}

/** The flows between a lower layer `l` and the next analysed layer `m` above it. */
export interface FlowPair {
  /** The lower layer `l` (nearer the input). */
  readonly lower: string;
  /** The upper layer `m`. */
  readonly upper: string;
  /** `[N, C_l, C_m]`: `J[n][a][b] = μ(a@l, b@m)` for sample n. */
  readonly J: Tensor;
  /** `[N, C_l]`: `Σ_b J[a][b]` (= `μ(a@l)` when no relevance bypasses `m`). */
  readonly rowSums: Tensor;
  /** `[N, C_m]`: `Σ_a J[a][b] = μ(all@l, b@m)`. */
  readonly colSums: Tensor;
  /** `[N, C_l]`: `μ(a@l)`. */
  readonly lowerMarginal: Tensor;
  /** `[N, C_m]`: `μ(b@m)`. */
  readonly upperMarginal: Tensor;
}

/** Host copy of a {@link FlowPair} (outer index: sample). */
export interface FlowPairData {
  /** The lower layer `l`. */
  readonly lower: string;
  /** The upper layer `m`. */
  readonly upper: string;
  /** `J[n][a][b] = μ(a@l, b@m)`. */
  readonly J: number[][][];
  /** `rowSums[n][a] = Σ_b J[n][a][b]`. */
  readonly rowSums: number[][];
  /** `colSums[n][b] = Σ_a J[n][a][b]`. */
  readonly colSums: number[][];
  /** `lowerMarginal[n][a] = μ(a@l)`. */
  readonly lowerMarginal: number[][];
  /** `upperMarginal[n][b] = μ(b@m)`. */
  readonly upperMarginal: number[][];
}

/** A channel walk: one channel per layer, `layers` bottom (input side) to top. */
export interface ChannelWalk {
  /** Layer names, bottom to top. */
  readonly layers: readonly string[];
  /** One channel (last axis) per layer. */
  readonly channels: readonly number[];
}

/** One of the top walks of a sample. */
export interface RankedWalk extends ChannelWalk {
  /** The Markov score `μ(c_L) · Π_j μ(c_j | c_{j+1})` the walks are ranked by. */
  readonly score: number;
  /** The exact joint measure `μ(c_1@l_1, …, c_L@l_L)` (masks at every layer of the walk). */
  readonly joint: number;
}

/** Host copy of {@link Flows}. */
export interface FlowsData {
  /** The analysed layers, bottom to top. */
  readonly layers: string[];
  /** One entry per consecutive pair, bottom to top. */
  readonly pairs: FlowPairData[];
  /** `walks[n]`: the top walks of sample n, highest score first (fewer when fewer have a score). */
  readonly walks: RankedWalk[][];
  /** `total-zero` flags of the analysed layers (their flows and marginals are NaN). */
  readonly flags: MeasureFlag[];
}

/** Flow matrices on the device; `read()` also ranks the walks and measures them exactly. */
export interface Flows {
  /** The analysed layers, bottom to top. */
  readonly layers: readonly string[];
  /** One entry per consecutive pair, bottom to top. */
  readonly pairs: readonly FlowPair[];
  /**
   * Reads the flows, runs the walk search per sample and computes each top walk's exact joint
   * (`topK` more backward walks, all samples at once); needs the measure not yet disposed. The
   * result is computed once and cached.
   */
  read(): Promise<FlowsData>;
  /** Frees the flow tensors. */
  dispose(): void;
}

/** Identity channel masks `[C, 1, …, 1, C]` for a layer of the given shape. */
export function channelMasks(shape: readonly number[]): Tensor {
  const count = shape[shape.length - 1] ?? 1;
  return tf.tidy(() => tf.reshape(tf.eye(count), [count, ...shape.slice(0, -1).map(() => 1), count]));
}

function sortedLayers(core: MeasureCore, names: readonly string[]): ResolvedLayer[] {
  const layers = names.map((n) => core.layer(n));
  if (layers.length < 2) throw new InvalidArgumentError(`flows needs at least two layers, got ${layers.length}.`);
  const seen = new Map<string, string>();
  for (const l of layers) {
    const other = seen.get(l.id);
    if (other !== undefined) throw new InvalidArgumentError(`flows got the layer '${l.name}' twice (also as '${other}').`);
    seen.set(l.id, l.name);
  }
  return [...layers].sort((a, b) => a.position - b.position);
}

/**
 * `J[a][b] = μ(a@l, b@m)` for consecutive analysed layers, with one backward walk per pair: the
 * `C_m` channel masks of `m` expand the batch (chunked), `l` is recorded and summed per channel.
 */
export function flows(core: MeasureCore, names: readonly string[], options: FlowsOptions = {}): Flows {
  const k = options.topK ?? 5;
  if (!Number.isInteger(k) || k < 0) throw new InvalidArgumentError(`flows needs an integer topK ≥ 0, got ${k}.`);
  const chunkSize = options.chunkSize ?? core.chunkSize;
  if (!Number.isInteger(chunkSize) || chunkSize < 1) throw new InvalidArgumentError(`flows needs an integer chunkSize ≥ 1, got ${chunkSize}.`);
  const layers = sortedLayers(core, names);
  core.prepare(layers);
  const owned: Tensor[] = [];
  const flags: FlagSource[] = [];
  try {
    const perLayer = layers.map((layer) => {
      const entry = core.entry(layer);
      const marginal = tf.tidy(() => core.normalize(unitScores(entry.relevance, 'channel'), entry));
      const zero = tf.tidy(() => core.isZero(unitScores(entry.relevance, 'channel'), entry));
      owned.push(marginal, zero);
      flags.push({ kind: 'total-zero', layer: layer.name, mask: tf.clone(entry.totalZero) });
      return { marginal, zero };
    });
    const pairs: FlowPair[] = [];
    for (let j = 0; j + 1 < layers.length; j++) {
      const lower = layers[j]!;
      const upper = layers[j + 1]!;
      const masks = channelMasks(upper.shape);
      const upperChannels = masks.shape[0]!;
      let recorded: Map<string, Tensor>;
      try {
        recorded = core.run([], [lower], { layer: upper, masks }, chunkSize);
      } finally {
        masks.dispose();
      }
      const J = tf.tidy(() => {
        const perChannel = unitScores(recorded.get(lower.id)!, 'channel');
        const lowerChannels = perChannel.shape[1]!;
        const matrix = tf.transpose(tf.reshape(perChannel, [core.batch, upperChannels, lowerChannels]), [0, 2, 1]);
        return core.normalize(matrix, core.entry(lower));
      });
      tf.dispose([...recorded.values()]);
      owned.push(J);
      const pair: FlowPair = {
        lower: lower.name,
        upper: upper.name,
        J,
        rowSums: tf.sum(J, 2),
        colSums: tf.sum(J, 1),
        lowerMarginal: tf.clone(perLayer[j]!.marginal),
        upperMarginal: tf.clone(perLayer[j + 1]!.marginal),
      };
      owned.push(pair.rowSums, pair.colSums, pair.lowerMarginal, pair.upperMarginal);
      pairs.push(pair);
    }
    let cached: Promise<FlowsData> | undefined;
    const read = async (): Promise<FlowsData> => {
      const pairData = await Promise.all(
        pairs.map(async (p) => ({
          lower: p.lower,
          upper: p.upper,
          J: (await p.J.array()) as number[][][],
          rowSums: await readMatrix(p.rowSums),
          colSums: await readMatrix(p.colSums),
          lowerMarginal: await readMatrix(p.lowerMarginal),
          upperMarginal: await readMatrix(p.upperMarginal),
        })),
      );
      const marginals = await Promise.all(perLayer.map((l) => readMatrix(l.marginal)));
      const zeros = await Promise.all(perLayer.map(async (l) => ((await l.zero.array()) as number[][]).map((row) => row.map(Boolean))));
      const names = layers.map((l) => l.name);
      const scored = Array.from({ length: core.batch }, (_, n) =>
        topWalks({ flows: pairData.map((p) => p.J[n]!), marginals: marginals.map((m) => m[n]!), zero: zeros.map((z) => z[n]!) }, k),
      );
      const joints: number[][] = scored.map(() => []);
      const ranks = Math.max(0, ...scored.map((s) => s.length));
      for (let i = 0; i < ranks; i++) {
        const events = layers.map((layer, j) =>
          perSample(scored.map((walks) => channels(layer.name, walks[i] ? [walks[i]!.channels[j]!] : []))),
        );
        const value = joint(core, events);
        try {
          const values = await value.read();
          values.value.forEach((v, n) => joints[n]!.push(v));
        } finally {
          value.dispose();
        }
      }
      const walks = scored.map((list, n) =>
        list.map((w, i) => ({ layers: names, channels: w.channels, score: w.score, joint: joints[n]![i]! })),
      );
      return { layers: names, pairs: pairData, walks, flags: await readFlags(flags) };
    };
    return {
      layers: layers.map((l) => l.name),
      pairs,
      read() {
        cached ??= read();
        return cached;
      },
      dispose: disposer(owned, flags),
    };
  } catch (error) {
    tf.dispose([...owned, ...flags.map((f) => f.mask)]);
    throw error;
  }
}
