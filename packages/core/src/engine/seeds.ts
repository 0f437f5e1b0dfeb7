import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';
import { InvalidArgumentError, ShapeMismatchError, TargetOutOfRangeError } from '../errors.js';
import type { Condition, Target } from './requests.js';

function perRow<T>(list: readonly T[], batch: number, what: string): readonly T[] {
  if (list.length === 1) return Array.from({ length: batch }, () => list[0]!);
  if (list.length !== batch) {
    throw new TargetOutOfRangeError(`${list.length} ${what} given for a batch of ${batch}; give one per sample or one for all.`);
  }
  return list;
}

/** The seed of a target: the output value at each row's index, 0 elsewhere (or the given seed). */
export function buildSeed(target: Target, output: Tensor): Tensor {
  const [batch, ...shape] = output.shape as number[];
  if (target.seed) {
    if (target.seed.shape.length !== output.shape.length || target.seed.shape.some((d, i) => d !== output.shape[i])) {
      throw new ShapeMismatchError(`The seed for layer '${target.layer}'`, output.shape, target.seed.shape);
    }
    return tf.clone(target.seed);
  }
  if (!target.indices || target.indices.length === 0) {
    throw new TargetOutOfRangeError(`Target on layer '${target.layer}' has neither indices nor a seed.`);
  }
  const rows = perRow(target.indices, batch!, 'target indices');
  const size = shape.reduce((a, b) => a * b, 1);
  const mask = new Float32Array(batch! * size);
  rows.forEach((index, row) => {
    if (index.length !== shape.length || index.some((v, d) => !Number.isInteger(v) || v < 0 || v >= shape[d]!)) {
      throw new TargetOutOfRangeError(
        `Target index [${index.join(', ')}] (sample ${row}) is out of range for layer '${target.layer}' with output shape [${shape.join(', ')}] (no batch axis).`,
      );
    }
    let flat = 0;
    for (let d = 0; d < shape.length; d++) flat = flat * shape[d]! + index[d]!;
    mask[row * size + flat] = 1;
  });
  return tf.tidy(() => tf.mul(tf.tensor(mask, output.shape), output));
}

/** The mask of a condition, broadcastable to the layer's relevance. */
export function buildConditionMask(condition: Condition, layerShape: readonly number[]): Tensor {
  const [batch, ...rest] = layerShape;
  if (condition.mask) return tf.clone(condition.mask);
  if (!condition.channels) throw new InvalidArgumentError(`Condition on layer '${condition.layer}' has neither channels nor a mask.`);
  const channels = rest[rest.length - 1]!;
  const rows = perRow(condition.channels, batch!, 'channel lists');
  const mask = new Float32Array(batch! * channels);
  rows.forEach((list, row) => {
    for (const c of list) {
      if (!Number.isInteger(c) || c < 0 || c >= channels) {
        throw new InvalidArgumentError(
          `Condition channel ${c} (sample ${row}) is out of range for layer '${condition.layer}' with ${channels} channels.`,
        );
      }
      mask[row * channels + c] = 1;
    }
  });
  return tf.tensor(mask, [batch!, ...rest.slice(0, -1).map(() => 1), channels]);
}
