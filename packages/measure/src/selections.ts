/** Data-dependent selections (top-k, top fraction, threshold) as masks, computed on the device. */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';
import { InvalidArgumentError } from '@nrm/core';
import type { SelectionUnit, ThresholdSet, TopFractionSet, TopKSet } from './sets.js';

/** A layer's relevance `[N, ...shape]` as per-unit scores `[N, U]` (channels: summed over positions). */
export function unitScores(relevance: Tensor, unit: SelectionUnit): Tensor {
  return tf.tidy(() => {
    const [batch, ...shape] = relevance.shape as number[];
    if (unit === 'channel' && shape.length > 1) {
      const channels = shape[shape.length - 1]!;
      return tf.reshape(tf.sum(relevance, shape.slice(0, -1).map((_, i) => i + 1)), [batch!, channels]);
    }
    return tf.reshape(relevance, [batch!, shape.reduce((a, b) => a * b, 1)]);
  });
}

/** How many units `⌈p·U⌉` a top fraction keeps (robust to `p·U` landing a hair above an integer). */
export function fractionCount(p: number, units: number): number {
  const exact = p * units;
  const rounded = Math.round(exact);
  return Math.min(units, Math.abs(exact - rounded) < 1e-9 * Math.max(1, units) ? rounded : Math.ceil(exact));
}

/** A `[N, U]` mask back to `[N, ...shape]` (channel masks broadcast over positions). */
function toLayerShape(mask: Tensor, shape: readonly number[], unit: SelectionUnit): Tensor {
  const batch = mask.shape[0]!;
  if (unit === 'channel' && shape.length > 1) {
    const channels = shape[shape.length - 1]!;
    return tf.broadcastTo(tf.reshape(mask, [batch, ...shape.slice(0, -1).map(() => 1), channels]), [batch, ...shape]);
  }
  return tf.reshape(mask, [batch, ...shape]);
}

/**
 * The mask `[N, ...shape]` of a selection, from the layer's unconditioned relevance `[N, ...shape]`.
 * Ranking is by signed relevance, highest first; ties go to the lower index.
 */
export function selectionMask(set: TopKSet | TopFractionSet | ThresholdSet, relevance: Tensor, shape: readonly number[]): Tensor {
  return tf.tidy(() => {
    const scores = unitScores(relevance, set.unit);
    const [batch, units] = scores.shape as [number, number];
    let mask: Tensor;
    if (set.kind === 'threshold') {
      const max = tf.max(tf.abs(scores), 1, true);
      mask = tf.cast(tf.greaterEqual(scores, tf.mul(max, set.tau)), 'float32');
    } else {
      const k = set.kind === 'topK' ? set.k : fractionCount(set.p, units);
      if (k > units) {
        throw new InvalidArgumentError(
          `topK(${k}) on layer '${set.layer}' asks for more ${set.unit}s than the layer has (${units}; output shape [${shape.join(', ')}]).`,
        );
      }
      if (k === 0) {
        mask = tf.zeros([batch, units]);
      } else {
        const { indices } = tf.topk(scores, k, true);
        mask = tf.sum(tf.cast(tf.oneHot(indices, units), 'float32'), 1);
      }
    }
    return toLayerShape(mask, shape, set.unit);
  });
}
