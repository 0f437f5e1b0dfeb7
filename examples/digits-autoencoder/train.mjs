// Trains, reproducibly, a small convolutional autoencoder on the mnist-package
// digits, for NRM to explain latent units and regions of the reconstruction.
//
//   node examples/digits-autoencoder/train.mjs      # seed 42, writes examples/digits-autoencoder/model/
//   node examples/digits-autoencoder/train.mjs --seed 7 --epochs 4 --out /tmp/ae-model
//
// Reuses, by import, the digits-cnn training setup: the seeded stratified
// split (../digits-cnn/split.mjs, 8,000 train / 2,000 test), the wasm Conv2D
// gradient kernels (../digits-cnn/wasm-conv2d-grads.mjs; Conv2DTranspose's
// filter gradient is a Conv2DBackpropFilter too, which wasm 4.22.0 lacks) and
// the float16 model.json + weights.bin saver/loader (../digits-cnn/model-io.mjs).
//
// The output layer `reconstruction` is linear (NRM strips only a final
// softmax, so no sigmoid); the loss is the mean squared error against the
// input pixels in [0, 1].

import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import '@tensorflow/tfjs-backend-wasm';

import { registerWasmConv2DGradients } from '../digits-cnn/wasm-conv2d-grads.mjs';
import { IMAGE_SIZE, PIXELS, loadDigitsSplit, mulberry32, shuffleInPlace } from '../digits-cnn/split.mjs';
import { fileSaveHandler, loadModelFromDir, roundWeightsToFloat16 } from '../digits-cnn/model-io.mjs';

const here = dirname(fileURLToPath(import.meta.url));

const { values: args } = parseArgs({
  options: {
    seed: { type: 'string', default: '42' },
    epochs: { type: 'string', default: '15' },
    'batch-size': { type: 'string', default: '64' },
    lr: { type: 'string', default: '0.003' },
    'train-count': { type: 'string', default: '8000' },
    'test-count': { type: 'string', default: '2000' },
    out: { type: 'string', default: join(here, 'model') },
  },
});
const SEED = Number(args.seed);
const EPOCHS = Number(args.epochs);
const BATCH_SIZE = Number(args['batch-size']);
const LEARNING_RATE = Number(args.lr);
const OUT_DIR = resolve(args.out);

