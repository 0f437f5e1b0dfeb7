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
}

/** One explanation request. */
export interface ExplainRequest {
  readonly target: Target;
  readonly conditions?: readonly Condition[];
  /** Layer names whose output relevance is returned in {@link Explanation.layers}. */
  readonly record?: readonly string[];
}

/** The result of one explanation. Tensors stay on the device until read; call `dispose()`. */
export interface Explanation {
  /** Relevance at the model input, the input's shape. */
  readonly input: Tensor;
  /** Relevance at the output of each recorded layer. */
  readonly layers: Readonly<Record<string, Tensor>>;
  /** The target layer's output (forward pass), `[N, ...]`. */
  readonly targetOutput: Tensor;
  /** The seed that started the backward walk. */
  readonly seed: Tensor;
  /** Disposes every tensor of this explanation. */
  dispose(): void;
}
