// Trains, reproducibly, a small ResNet-style digits CNN (BatchNormalization +
// Add, Keras ResNet layer names) that NRM can explain.
//
//   node examples/digits-resnet/train.mjs          # seed 42, writes examples/digits-resnet/model/
//   node examples/digits-resnet/train.mjs --seed 7 --epochs 4 --lr-drops 2,3 --out /tmp/resnet-model
//
// Reuses, by import, the digits-cnn training setup: the seeded stratified
// split (../digits-cnn/split.mjs, 8,000 train / 2,000 test), the wasm Conv2D
// gradient kernels (../digits-cnn/wasm-conv2d-grads.mjs) and the float16
// model.json + weights.bin saver/loader (../digits-cnn/model-io.mjs).
// Pixels in [0, 1], input [N, 28, 28, 1], no normalisation. Augmentation: each
// epoch, each training digit is shifted by a seeded random integer offset in
// [-max-shift, max-shift] px along both axes (the digits have a 4 px margin).
// Learning rate: Adam, multiplied by 0.3 at each epoch listed in --lr-drops.

import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import '@tensorflow/tfjs-backend-wasm';

import { registerWasmConv2DGradients } from '../digits-cnn/wasm-conv2d-grads.mjs';
import { IMAGE_SIZE, NUM_CLASSES, PIXELS, loadDigitsSplit, mulberry32, shuffleInPlace } from '../digits-cnn/split.mjs';
import { fileSaveHandler, loadModelFromDir, roundWeightsToFloat16 } from '../digits-cnn/model-io.mjs';

const here = dirname(fileURLToPath(import.meta.url));

