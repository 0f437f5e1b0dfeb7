import * as tfl from '@tensorflow/tfjs-layers';
import { SeedSequence, apply, zeroModelBiases } from './common.js';

/** Options of {@link buildConvAutoencoder}. */
export interface ConvAutoencoderOptions {
  /** Input height and width; must be divisible by 2^filters.length. Default 28 (MNIST). */
  size?: number;
  /** Input (and reconstruction) channels. Default 1. */
  channels?: number;
  /** Widths of the stride-2 encoder convs `enc1`, `enc2`, …. Default [16, 32]. */
  filters?: number[];
  /** Channels of the `latent` code. Default 8. */
  latent?: number;
  /** Base seed of the per-layer initializers. Default 1. */
  seed?: number;
  /** Sets all biases to 0 after building. Default false. */
  zeroBiases?: boolean;
}

/**
 * A small convolutional autoencoder, channels last:
 *
 * - encoder: `enc1`, `enc2`, … Conv2D (`filters[i]`, 3x3, stride 2, same, relu), each halving the
 *   resolution; then `latent` Conv2D (`latent` channels, 1x1, linear): the code, of shape
 *   `[size / 2^n, size / 2^n, latent]`;
 * - decoder: `dec1`, `dec2`, … Conv2DTranspose (the encoder widths in reverse, 2x2, stride 2, valid,
 *   relu), each doubling the resolution; then `reconstruction` Conv2DTranspose (`channels`, 1x1,
 *   linear).
 *
 * Explain a latent unit with target `{ layer: 'latent', indices: [[row, col, channel]] }`, or a pixel
 * of the reconstruction with `{ layer: 'reconstruction', … }`.
 */
export function buildConvAutoencoder(options: ConvAutoencoderOptions = {}): tfl.LayersModel {
  const { size = 28, channels = 1, filters = [16, 32], latent = 8, seed = 1, zeroBiases = false } = options;
  if (filters.length === 0) throw new Error('buildConvAutoencoder: filters must not be empty');
  if (size % 2 ** filters.length !== 0) throw new Error(`buildConvAutoencoder: size ${size} is not divisible by 2^${filters.length}`);
  const seeds = new SeedSequence(seed);
  const common = () => ({ kernelInitializer: seeds.glorot(), biasInitializer: seeds.uniform(-0.05, 0.05) });
  const input = tfl.input({ shape: [size, size, channels], name: 'input' });
  let x = input;
  filters.forEach((f, i) => {
    x = apply(tfl.layers.conv2d({ name: `enc${i + 1}`, filters: f, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', ...common() }), x);
  });
  x = apply(tfl.layers.conv2d({ name: 'latent', filters: latent, kernelSize: 1, activation: 'linear', ...common() }), x);
  [...filters].reverse().forEach((f, i) => {
    x = apply(tfl.layers.conv2dTranspose({ name: `dec${i + 1}`, filters: f, kernelSize: 2, strides: 2, padding: 'valid', activation: 'relu', ...common() }), x);
  });
  x = apply(tfl.layers.conv2dTranspose({ name: 'reconstruction', filters: channels, kernelSize: 1, activation: 'linear', ...common() }), x);
  const model = tfl.model({ inputs: input, outputs: x, name: 'conv_autoencoder' });
  if (zeroBiases) zeroModelBiases(model);
  return model;
}
