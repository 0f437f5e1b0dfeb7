import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';
import type { Explainer } from '@nrm/core';
import { featureMapSeed, type FeatureMapPeak, type FeatureMapSelection } from './feature-map-seed.js';

/** The feature map to project: a layer and which of its activations (see {@link FeatureMapSelection}). */
export interface FeatureMapTarget extends FeatureMapSelection {
  /**
   * The layer (source layer name or node id). A layer with a fused ReLU names the ReLU's output,
   * so the seed is rectified by the ReLU's rule first, as in Zeiler & Fergus.
   */
  readonly layer: string;
}

/** What {@link projectFeatureMap} returns; `dispose()` frees its tensors. */
export interface FeatureMapProjection {
  /** The projection at the model input, the input's shape. */
  readonly input: Tensor;
  /** The seed that was propagated, the layer output's shape. */
  readonly seed: Tensor;
  /** Per sample, the activation a `'max'` selection kept; `undefined` otherwise. */
  readonly peaks: readonly FeatureMapPeak[] | undefined;
  /** Disposes `input` and `seed`. */
  dispose(): void;
}

/**
 * Projects a feature map to the input space (Zeiler & Fergus 2014): builds the seed from the
 * layer's forward output with {@link featureMapSeed} (by default the strongest activation of the
 * channel, per sample) and propagates it with `target: { layer, seed }`.
 *
 * The explainer's composite decides the method: `deconvnet` for Zeiler & Fergus' projection,
 * `guided-backprop` for its guided sibling (`gradient` works too: the saliency of the activation).
 * The forward runs twice (once to read the feature map, once inside `explain`).
 *
 * @example
 * ```ts
 * const explainer = createExplainer({ graph, registry, composite: 'deconvnet' });
 * const p = projectFeatureMap(explainer, x, { layer: 'block1_conv2', channel: 7 });
 * // p.input: [N, H, W, 3]; p.peaks[0].index: [i, j, 7]
 * p.dispose();
 * ```
 * @throws UnknownLayerError for an unknown layer; InvalidArgumentError for a bad selection.
 */
export function projectFeatureMap(explainer: Explainer, input: Tensor, target: FeatureMapTarget): FeatureMapProjection {
  const output = explainer.forward(input, target.layer);
  let built;
  try {
    built = featureMapSeed(output, target);
  } finally {
    output.dispose();
  }
  const { seed, peaks } = built;
  let projection: Tensor;
  try {
    const explanation = explainer.explain(input, { target: { layer: target.layer, seed } });
    projection = tf.clone(explanation.input);
    explanation.dispose();
  } catch (error) {
    seed.dispose();
    throw error;
  }
  return {
    input: projection,
    seed,
    peaks,
    dispose() {
      tf.dispose([projection, seed]);
    },
  };
}
