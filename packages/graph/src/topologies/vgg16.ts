import * as tfl from '@tensorflow/tfjs-layers';
import { SeedSequence, apply, divideWidth, zeroModelBiases } from './common.js';

/** Options of {@link buildVgg16}. */
export interface Vgg16Options {
  /** Input height and width (channels last, 3 channels). Must be divisible by 32. Default 224. */
  size?: number;
  /** Units of `predictions`. Default 1000. */
  classes?: number;
  /** Every conv width (64…512) is divided by this. Default 1 (Keras VGG16). */
  widthDivisor?: number;
  /** Units of `fc1` and `fc2`. Default `4096 / widthDivisor` (the `vgg16_narrow` fixture uses 128). */
  fcUnits?: number;
  /** Base seed of the per-layer glorot-uniform initializers. Default 1. */
  seed?: number;
  /** Sets all biases to 0 after building (they are built as small seeded random values). Default false. */
  zeroBiases?: boolean;
}

/**
 * Keras' VGG16 (`keras.applications.VGG16(include_top=True)`) in tfjs-layers, channels last, with
 * Keras' layer names and weight layouts, so that a converted Keras VGG16 maps onto it 1:1:
 * `input_1`, `blockN_convM` (Conv2D 3x3 same relu), `blockN_pool` (MaxPooling2D 2/2), `flatten`,
 * `fc1`, `fc2` (Dense relu), `predictions`.
 *
 * **Difference to Keras:** `predictions` is linear (logits). Keras' VGG16 has a softmax there; NRM
 * explains logits (and its `stripFinalSoftmax` pass removes a final softmax of a converted model).
 *
 * Kernels are glorot-uniform with one seed per layer (`seed`, `seed + 1`, …); biases are small seeded
 * uniform values in [-0.05, 0.05] unless `zeroBiases`.
 */
export function buildVgg16(options: Vgg16Options = {}): tfl.LayersModel {
  const { size = 224, classes = 1000, widthDivisor = 1, seed = 1, zeroBiases = false } = options;
  const fcUnits = options.fcUnits ?? divideWidth(4096, widthDivisor);
  const seeds = new SeedSequence(seed);
  const input = tfl.input({ shape: [size, size, 3], name: 'input_1' });
  const blocks: [number, number, number][] = [
    [1, 64, 2],
    [2, 128, 2],
    [3, 256, 3],
    [4, 512, 3],
    [5, 512, 3],
  ];
  let x = input;
  for (const [block, filters, convs] of blocks) {
    for (let c = 1; c <= convs; c++) {
      x = apply(
        tfl.layers.conv2d({
          name: `block${block}_conv${c}`,
          filters: divideWidth(filters, widthDivisor),
          kernelSize: 3,
          padding: 'same',
          activation: 'relu',
          kernelInitializer: seeds.glorot(),
          biasInitializer: seeds.uniform(-0.05, 0.05),
        }),
        x,
      );
    }
    x = apply(tfl.layers.maxPooling2d({ name: `block${block}_pool`, poolSize: 2, strides: 2 }), x);
  }
  x = apply(tfl.layers.flatten({ name: 'flatten' }), x);
  for (const name of ['fc1', 'fc2']) {
    x = apply(tfl.layers.dense({ name, units: fcUnits, activation: 'relu', kernelInitializer: seeds.glorot(), biasInitializer: seeds.uniform(-0.05, 0.05) }), x);
  }
  x = apply(tfl.layers.dense({ name: 'predictions', units: classes, activation: 'linear', kernelInitializer: seeds.glorot(), biasInitializer: seeds.uniform(-0.05, 0.05) }), x);
  const model = tfl.model({ inputs: input, outputs: x, name: 'vgg16' });
  if (zeroBiases) zeroModelBiases(model);
  return model;
}
