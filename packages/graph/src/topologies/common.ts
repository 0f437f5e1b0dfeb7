/**
 * Helpers shared by the reference topologies: seeded initializers and bias zeroing.
 *
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

/** A tfjs-layers initializer. */
export type Initializer = ReturnType<typeof tfl.initializers.glorotUniform>;

/** Hands out one seed per layer, counting up from a base seed, so that a build is reproducible. */
export class SeedSequence {
  private next: number;
  constructor(seed: number) {
    this.next = seed;
  }
  /** Glorot-uniform kernel initializer with the next seed. */
  glorot(): Initializer {
    return tfl.initializers.glorotUniform({ seed: this.next++ });
  }
  /** Uniform initializer in [minval, maxval] with the next seed. */
  uniform(minval: number, maxval: number): Initializer {
    return tfl.initializers.randomUniform({ minval, maxval, seed: this.next++ });
  }
}

/**
 * Sets every bias, BatchNormalization beta and moving mean of `model` to 0 and every moving
 * variance to 1 (gammas and kernels are kept). With zero biases LRP-ε conserves the seed exactly.
 */
export function zeroModelBiases(model: tfl.LayersModel): void {
  tf.tidy(() => {
    for (const w of model.weights) {
      const name = w.originalName;
      if (/moving_variance$/.test(name)) w.write(tf.ones(w.shape as number[]));
      else if (/(bias|beta|moving_mean)$/.test(name)) w.write(tf.zeros(w.shape as number[]));
    }
  });
}

/** Applies a layer to one symbolic tensor. */
export function apply(layer: tfl.layers.Layer, x: tfl.SymbolicTensor | tfl.SymbolicTensor[]): tfl.SymbolicTensor {
  return layer.apply(x) as tfl.SymbolicTensor;
}

/** `Math.max(1, Math.round(n / divisor))`: a layer width divided by `widthDivisor`. */
export function divideWidth(n: number, divisor: number): number {
  return Math.max(1, Math.round(n / divisor));
}