/** Encoder 28->14->7 (latent 7x7x4), decoder 7->14->28, linear 1-channel output. */
export function buildModel(seed) {
  let k = 0;
  const he = () => tfl.initializers.heNormal({ seed: seed * 100 + ++k });
  const glorot = () => tfl.initializers.glorotUniform({ seed: seed * 100 + ++k });
  const model = tfl.sequential({ name: 'digits_autoencoder' });
  model.add(tfl.layers.conv2d({ name: 'enc1', inputShape: [IMAGE_SIZE, IMAGE_SIZE, 1], filters: 8, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', kernelInitializer: he() }));
  model.add(tfl.layers.conv2d({ name: 'enc2', filters: 16, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', kernelInitializer: he() }));
  model.add(tfl.layers.conv2d({ name: 'latent', filters: 4, kernelSize: 1, strides: 1, padding: 'valid', activation: 'linear', kernelInitializer: glorot() }));
  model.add(tfl.layers.conv2dTranspose({ name: 'dec1', filters: 8, kernelSize: 2, strides: 2, padding: 'valid', activation: 'relu', kernelInitializer: he() }));
  model.add(tfl.layers.conv2dTranspose({ name: 'dec2', filters: 8, kernelSize: 2, strides: 2, padding: 'valid', activation: 'relu', kernelInitializer: he() }));
  model.add(tfl.layers.conv2dTranspose({ name: 'reconstruction', filters: 1, kernelSize: 1, strides: 1, padding: 'valid', activation: 'linear', kernelInitializer: glorot() }));
  return model;
}

const toX = (images, count) => tf.tensor4d(images, [count, IMAGE_SIZE, IMAGE_SIZE, 1], 'float32');
const predict = (model, x) => tf.tidy(() => model.predict(x, { batchSize: 500 }).dataSync().slice());
function mseOf(pred, target) {
  let s = 0;
  for (let i = 0; i < target.length; i++) s += (pred[i] - target[i]) ** 2;
  return s / target.length;
}

async function main() {
  await tf.setBackend('wasm');
  await tf.ready();
  registerWasmConv2DGradients(); // Conv2D and Conv2DTranspose filter gradients on wasm
  if (tf.getBackend() !== 'wasm') throw new Error(`expected wasm, got ${tf.getBackend()}`);

  const { train, test } = loadDigitsSplit({ seed: SEED, trainCount: Number(args['train-count']), testCount: Number(args['test-count']) });
  console.log(`data: ${train.count} train / ${test.count} test digits (seed ${SEED})`);
  const model = buildModel(SEED);
  const optimizer = tf.train.adam(LEARNING_RATE);
  model.compile({ optimizer, loss: 'meanSquaredError' });
  model.summary();

  const xTest = toX(test.images, test.count);
  const rng = mulberry32((SEED ^ 0x5eed) >>> 0);
  const order = Array.from({ length: train.count }, (_, i) => i);
  const epochLosses = [];
  const t0 = performance.now();
  for (let epoch = 0; epoch < EPOCHS; epoch++) {
    const te = performance.now();
    optimizer.learningRate = epoch >= Math.ceil(EPOCHS * 0.75) ? LEARNING_RATE * 0.3 : LEARNING_RATE;
    shuffleInPlace(order, rng);
    const xs = new Float32Array(train.count * PIXELS);
    for (let k = 0; k < train.count; k++) xs.set(train.images.subarray(order[k] * PIXELS, (order[k] + 1) * PIXELS), k * PIXELS);
    const x = toX(xs, train.count);
    const h = await model.fit(x, x, { epochs: 1, batchSize: BATCH_SIZE, shuffle: false, verbose: 0 });
    x.dispose();
    epochLosses.push(h.history.loss[0]);
    const mse = mseOf(predict(model, xTest), test.images);
    console.log(`epoch ${epoch + 1}/${EPOCHS} loss ${h.history.loss[0].toFixed(5)} test MSE ${mse.toFixed(5)} (${((performance.now() - te) / 1000).toFixed(1)} s)`);
  }
  const trainSeconds = (performance.now() - t0) / 1000;

  const testMseFloat32 = mseOf(predict(model, xTest), test.images);
  roundWeightsToFloat16(model);
  const testOut = predict(model, xTest);
  const testMse = mseOf(testOut, test.images);
  const xTrain = toX(train.images, train.count);
  const trainMse = mseOf(predict(model, xTrain), train.images);
  xTrain.dispose();
  // Baseline: predicting the mean training image for every digit.
  const meanImg = new Float64Array(PIXELS);
  for (let i = 0; i < train.count * PIXELS; i++) meanImg[i % PIXELS] += train.images[i] / train.count;
  let base = 0;
  for (let i = 0; i < test.count * PIXELS; i++) base += (meanImg[i % PIXELS] - test.images[i]) ** 2;
  const meanImageBaselineMse = base / (test.count * PIXELS);

  await model.save(fileSaveHandler(OUT_DIR, { float16: true }));
  const reloaded = await loadModelFromDir(OUT_DIR);
  const reloadedOut = predict(reloaded, xTest);
  if (Buffer.compare(Buffer.from(reloadedOut.buffer), Buffer.from(testOut.buffer)) !== 0) {
    throw new Error('reloaded model gives different test reconstructions');
  }
  console.log(`reloaded ${join(OUT_DIR, 'model.json')}: bit-identical test reconstructions`);

  const weightsSha256 = createHash('sha256').update(readFileSync(join(OUT_DIR, 'weights.bin'))).digest('hex');
  const metrics = {
    seed: SEED, trainCount: train.count, testCount: test.count, epochs: EPOCHS, batchSize: BATCH_SIZE,
    learningRate: LEARNING_RATE, learningRateSchedule: `Adam; x0.3 from epoch ${Math.ceil(EPOCHS * 0.75) + 1}`,
    loss: 'mean squared error per pixel, pixels in [0,1], linear output',
    testMse, trainMse, testMseFloat32, meanImageBaselineMse,
    weightStorage: 'float16; MSEs are of the saved float16 model (testMseFloat32 before rounding)',
    trainSeconds: Math.round(trainSeconds * 10) / 10, backend: tf.getBackend(), tfjsVersion: tf.version_core,
    params: model.countParams(), epochLosses, weightsSha256,
  };
  writeFileSync(join(OUT_DIR, 'metrics.json'), JSON.stringify(metrics, null, 2) + '\n');

  const picked = [];
  for (let d = 0; d < 10; d++) { const i = test.labels.indexOf(d); if (i >= 0) picked.push(i); }
  for (let i = 0; i < test.count && picked.length < 12; i++) if (!picked.includes(i)) picked.push(i);
  const round4 = (v) => Math.round(v * 1e4) / 1e4;
  const digits = picked.map((i) => ({ index: i, sourceIndex: test.sourceIndices[i], label: test.labels[i], pixels: Array.from(test.images.subarray(i * PIXELS, (i + 1) * PIXELS), round4) }));
  writeFileSync(join(OUT_DIR, 'test-digits.json'), '[\n' + digits.map((d) => JSON.stringify(d)).join(',\n') + '\n]\n');

  console.log(`test MSE ${testMse.toFixed(5)} (float32 ${testMseFloat32.toFixed(5)}; mean-image baseline ${meanImageBaselineMse.toFixed(5)}), train MSE ${trainMse.toFixed(5)}, training ${trainSeconds.toFixed(1)} s on wasm`);
  console.log(`wrote ${OUT_DIR}/{model.json, weights.bin, metrics.json, test-digits.json}`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await main();
}