const { values: args } = parseArgs({
  options: {
    seed: { type: 'string', default: '42' },
    epochs: { type: 'string', default: '20' },
    'lr-drops': { type: 'string', default: '12,17' },
    'max-shift': { type: 'string', default: '2' },
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
/** Epochs (counted from 0) at which the learning rate is multiplied by LR_DROP_FACTOR. */
const LR_DROPS = args['lr-drops'].split(',').filter(Boolean).map(Number);
const LR_DROP_FACTOR = 0.3;
const MAX_SHIFT = Number(args['max-shift']);

/** Learning rate of an epoch (counted from 0): lr times 0.3 per drop already reached. */
const learningRateAt = (epoch) => LEARNING_RATE * LR_DROP_FACTOR ** LR_DROPS.filter((d) => epoch >= d).length;

/**
 * Writes `src` (one 28x28 image at `srcOffset`) into `dst` at `dstOffset`,
 * translated by (dy, dx) pixels, zero-filling what moves in.
 */
function shiftInto(dst, dstOffset, src, srcOffset, dy, dx) {
  for (let r = 0; r < IMAGE_SIZE; r++) {
    const sr = r - dy;
    const rowOut = dstOffset + r * IMAGE_SIZE;
    if (sr < 0 || sr >= IMAGE_SIZE) {
      dst.fill(0, rowOut, rowOut + IMAGE_SIZE);
      continue;
    }
    for (let c = 0; c < IMAGE_SIZE; c++) {
      const sc = c - dx;
      dst[rowOut + c] = sc < 0 || sc >= IMAGE_SIZE ? 0 : src[srcOffset + sr * IMAGE_SIZE + sc];
    }
  }
}

/** The ResNet-style model; every initializer has its own derived seed. */
export function buildModel(seed) {
  let k = 0;
  const he = () => tfl.initializers.heNormal({ seed: seed * 100 + ++k });
  const conv = (name, filters, kernelSize, strides = 1) =>
    tfl.layers.conv2d({ name, filters, kernelSize, strides, padding: 'same', kernelInitializer: he(), biasInitializer: 'zeros' });
  const bn = (name) => tfl.layers.batchNormalization({ name, axis: -1, momentum: 0.9, epsilon: 1.001e-5 });
  const relu = (name) => tfl.layers.activation({ name, activation: 'relu' });

  const input = tfl.input({ name: 'input', shape: [IMAGE_SIZE, IMAGE_SIZE, 1] });
  // Stem.
  let x = conv('conv1_conv', 8, 3).apply(input);
  x = bn('conv1_bn').apply(x);
  x = relu('conv1_relu').apply(x);
  // Block 1: identity block, 8 channels, 28x28.
  let y = conv('block1_1_conv', 8, 3).apply(x);
  y = bn('block1_1_bn').apply(y);
  y = relu('block1_1_relu').apply(y);
  y = conv('block1_2_conv', 8, 3).apply(y);
  y = bn('block1_2_bn').apply(y);
  x = tfl.layers.add({ name: 'block1_add' }).apply([x, y]);
  x = relu('block1_out').apply(x);
  // Block 2: conv block, 32 channels, stride 2 (28x28 -> 14x14), 1x1 stride-2 shortcut.
  let s = conv('block2_0_conv', 32, 1, 2).apply(x);
  s = bn('block2_0_bn').apply(s);
  y = conv('block2_1_conv', 32, 3, 2).apply(x);
  y = bn('block2_1_bn').apply(y);
  y = relu('block2_1_relu').apply(y);
  y = conv('block2_2_conv', 32, 3).apply(y);
  y = bn('block2_2_bn').apply(y);
  x = tfl.layers.add({ name: 'block2_add' }).apply([s, y]);
  x = relu('block2_out').apply(x);
  // Top.
  x = tfl.layers.globalAveragePooling2d({ name: 'avg_pool' }).apply(x);
  const logits = tfl.layers
    .dense({ name: 'logits', units: NUM_CLASSES, activation: 'linear', kernelInitializer: tfl.initializers.glorotUniform({ seed: seed * 100 + ++k }), biasInitializer: 'zeros' })
    .apply(x);
  return tfl.model({ name: 'digits_resnet', inputs: input, outputs: logits });
}

const toX = (images, count) => tf.tensor4d(images, [count, IMAGE_SIZE, IMAGE_SIZE, 1], 'float32');
const toY = (labels) => {
  const oneHot = new Float32Array(labels.length * NUM_CLASSES);
  for (let i = 0; i < labels.length; i++) oneHot[i * NUM_CLASSES + labels[i]] = 1;
  return tf.tensor2d(oneHot, [labels.length, NUM_CLASSES], 'float32');
};
const predictLogits = (model, x) => tf.tidy(() => model.predict(x, { batchSize: 500 }).dataSync().slice());
function accuracyOf(logits, labels) {
  let correct = 0;
  for (let i = 0; i < labels.length; i++) {
    let best = 0;
    for (let c = 1; c < NUM_CLASSES; c++) if (logits[i * NUM_CLASSES + c] > logits[i * NUM_CLASSES + best]) best = c;
    if (best === labels[i]) correct++;
  }
  return correct / labels.length;
}

async function main() {
  await tf.setBackend('wasm');
  await tf.ready();
  registerWasmConv2DGradients(); // wasm 4.22.0 lacks Conv2DBackpropFilter
  if (tf.getBackend() !== 'wasm') throw new Error(`expected wasm, got ${tf.getBackend()}`);

  const { train, test } = loadDigitsSplit({ seed: SEED, trainCount: Number(args['train-count']), testCount: Number(args['test-count']) });
  console.log(`data: ${train.count} train / ${test.count} test digits (seed ${SEED})`);
  const model = buildModel(SEED);
  const optimizer = tf.train.adam(LEARNING_RATE);
  model.compile({ optimizer, loss: (yTrue, yPred) => tf.losses.softmaxCrossEntropy(yTrue, yPred) });
  model.summary();

  const xTest = toX(test.images, test.count);
  const rng = mulberry32((SEED ^ 0x5eed) >>> 0);
  const order = Array.from({ length: train.count }, (_, i) => i);
  const epochLosses = [];
  const epochTestAccuracies = [];
  const t0 = performance.now();
  for (let epoch = 0; epoch < EPOCHS; epoch++) {
    const te = performance.now();
    // Step schedule; Adam reads `learningRate` at every update.
    optimizer.learningRate = learningRateAt(epoch);
    shuffleInPlace(order, rng);
    const xs = new Float32Array(train.count * PIXELS);
    const ys = new Uint8Array(train.count);
    for (let k = 0; k < train.count; k++) {
      const dy = Math.floor(rng() * (2 * MAX_SHIFT + 1)) - MAX_SHIFT;
      const dx = Math.floor(rng() * (2 * MAX_SHIFT + 1)) - MAX_SHIFT;
      shiftInto(xs, k * PIXELS, train.images, order[k] * PIXELS, dy, dx);
      ys[k] = train.labels[order[k]];
    }
    const x = toX(xs, train.count);
    const y = toY(ys);
    const h = await model.fit(x, y, { epochs: 1, batchSize: BATCH_SIZE, shuffle: false, verbose: 0 });
    tf.dispose([x, y]);
    epochLosses.push(h.history.loss[0]);
    const acc = accuracyOf(predictLogits(model, xTest), test.labels);
    epochTestAccuracies.push(acc);
    console.log(`epoch ${epoch + 1}/${EPOCHS} lr ${optimizer.learningRate.toExponential(1)} loss ${h.history.loss[0].toFixed(4)} test acc ${(acc * 100).toFixed(2)}% (${((performance.now() - te) / 1000).toFixed(1)} s)`);
  }
  const trainSeconds = (performance.now() - t0) / 1000;

  const testAccuracyFloat32 = accuracyOf(predictLogits(model, xTest), test.labels);
  roundWeightsToFloat16(model);
  const testLogits = predictLogits(model, xTest);
  const testAccuracy = accuracyOf(testLogits, test.labels);
  const xTrain = toX(train.images, train.count);
  const trainAccuracy = accuracyOf(predictLogits(model, xTrain), train.labels);
  xTrain.dispose();

  await model.save(fileSaveHandler(OUT_DIR, { float16: true }));
  const reloaded = await loadModelFromDir(OUT_DIR);
  const reloadedLogits = predictLogits(reloaded, xTest);
  if (Buffer.compare(Buffer.from(reloadedLogits.buffer), Buffer.from(testLogits.buffer)) !== 0) {
    throw new Error('reloaded model gives different test logits');
  }
  console.log(`reloaded ${join(OUT_DIR, 'model.json')}: bit-identical test logits`);

  const weightsSha256 = createHash('sha256').update(readFileSync(join(OUT_DIR, 'weights.bin'))).digest('hex');
  const metrics = {
    seed: SEED, trainCount: train.count, testCount: test.count, epochs: EPOCHS, batchSize: BATCH_SIZE,
    learningRate: LEARNING_RATE, learningRateSchedule: `Adam; lr x${LR_DROP_FACTOR} from each of epochs ${LR_DROPS.map((d) => d + 1).join(', ')}`,
    augmentation: `random integer shift in [-${MAX_SHIFT}, ${MAX_SHIFT}] px (x and y), seeded`,
    testAccuracy, trainAccuracy, testAccuracyFloat32,
    weightStorage: 'float16; accuracies are of the saved float16 model (testAccuracyFloat32 before rounding)',
    trainSeconds: Math.round(trainSeconds * 10) / 10, backend: tf.getBackend(), tfjsVersion: tf.version_core,
    params: model.countParams(), epochLosses, epochTestAccuracies, weightsSha256,
  };
  writeFileSync(join(OUT_DIR, 'metrics.json'), JSON.stringify(metrics, null, 2) + '\n');

  // Same sample convention as digits-cnn: first test digit of each class, then the next two.
  const picked = [];
  for (let d = 0; d < NUM_CLASSES; d++) { const i = test.labels.indexOf(d); if (i >= 0) picked.push(i); }
  for (let i = 0; i < test.count && picked.length < 12; i++) if (!picked.includes(i)) picked.push(i);
  const round4 = (v) => Math.round(v * 1e4) / 1e4;
  const digits = picked.map((i) => ({ index: i, sourceIndex: test.sourceIndices[i], label: test.labels[i], pixels: Array.from(test.images.subarray(i * PIXELS, (i + 1) * PIXELS), round4) }));
  writeFileSync(join(OUT_DIR, 'test-digits.json'), '[\n' + digits.map((d) => JSON.stringify(d)).join(',\n') + '\n]\n');

  console.log(`test accuracy ${(testAccuracy * 100).toFixed(2)}% (float32 ${(testAccuracyFloat32 * 100).toFixed(2)}%), train ${(trainAccuracy * 100).toFixed(2)}%, training ${trainSeconds.toFixed(1)} s on wasm`);
  console.log(`wrote ${OUT_DIR}/{model.json, weights.bin, metrics.json, test-digits.json}`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await main();
}
