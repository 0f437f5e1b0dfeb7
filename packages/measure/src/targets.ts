/** Targets beyond one output neuron: a region of an output map (e.g. of an autoencoder's reconstruction). */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';
import { InvalidArgumentError, TargetOutOfRangeError, type Target } from '@nrm/core';
import type { Region } from './sets.js';

/** Options of {@link regionTarget}. */
export interface RegionTargetOptions {
  /** Only these channels (last axis) inside the region (default: every channel). */
  readonly channels?: readonly number[];
}

/**
 * A target on a region of a layer's output: the seed is `output ⊙ mask`, the mask being 1 inside
 * the half-open window `rows × cols` (and the chosen channels), so the explained quantity is the
 * sum of the outputs in the region, e.g. a patch of an autoencoder's reconstruction. `output` is
 * the layer's forward output `[N, H, W, C]` (`explainer.forward(input, layer)`). The returned
 * target's `seed` is a new tensor the caller disposes (after the measure built from it: the
 * measure keeps its own copy). A latent unit needs no helper: `{ layer, indices: [[h, w, c]] }`.
 */
export function regionTarget(layer: string, window: Region, output: Tensor, options: RegionTargetOptions = {}): Target {
  if (output.rank !== 4) {
    throw new InvalidArgumentError(`regionTarget needs the output of layer '${layer}' as [N, H, W, C], got shape [${output.shape.join(', ')}].`);
  }
  const [, height, width, channelCount] = output.shape as [number, number, number, number];
  const check = (what: string, [a, b]: readonly [number, number], size: number) => {
    if (!Number.isInteger(a) || !Number.isInteger(b) || a < 0 || a > b || b > size) {
      throw new TargetOutOfRangeError(
        `Region ${what} [${a}, ${b}) is out of range for layer '${layer}' with output shape [${output.shape.slice(1).join(', ')}] (no batch axis); it needs 0 ≤ start ≤ end ≤ ${size}.`,
      );
    }
  };
  check('rows', window.rows, height);
  check('cols', window.cols, width);
  const keep = options.channels ?? Array.from({ length: channelCount }, (_, c) => c);
  for (const c of keep) {
    if (!Number.isInteger(c) || c < 0 || c >= channelCount) {
      throw new TargetOutOfRangeError(`Channel ${c} is out of range for layer '${layer}' with ${channelCount} channels.`);
    }
  }
  const data = new Float32Array(height * width * channelCount);
  for (let r = window.rows[0]; r < window.rows[1]; r++) {
    for (let col = window.cols[0]; col < window.cols[1]; col++) {
      for (const c of keep) data[(r * width + col) * channelCount + c] = 1;
    }
  }
  const seed = tf.tidy(() => tf.mul(output, tf.tensor(data, [1, height, width, channelCount])));
  return { layer, seed };
}
