import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';
import { InvalidArgumentError } from '@nrm/core';

/**
 * Which activations of a layer's output (`[N, …spatial, C]`, channels last) make the seed of a
 * feature-map projection. Everything not selected is zero; what is selected keeps its forward
 * value.
 */
export interface FeatureMapSelection {
  /** The channel (last axis) kept; omitted: every channel. */
  readonly channel?: number;
  /**
   * Which positions of the selected channel(s), per sample:
   * - `'max'` (default): only the strongest activation (the largest value, not the largest
   *   magnitude; the first in row-major order on a tie), as Zeiler & Fergus project a feature
   *   map. Without `channel`, the strongest activation of the whole layer.
   * - `'all'`: the whole map.
   * - a spatial index (one integer per axis between batch and channel, e.g. `[i, j]` for
   *   `[N, H, W, C]`, `[]` for `[N, C]`): the activation(s) at that position only.
   */
  readonly position?: 'max' | 'all' | readonly number[];
}

/** The activation kept by a `'max'` selection, for one sample. */
export interface FeatureMapPeak {
  /** Its index in the layer's output, without the batch axis (NHWC: `[i, j, c]`). */
  readonly index: readonly number[];
  /** Its forward value (the seed's value there). */
  readonly value: number;
}

/** A seed built by {@link featureMapSeed}. */
export interface FeatureMapSeed {
  /** `[N, …]`, the layer output's shape; the caller disposes it. */
  readonly seed: Tensor;
  /** Per sample, the activation a `'max'` selection kept; `undefined` for the other selections. */
  readonly peaks: readonly FeatureMapPeak[] | undefined;
}

function checkIndex(what: string, value: number, size: number): void {
  if (!Number.isInteger(value) || value < 0 || value >= size) {
    throw new InvalidArgumentError(`${what} ${value} is out of range; it must be an integer in [0, ${size - 1}].`);
  }
}

/**
 * Builds the seed that projects a feature map: the layer's forward output with everything but the
 * selected activations zeroed (see {@link FeatureMapSelection}). Pass it as
 * `target: { layer, seed }` to `explainer.explain`. Reads `output` to the host once.
 *
 * @param output - The layer's forward output `[N, …spatial, C]` (e.g. `explainer.forward(x, layer)`);
 *   not disposed.
 * @throws InvalidArgumentError for a channel or position outside the output, or a position of the
 *   wrong length.
 */
export function featureMapSeed(output: Tensor, selection: FeatureMapSelection = {}): FeatureMapSeed {
  const [batch, ...rest] = output.shape as number[];
  if (rest.length === 0) throw new InvalidArgumentError(`A feature map needs a layer output with a channel axis; got shape [${output.shape.join(', ')}].`);
  const channels = rest[rest.length - 1]!;
  const spatialShape = rest.slice(0, -1);
  const spatial = spatialShape.reduce((a, b) => a * b, 1);
  const { channel } = selection;
  const position = selection.position ?? 'max';
  if (channel !== undefined) checkIndex('Channel', channel, channels);
  let at: number | undefined;
  if (typeof position !== 'string') {
    if (position.length !== spatialShape.length) {
      throw new InvalidArgumentError(
        `Position [${position.join(', ')}] needs ${spatialShape.length} coordinate(s) for a layer output of shape [N, ${rest.join(', ')}] (the axes between batch and channel).`,
      );
    }
    at = 0;
    position.forEach((p, d) => {
      checkIndex(`Position coordinate ${d}`, p, spatialShape[d]!);
      at = at! * spatialShape[d]! + p;
    });
  } else if (position !== 'max' && position !== 'all') {
    throw new InvalidArgumentError(`Position '${String(position)}' is not 'max', 'all' or a spatial index.`);
  }
  const data = output.dataSync();
  const seed = new Float32Array(data.length);
  const c0 = channel ?? 0;
  const c1 = channel === undefined ? channels : channel + 1;
  const peaks: FeatureMapPeak[] = [];
  for (let n = 0; n < batch!; n++) {
    const base = n * spatial * channels;
    if (position === 'max') {
      let best = base + c0;
      for (let s = 0; s < spatial; s++) {
        for (let c = c0; c < c1; c++) {
          const k = base + s * channels + c;
          if (data[k]! > data[best]!) best = k;
        }
      }
      seed[best] = data[best]!;
      const index: number[] = [];
      let flat = best - base;
      for (const size of [...rest].reverse()) {
        index.unshift(flat % size);
        flat = Math.floor(flat / size);
      }
      peaks.push({ index, value: data[best]! });
    } else {
      const s0 = at ?? 0;
      const s1 = at === undefined ? spatial : at + 1;
      for (let s = s0; s < s1; s++) {
        for (let c = c0; c < c1; c++) {
          const k = base + s * channels + c;
          seed[k] = data[k]!;
        }
      }
    }
  }
  return { seed: tf.tensor(seed, output.shape, 'float32'), peaks: position === 'max' ? peaks : undefined };
}
