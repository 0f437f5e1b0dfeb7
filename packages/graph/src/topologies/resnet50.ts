import * as tfl from '@tensorflow/tfjs-layers';
import { SeedSequence, apply, divideWidth, zeroModelBiases } from './common.js';

/** Options of {@link buildResNet50}. */
export interface ResNet50Options {
  /** Input height and width (channels last, 3 channels). Default 224. */
  size?: number;
  /** Units of `predictions`. Default 1000. */
  classes?: number;
  /** Every conv width is divided by this (64 → 64 / widthDivisor, …). Default 1 (Keras ResNet50). */
  widthDivisor?: number;
  /**
   * Blocks per stage conv2..conv5. Default `[3, 4, 6, 3]` (ResNet50). A shorter list builds fewer
   * stages (the `resnet50_narrow` fixture is `[2, 2]`).
   */
  blocks?: number[];
  /** Base seed of the per-layer initializers. Default 1. */
  seed?: number;
  /**
   * Sets all conv/dense biases, BN betas and moving means to 0 and moving variances to 1 after
   * building. Otherwise they are small seeded random values (moving variances in [0.5, 1.5]).
   * Default false.
   */
  zeroBiases?: boolean;
}

/** Keras' BatchNormalization epsilon in ResNet50. */
export const RESNET_BN_EPSILON = 1.001e-5;

const STAGES = [
  { name: 'conv2', filters: 64, stride: 1 },
  { name: 'conv3', filters: 128, stride: 2 },
  { name: 'conv4', filters: 256, stride: 2 },
  { name: 'conv5', filters: 512, stride: 2 },
];

/**
 * Keras' ResNet50 (`keras.applications.ResNet50(include_top=True)`, the v1 topology of
 * `keras/applications/resnet.py`) in tfjs-layers, channels last, with Keras' layer names, layer
 * configs and weight layouts, so that a converted Keras ResNet50 maps onto it 1:1:
 *
 * - stem: `input_1`, `conv1_pad` ZeroPadding2D 3, `conv1_conv` Conv2D 64 7x7 stride 2 valid,
 *   `conv1_bn`, `conv1_relu` Activation relu, `pool1_pad` ZeroPadding2D 1, `pool1_pool`
 *   MaxPooling2D 3x3 stride 2;
 * - stages conv2..conv5 with 3, 4, 6, 3 blocks, filters [64,64,256], [128,128,512],
 *   [256,256,1024], [512,512,2048] (÷ `widthDivisor`), strides 1, 2, 2, 2. Block 1 of a stage is a
 *   conv_block: shortcut `_0_conv` 1x1 stride s → `_0_bn`; branch `_1_conv` 1x1 stride s → `_1_bn` →
 *   `_1_relu` → `_2_conv` 3x3 same → `_2_bn` → `_2_relu` → `_3_conv` 1x1 → `_3_bn`; `_add`
 *   Add[shortcut, branch]; `_out` Activation relu. The other blocks are identity blocks (shortcut =
 *   block input);
 * - top: `avg_pool` GlobalAveragePooling2D, `predictions` Dense.
 *
 * All convs have biases; BN epsilon is 1.001e-5 as in Keras. **Difference to Keras:** `predictions`
 * is linear (logits) where Keras has softmax; NRM explains logits.
 */
export function buildResNet50(options: ResNet50Options = {}): tfl.LayersModel {
  const { size = 224, classes = 1000, widthDivisor = 1, seed = 1, zeroBiases = false, blocks = [3, 4, 6, 3] } = options;
  const seeds = new SeedSequence(seed);
  const conv = (name: string, filters: number, kernelSize: number, strides = 1, padding: 'valid' | 'same' = 'valid') =>
    tfl.layers.conv2d({
      name,
      filters: divideWidth(filters, widthDivisor),
      kernelSize,
      strides,
      padding,
      useBias: true,
      kernelInitializer: seeds.glorot(),
      biasInitializer: seeds.uniform(-0.05, 0.05),
    });
  const bn = (name: string) =>
    tfl.layers.batchNormalization({
      name,
      axis: 3,
      epsilon: RESNET_BN_EPSILON,
      betaInitializer: seeds.uniform(-0.05, 0.05),
      movingMeanInitializer: seeds.uniform(-0.05, 0.05),
      movingVarianceInitializer: seeds.uniform(0.5, 1.5),
    });
  const relu = (name: string) => tfl.layers.activation({ name, activation: 'relu' });

  const input = tfl.input({ shape: [size, size, 3], name: 'input_1' });
  let x = apply(tfl.layers.zeroPadding2d({ name: 'conv1_pad', padding: [[3, 3], [3, 3]] }), input);
  x = apply(conv('conv1_conv', 64, 7, 2), x);
  x = apply(bn('conv1_bn'), x);
  x = apply(relu('conv1_relu'), x);
  x = apply(tfl.layers.zeroPadding2d({ name: 'pool1_pad', padding: [[1, 1], [1, 1]] }), x);
  x = apply(tfl.layers.maxPooling2d({ name: 'pool1_pool', poolSize: 3, strides: 2 }), x);

  blocks.forEach((count, s) => {
    const stage = STAGES[s];
    if (!stage) throw new Error(`buildResNet50: at most ${STAGES.length} stages, got ${blocks.length}`);
    for (let b = 1; b <= count; b++) {
      const name = `${stage.name}_block${b}`;
      const stride = b === 1 ? stage.stride : 1;
      let shortcut = x;
      if (b === 1) {
        shortcut = apply(conv(`${name}_0_conv`, 4 * stage.filters, 1, stride), x);
        shortcut = apply(bn(`${name}_0_bn`), shortcut);
      }
      let y = apply(conv(`${name}_1_conv`, stage.filters, 1, stride), x);
      y = apply(bn(`${name}_1_bn`), y);
      y = apply(relu(`${name}_1_relu`), y);
      y = apply(conv(`${name}_2_conv`, stage.filters, 3, 1, 'same'), y);
      y = apply(bn(`${name}_2_bn`), y);
      y = apply(relu(`${name}_2_relu`), y);
      y = apply(conv(`${name}_3_conv`, 4 * stage.filters, 1), y);
      y = apply(bn(`${name}_3_bn`), y);
      y = apply(tfl.layers.add({ name: `${name}_add` }), [shortcut, y]);
      x = apply(relu(`${name}_out`), y);
    }
  });

  x = apply(tfl.layers.globalAveragePooling2d({ name: 'avg_pool' }), x);
  x = apply(
    tfl.layers.dense({ name: 'predictions', units: classes, activation: 'linear', kernelInitializer: seeds.glorot(), biasInitializer: seeds.uniform(-0.05, 0.05) }),
    x,
  );
  const model = tfl.model({ inputs: input, outputs: x, name: 'resnet50' });
  if (zeroBiases) zeroModelBiases(model);
  return model;
}
