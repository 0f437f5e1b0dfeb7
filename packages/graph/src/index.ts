/**
 * `@nrm/graph`: loads tfjs layers-models, translates them into NRM's graph IR and canonicalizes
 * the IR (activations split, BatchNormalization folded, identities dropped, final softmax
 * stripped).
 *
 * @packageDocumentation
 */
export { SUPPORTED_LAYER_CLASSES, isSupportedLayerClass, type SupportedLayerClass } from './adapter/supported-layers.js';
export { tfjsLayersAdapter, layersModelToGraph } from './adapter/tfjs-layers-adapter.js';
export { loadLayersModelFromFiles } from './load-model-files.js';
export { loadLayersModelFromMemory, type Bytes } from './load-model-memory.js';
export { loadGraph, graphFromLayersModel } from './load-graph.js';
export { splitActivations, PREACTIVATION_SUFFIX, SOFTMAX_SUFFIX } from './passes/split-activations.js';
export { foldBatchNorm, foldAffineIntoParams } from './passes/fold-batch-norm.js';
export { dropIdentities } from './passes/drop-identities.js';
export { stripFinalSoftmax } from './passes/strip-final-softmax.js';
export { canonicalize } from './passes/canonicalize.js';
export { tfjsLayers } from './plugin.js';
export {
  buildVgg16,
  buildResNet50,
  buildConvAutoencoder,
  zeroModelBiases,
  RECOMMENDED_COMPOSITES,
  RESNET_BN_EPSILON,
  type Vgg16Options,
  type ResNet50Options,
  type ConvAutoencoderOptions,
} from './topologies/index.js';
