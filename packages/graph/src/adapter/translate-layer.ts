/** Dispatch from a Keras class to its translator. */
import type { IRNode } from '@nrm/core';
import type { LayerContext } from './layer-context.js';
import type { SupportedLayerClass } from './supported-layers.js';
import { translateActivation, translateReLU, translateSoftmax } from './translate-activation-layer.js';
import { translateBatchNorm } from './translate-batch-norm.js';
import {
  translateConv2d,
  translateConv2dTranspose,
  translateDense,
  translateDepthwiseConv2d,
} from './translate-linear-layer.js';
import { translateGlobalPool2d, translatePool2d } from './translate-pooling-layer.js';
import {
  translateAdd,
  translateConcatenate,
  translateDropout,
  translateFlatten,
  translateInput,
  translateReshape,
  translateUpSampling2d,
  translateZeroPadding2d,
} from './translate-structural-layer.js';

const translators: Record<SupportedLayerClass, (ctx: LayerContext) => IRNode> = {
  InputLayer: translateInput,
  Dense: translateDense,
  Conv2D: translateConv2d,
  Conv2DTranspose: translateConv2dTranspose,
  DepthwiseConv2D: translateDepthwiseConv2d,
  MaxPooling2D: (ctx) => translatePool2d(ctx, 'maxPool2d'),
  AveragePooling2D: (ctx) => translatePool2d(ctx, 'avgPool2d'),
  GlobalAveragePooling2D: (ctx) => translateGlobalPool2d(ctx, 'globalAvgPool2d'),
  GlobalMaxPooling2D: (ctx) => translateGlobalPool2d(ctx, 'globalMaxPool2d'),
  Flatten: translateFlatten,
  Reshape: translateReshape,
  Dropout: translateDropout,
  BatchNormalization: translateBatchNorm,
  Activation: translateActivation,
  ReLU: translateReLU,
  Softmax: translateSoftmax,
  Add: translateAdd,
  Concatenate: translateConcatenate,
  UpSampling2D: translateUpSampling2d,
  ZeroPadding2D: translateZeroPadding2d,
};

/** Translates one layer of a supported class into one IR node (id = the layer's name). */
export function translateLayer(className: SupportedLayerClass, ctx: LayerContext): IRNode {
  return translators[className](ctx);
}
