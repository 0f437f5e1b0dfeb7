/**
 * Result objects. Every result owns the tensors it holds (they stay on the device until `read()`)
 * and frees them in `dispose()`; the measure owns only its cache. `read()` may be called any
 * number of times before `dispose()`.
 */
import type { Tensor } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import { readFlags, type FlagSource, type MeasureFlag } from './flags.js';

/** Host copy of a {@link MeasureValue}. */
export interface MeasureValueData {
  /** The normalized measure per sample (NaN where flagged `total-zero`). */
  readonly value: number[];
  /** The raw (unnormalized) relevance per sample: `value · total`. */
  readonly raw: number[];
  /** The raw total `Z_l` of the normalizing layer per sample. */
  readonly total: number[];
  /** Flags per sample (`total-zero`). */
  readonly flags: MeasureFlag[];
}

/** A measure value per sample (marginal, joint, stays, touches). */
export interface MeasureValue {
  /** The normalizing layer (the lowest layer of the events). */
  readonly layer: string;
  /** `[N]` normalized values. */
  readonly value: Tensor;
  /** `[N]` raw relevance. */
  readonly raw: Tensor;
  /** `[N]` raw total `Z_l`. */
  readonly total: Tensor;
  /** Reads values and flags to the host. */
  read(): Promise<MeasureValueData>;
  /** Frees this result's tensors. */
  dispose(): void;
}

/** Host copy of a {@link ConditionalValue}. */
export interface ConditionalValueData {
  /** `μ(A | given)` per sample; NaN where flagged `given-zero` (or `total-zero`). */
  readonly value: number[];
  /** `μ(A, given)` per sample. */
  readonly joint: number[];
  /** `μ(given)` per sample. */
  readonly given: number[];
  /** Flags per sample (`given-zero`, `given-negative`, `total-zero`). */
  readonly flags: MeasureFlag[];
}

/** A conditional measure `μ(A | given) = μ(A, given) / μ(given)` per sample. */
export interface ConditionalValue {
  /** The normalizing layer of the joint (the lowest layer of all events). */
  readonly layer: string;
  /** The normalizing layer of the given events (their lowest layer). */
  readonly givenLayer: string;
  /** `[N]` conditional values. */
  readonly value: Tensor;
  /** `[N]` `μ(A, given)`. */
  readonly joint: Tensor;
  /** `[N]` `μ(given)`. */
  readonly given: Tensor;
  /** Reads values and flags to the host. */
  read(): Promise<ConditionalValueData>;
  /** Frees this result's tensors. */
  dispose(): void;
}

/** Host copy of a {@link ConditionalHeatmap}. */
export interface ConditionalHeatmapData {
  /** Shape of `heatmap` and `raw`: `[N, ...layer shape]`. */
  readonly shape: number[];
  /** The normalized conditional heatmap (each sample sums to 1), row-major; NaN where `heatmap-zero`. */
  readonly heatmap: Float32Array;
  /** The unnormalized joint relevance at the layer (CRP's conditional heatmap `R(x | θ)`). */
  readonly raw: Float32Array;
  /** `μ(all@layer, given)` per sample. */
  readonly mass: number[];
  /** `μ(given)` per sample (1 without events). */
  readonly given: number[];
  /** The raw total `Z_layer` per sample. */
  readonly total: number[];
  /** Flags per sample (`heatmap-zero`, `given-zero`, `given-negative`, `total-zero`). */
  readonly flags: MeasureFlag[];
}

/**
 * The relevance at a layer conditioned on events, normalized to sum to 1 per sample. `mass` =
 * `μ(all@layer, given)` and `given` = `μ(given)` are equal when relevance is conserved between the
 * layer and the given events (no bias or ε absorbs any, and no relevance bypasses a given layer);
 * their ratio is `μ(all@layer | given)`.
 */
export interface ConditionalHeatmap {
  /** The heatmap's layer (default the input). */
  readonly layer: string;
  /** `[N, ...layer shape]`, sums to 1 per sample. */
  readonly heatmap: Tensor;
  /** `[N, ...layer shape]`, the joint relevance unnormalized: `heatmap · Σ raw`. */
  readonly raw: Tensor;
  /** `[N]` `μ(all@layer, given)`. */
  readonly mass: Tensor;
  /** `[N]` `μ(given)`. */
  readonly given: Tensor;
  /** `[N]` raw total `Z_layer` of the unconditioned relevance. */
  readonly total: Tensor;
  /** Reads the heatmap, its parts and the flags to the host. */
  read(): Promise<ConditionalHeatmapData>;
  /** Frees this result's tensors. */
  dispose(): void;
}

/** Host copy of {@link ChannelMarginals}. */
export interface ChannelMarginalsData {
  /** `value[n][c] = μ(channel c @ layer)` for sample n. */
  readonly value: number[][];
  /** `Z_l` per sample. */
  readonly total: number[];
  /** Flags per sample (`total-zero`). */
  readonly flags: MeasureFlag[];
}

/** `μ(channel c @ layer)` for every channel at once, `[N, C]` (they sum to 1 per sample). */
export interface ChannelMarginals {
  /** The layer, as named by the caller. */
  readonly layer: string;
  /** `[N, C]` channel marginals. */
  readonly value: Tensor;
  /** `[N]` `Z_l`. */
  readonly total: Tensor;
  /** Reads values and flags to the host. */
  read(): Promise<ChannelMarginalsData>;
  /** Frees this result's tensors. */
  dispose(): void;
}

/** Reads a `[N]` tensor. */
export async function readVector(t: Tensor): Promise<number[]> {
  return Array.from(await t.data());
}

/** Reads a `[N, C]` tensor. */
export async function readMatrix(t: Tensor): Promise<number[][]> {
  return (await t.array()) as number[][];
}

/** Tensors a result owns, freed together. */
export function disposer(tensors: readonly Tensor[], flags: readonly FlagSource[]): () => void {
  let done = false;
  return () => {
    if (done) return;
    done = true;
    tf.dispose([...tensors, ...flags.map((f) => f.mask)]);
  };
}

/** Builds a {@link MeasureValue} that owns `value`, `raw`, `total` and the flag masks. */
export function measureValue(layer: string, value: Tensor, raw: Tensor, total: Tensor, flags: readonly FlagSource[]): MeasureValue {
  return {
    layer,
    value,
    raw,
    total,
    async read() {
      const [v, r, t, f] = await Promise.all([readVector(value), readVector(raw), readVector(total), readFlags(flags)]);
      return { value: v, raw: r, total: t, flags: f };
    },
    dispose: disposer([value, raw, total], flags),
  };
}
