import type { Tensor } from '@tensorflow/tfjs-core';

/**
 * What to explain: a measure on the output of one layer. Either one NHWC index (no batch axis)
 * per batch row, seeded with the output value there (the fixtures' and Zennit's convention), or
 * an explicit seed tensor of the layer's output shape.
 */
export interface Target {
  /** Source layer name (e.g. a Keras layer name). */
  readonly layer: string;
  /** One index per batch row, or a single index for every row. */
  readonly indices?: readonly (readonly number[])[];
  /** An explicit seed `[N, ...layer output shape]` (not disposed by the engine). */
  readonly seed?: Tensor;
}

/**
 * A CRP condition: relevance at `layer` is restricted to chosen channels (last axis) per batch row,
 * or multiplied by an explicit mask. Relevance that bypasses the layer is excluded.
 */
export interface Condition {
  readonly layer: string;
  /** Channels kept, per batch row (or one list for every row). */
  readonly channels?: readonly (readonly number[])[];
  /** Or an explicit mask broadcastable to `[N, ...layer output shape]` (not disposed). */
  readonly mask?: Tensor;
  /**
   * Or K masks at once, `[K, ...layer output shape]` (singleton axes broadcast, e.g. `[K, 1, 1, C]`
   * channel masks): every sample's relevance at the layer is masked by each of them and the K
   * conditions are propagated on as K batch rows of one backward walk. Below this layer the batch
   * is `N·K` (row `n·K + k`); the part above runs once. At most one condition per request expands.
   */
  readonly expand?: Tensor;
}

/** One explanation request. */
export interface ExplainRequest {
  readonly target: Target;
  readonly conditions?: readonly Condition[];
  /** Layer names whose output relevance is returned in {@link Explanation.layers}. */
  readonly record?: readonly string[];
  /**
   * With an expanding condition: how many of its rows go down together (memory ∝ chunk); default
   * all of them.
   */
  readonly chunkSize?: number;
  /**
   * End the backward walk at the lowest recorded layer instead of the input (what lies below is
   * not computed); {@link Explanation.input} is then an empty tensor (shape `[0]`).
   */
  readonly stopAtRecorded?: boolean;
}

/** The result of one explanation. Tensors stay on the device until read; call `dispose()`. */
export interface Explanation {
  /** Relevance at the model input, the input's shape (shape `[0]` if `stopAtRecorded` stopped above it). */
  readonly input: Tensor;
  /**
   * Relevance at the output of each recorded layer (`N·K` rows at and below an expanding
   * condition's layer, `N` above it).
   */
  readonly layers: Readonly<Record<string, Tensor>>;
  /** The target layer's output (forward pass), `[N, ...]`. */
  readonly targetOutput: Tensor;
  /** The seed that started the backward walk. */
  readonly seed: Tensor;
  /** Diagnostics rules reported with `ctx.report`, by node id and name (per sample / row). */
  readonly reports: Readonly<Record<string, Readonly<Record<string, Tensor>>>>;
  /** Disposes every tensor of this explanation. */
  dispose(): void;
}
