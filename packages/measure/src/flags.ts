/** Per-sample flags that explain a NaN or a sign in a result. */
import type { Tensor } from '@tensorflow/tfjs-core';

/**
 * Why a value is NaN or needs care:
 * - `given-zero`: the conditioning event has measure ≈ 0 (see {@link RelevanceMeasure.relativeTolerance});
 *   the conditional is NaN (never ±Inf).
 * - `given-negative`: the conditioning event has a negative measure; the conditional is computed
 *   and its sign is flipped relative to the joint.
 * - `total-zero`: the raw total `Z_l` of the normalizing layer is ≈ 0, so every normalized value at
 *   that layer is NaN.
 * - `heatmap-zero`: the conditional heatmap's own total is ≈ 0, so the normalized heatmap is NaN.
 */
export type MeasureFlagKind = 'given-zero' | 'given-negative' | 'total-zero' | 'heatmap-zero';

/** One flag: which sample, what, and at which layer (the layer whose quantity is ≈ 0 or negative). */
export interface MeasureFlag {
  /** Batch row. */
  readonly sample: number;
  /** What happened (see {@link MeasureFlagKind}). */
  readonly kind: MeasureFlagKind;
  /** The layer (as named by the caller) whose quantity is ≈ 0 or negative. */
  readonly layer: string;
}

/** A flag condition kept on the device until read: `mask` is a bool tensor `[N]`. */
export interface FlagSource {
  /** The flag raised where `mask` is true. */
  readonly kind: MeasureFlagKind;
  /** The layer the flag names. */
  readonly layer: string;
  /** Bool `[N]`, owned by the result holding the source. */
  readonly mask: Tensor;
}

/** Reads flag sources into flags, ordered by sample, then in the order of the sources. */
export async function readFlags(sources: readonly FlagSource[]): Promise<MeasureFlag[]> {
  const values = await Promise.all(sources.map((s) => s.mask.data()));
  const samples = Math.max(0, ...values.map((v) => v.length));
  const flags: MeasureFlag[] = [];
  for (let sample = 0; sample < samples; sample++) {
    sources.forEach((source, i) => {
      if (values[i]![sample]) flags.push({ sample, kind: source.kind, layer: source.layer });
    });
  }
  return flags;
}
