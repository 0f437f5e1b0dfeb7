/**
 * Reference topologies built in tfjs-layers with Keras' layer names and weight layouts.
 *
 * @module
 */
export { buildVgg16, type Vgg16Options } from './vgg16.js';
export { buildResNet50, RESNET_BN_EPSILON, type ResNet50Options } from './resnet50.js';
export { buildConvAutoencoder, type ConvAutoencoderOptions } from './autoencoder.js';
export { zeroModelBiases } from './common.js';

/**
 * The composite recommended for each reference topology (ids of `@nrm/rules-lrp` composites):
 *
 * - `vgg16`: `'epsilon-gamma-box'` — Montavon et al.'s recommendation for VGG-like nets
 *   ("Layer-wise relevance propagation: an overview", 2019): LRP-γ on the convolutions (favours
 *   positive contributions, gives less noisy, more robust lower-layer maps), z^B (box rule) at the
 *   pixel layer (the input is bounded, not a ReLU output), LRP-ε on the dense layers (absorbs weak,
 *   contradictory relevance near the output).
 * - `resnet50`: `'epsilon-plus-flat'` — the composite Zennit recommends for ResNets: ε on the dense
 *   output layer, z⁺ (α1β0) on the convs, which keeps relevance positive and stable through the many
 *   stacked BN-folded convs and the residual Adds (plain ε/γ maps degrade to noise at that depth),
 *   and flat at the first conv, which spreads relevance over the 7x7 stride-2 receptive field instead
 *   of relying on the raw input values.
 * - `autoencoder`: `'epsilon'` — a shallow net whose targets (a latent unit, a pixel) can be negative
 *   and whose linear code layer has signed inputs; plain LRP-ε is conservative, keeps signs and
 *   equals gradient×input in the limit ε → 0, which suits a few-layer model.
 */
export const RECOMMENDED_COMPOSITES = {
  vgg16: 'epsilon-gamma-box',
  resnet50: 'epsilon-plus-flat',
  autoencoder: 'epsilon',
} as const;
