// Trains, reproducibly, a small VGG-style CNN on @nrm/eval's ground-truth shapes
// dataset: 32x32 grey images whose class (circle, square, triangle, cross) is
// decided only by one object, drawn over a striped, noisy background with bright
// distractor marks; every image comes with the object's mask.
//
//   node examples/ground-truth-shapes/train.mjs         # from the repo root; writes examples/ground-truth-shapes/model/
//   node examples/ground-truth-shapes/train.mjs --epochs 4 --out /tmp/shapes-model
//
// Data: generateShapes({ count: 8000, seed: 1 }) to train and
// generateShapes({ count: 2000, seed: 2 }) to test (a different seed, so
// different images). Pixels in [0, 1], input [N, 32, 32, 1], no normalisation.
// Augmentation: each epoch, each training image is mirrored left-right with
// probability 1/2 (seeded). Every shape is symmetric about its vertical axis,
// and the background and distractors are mirror-invariant in distribution,
// so the label does not change.
//
// Follows the digits-cnn training setup: it imports the wasm Conv2D gradient
// kernels (../digits-cnn/wasm-conv2d-grads.mjs) and uses the same float16
// model.json + weights.bin saver/loader (../digits-cnn/model-io.mjs).
// Reproducibility: seeded initializers, seeded order and flips (mulberry32),
// fit with shuffle: false, no Dropout, single-threaded wasm.

import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import '@tensorflow/tfjs-backend-wasm';
import { generateShapes, mulberry32, shuffleInPlace } from '@nrm/eval';

import { registerWasmConv2DGradients } from '../digits-cnn/wasm-conv2d-grads.mjs';
import { fileSaveHandler, loadModelFromDir, roundWeightsToFloat16 } from '../digits-cnn/model-io.mjs';

const here = dirname(fileURLToPath(import.meta.url));

const { values: args } = parseArgs({
  options: {
    seed: { type: 'string', default: '7' },
    'train-seed': { type: 'string', default: '1' },
    'test-seed': { type: 'string', default: '2' },
    'train-count': { type: 'string', default: '8000' },
    'test-count': { type: 'string', default: '2000' },
    epochs: { type: 'string', default: '6' },
    'lr-drops': { type: 'string', default: '4' },
    'batch-size': { type: 'string', default: '64' },
    lr: { type: 'string', default: '0.002' },
    'no-flip': { type: 'boolean', default: false },
    samples: { type: 'string', default: '8' },
    out: { type: 'string', default: join(here, 'model') },
    quiet: { type: 'boolean', default: false },
  },
});
const SEED = Number(args.seed);
const TRAIN_SEED = Number(args['train-seed']);
const TEST_SEED = Number(args['test-seed']);
const TRAIN_COUNT = Number(args['train-count']);
const TEST_COUNT = Number(args['test-count']);
const EPOCHS = Number(args.epochs);
const BATCH_SIZE = Number(args['batch-size']);
const LEARNING_RATE = Number(args.lr);
/** Epochs (counted from 0) at which the learning rate is multiplied by LR_DROP_FACTOR. */
const LR_DROPS = args['lr-drops'].split(',').filter(Boolean).map(Number);
const LR_DROP_FACTOR = 0.3;
const FLIP = !args['no-flip'];
const SAMPLE_COUNT = Number(args.samples);
const OUT_DIR = resolve(args.out);
const SIZE = 32;
const PIXELS = SIZE * SIZE;
const log = args.quiet ? () => {} : (...m) => console.log(...m);

const learningRateAt = (epoch) => LEARNING_RATE * LR_DROP_FACTOR ** LR_DROPS.filter((d) => epoch >= d).length;

/** The VGG-style CNN: three conv blocks (8, 16, 32 filters), Dense 64, 4 logits. Seeded initializers. */
export function buildModel(seed, numClasses = 4) {
  let k = 0;
  const he = () => tfl.initializers.heNormal({ seed: seed * 100 + ++k });
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
  const model = tfl.sequential({ name: 'shapes_cnn' });
  model.add(conv('conv1', 8, { inputShape: [SIZE, SIZE, 1] }));
  model.add(conv('conv2', 8));
  model.add(tfl.layers.maxPooling2d({ name: 'pool1', poolSize: 2, strides: 2 }));
  model.add(conv('conv3', 16));
  model.add(conv('conv4', 16));
  model.add(tfl.layers.maxPooling2d({ name: 'pool2', poolSize: 2, strides: 2 }));
  model.add(conv('conv5', 32));
  model.add(tfl.layers.maxPooling2d({ name: 'pool3', poolSize: 2, strides: 2 }));
  model.add(tfl.layers.flatten({ name: 'flatten' }));
  model.add(tfl.layers.dense({ name: 'fc1', units: 64, activation: 'relu', kernelInitializer: he(), biasInitializer: 'zeros' }));
  model.add(
    tfl.layers.dense({
      name: 'logits',
      units: numClasses,
      activation: 'linear',
      kernelInitializer: tfl.initializers.glorotUniform({ seed: seed * 100 + ++k }),
      biasInitializer: 'zeros',
    }),
  );
  return model;
}

const toX = (images, count) => tf.tensor4d(images, [count, SIZE, SIZE, 1], 'float32');
const toY = (labels, numClasses) => {
  const oneHot = new Float32Array(labels.length * numClasses);
  for (let i = 0; i < labels.length; i++) oneHot[i * numClasses + labels[i]] = 1;
  return tf.tensor2d(oneHot, [labels.length, numClasses], 'float32');
};

function predictLogits(model, x, batchSize = 500) {
  return tf.tidy(() => model.predict(x, { batchSize }).dataSync().slice());
}

function predictions(logits, numClasses) {
  const out = new Int32Array(logits.length / numClasses);
  for (let i = 0; i < out.length; i++) {
    let best = 0;
    for (let c = 1; c < numClasses; c++) if (logits[i * numClasses + c] > logits[i * numClasses + best]) best = c;
    out[i] = best;
  }
  return out;
}

const accuracyOf = (pred, labels) => pred.reduce((s, p, i) => s + (p === labels[i] ? 1 : 0), 0) / labels.length;

/** Per-class accuracy and the confusion matrix (rows: true class, columns: predicted). */
function confusionOf(pred, labels, numClasses) {
  const m = Array.from({ length: numClasses }, () => new Array(numClasses).fill(0));
  for (let i = 0; i < labels.length; i++) m[labels[i]][pred[i]]++;
  return m;
}

/** Copies image `src` (at `srcOffset`) into `dst` (at `dstOffset`), mirrored left-right if `flip`. */
function copyImage(dst, dstOffset, src, srcOffset, flip) {
  if (!flip) {
    dst.set(src.subarray(srcOffset, srcOffset + PIXELS), dstOffset);
    return;
  }
  for (let y = 0; y < SIZE; y++) {
    for (let x = 0; x < SIZE; x++) dst[dstOffset + y * SIZE + x] = src[srcOffset + y * SIZE + (SIZE - 1 - x)];
  }
}

const round4 = (v) => Math.round(v * 1e4) / 1e4;

async function main() {
  await tf.setBackend('wasm');
  await tf.ready();
  registerWasmConv2DGradients();
  if (tf.getBackend() !== 'wasm') throw new Error(`expected the wasm backend, got ${tf.getBackend()}`);

  const train = generateShapes({ count: TRAIN_COUNT, seed: TRAIN_SEED, size: SIZE });
  const test = generateShapes({ count: TEST_COUNT, seed: TEST_SEED, size: SIZE });
  const numClasses = train.classNames.length;
  log(`data: generateShapes, ${TRAIN_COUNT} train (seed ${TRAIN_SEED}) / ${TEST_COUNT} test (seed ${TEST_SEED}), ${SIZE}x${SIZE}, classes ${train.classNames.join(', ')}`);

  const model = buildModel(SEED, numClasses);
  const optimizer = tf.train.adam(LEARNING_RATE);
  model.compile({ optimizer, loss: (yTrue, yPred) => tf.losses.softmaxCrossEntropy(yTrue, yPred) });
  if (!args.quiet) model.summary();

  const xTest = toX(test.images, TEST_COUNT);
  const rng = mulberry32((SEED ^ 0x5eed) >>> 0);
  const order = Array.from({ length: TRAIN_COUNT }, (_, i) => i);
  const epochLosses = [];
  const epochTestAccuracies = [];
  const t0 = performance.now();
  for (let epoch = 0; epoch < EPOCHS; epoch++) {
    const te = performance.now();
    optimizer.learningRate = learningRateAt(epoch);
    shuffleInPlace(order, rng);
    const xs = new Float32Array(TRAIN_COUNT * PIXELS);
    const ys = new Int32Array(TRAIN_COUNT);
    for (let k = 0; k < TRAIN_COUNT; k++) {
      const i = order[k];
      const flip = FLIP && rng() < 0.5;
      copyImage(xs, k * PIXELS, train.images, i * PIXELS, flip);
      ys[k] = train.labels[i];
    }
    const x = toX(xs, TRAIN_COUNT);
    const y = toY(ys, numClasses);
    const h = await model.fit(x, y, { epochs: 1, batchSize: BATCH_SIZE, shuffle: false, verbose: 0 });
    tf.dispose([x, y]);
    const loss = h.history.loss[0];
    epochLosses.push(loss);
    const testAcc = accuracyOf(predictions(predictLogits(model, xTest), numClasses), test.labels);
    epochTestAccuracies.push(testAcc);
    log(
      `epoch ${epoch + 1}/${EPOCHS}  lr ${optimizer.learningRate.toExponential(1)}  loss ${loss.toFixed(4)}  ` +
        `test acc ${(testAcc * 100).toFixed(2)}%  (${((performance.now() - te) / 1000).toFixed(1)} s)`,
    );
  }
  const trainSeconds = (performance.now() - t0) / 1000;

  const xTrain = toX(train.images, TRAIN_COUNT);
  const trainAccuracyFloat32 = accuracyOf(predictions(predictLogits(model, xTrain), numClasses), train.labels);
  const testAccuracyFloat32 = accuracyOf(predictions(predictLogits(model, xTest), numClasses), test.labels);
  const hash = createHash('sha256');
  for (const w of model.getWeights()) {
    const d = w.dataSync();
    hash.update(new Uint8Array(d.buffer, d.byteOffset, d.byteLength));
  }
  const float32WeightsSha256 = hash.digest('hex');

  // Stored weights are float16: round the in-memory model the same way, so every
  // number below is about exactly the model on disk.
  roundWeightsToFloat16(model);
  const trainAccuracy = accuracyOf(predictions(predictLogits(model, xTrain), numClasses), train.labels);
  const testLogits = predictLogits(model, xTest);
  const testPred = predictions(testLogits, numClasses);
  const testAccuracy = accuracyOf(testPred, test.labels);
  xTrain.dispose();
  const confusion = confusionOf(testPred, test.labels, numClasses);
  log(
    `float32 weights: test ${(testAccuracyFloat32 * 100).toFixed(2)}%, train ${(trainAccuracyFloat32 * 100).toFixed(2)}%; ` +
      `float16 (saved): test ${(testAccuracy * 100).toFixed(2)}%, train ${(trainAccuracy * 100).toFixed(2)}%`,
  );
  log(`test confusion (rows true ${train.classNames.join('/')}, columns predicted): ${JSON.stringify(confusion)}`);

  await model.save(fileSaveHandler(OUT_DIR, { float16: true }));
  const reloaded = await loadModelFromDir(OUT_DIR);
  const reloadedLogits = predictLogits(reloaded, xTest);
  const identical = Buffer.compare(Buffer.from(reloadedLogits.buffer), Buffer.from(testLogits.buffer)) === 0;
  if (!identical) throw new Error('the reloaded model gives different test logits');
  log(`reloaded ${join(OUT_DIR, 'model.json')}: bit-identical test logits`);

  // A few test images with their masks, for demos (web explorer, CLI): the first
  // SAMPLE_COUNT/4 test images of each class, in test-set order. Pixels are rounded
  // to 4 decimals; generateShapes({ count, seed: TEST_SEED }) at `index` gives them exactly.
  const perClass = Math.ceil(SAMPLE_COUNT / numClasses);
  const picked = [];
  for (let c = 0; c < numClasses; c++) {
    for (let i = 0, n = 0; i < TEST_COUNT && n < perClass; i++) if (test.labels[i] === c) picked.push(i), n++;
  }
  picked.sort((a, b) => a - b);
  const samplePixels = new Float32Array(picked.length * PIXELS);
  const samples = picked.map((i, k) => {
    const pixels = Array.from(test.images.subarray(i * PIXELS, (i + 1) * PIXELS), round4);
    samplePixels.set(pixels, k * PIXELS);
    return { index: i, label: test.labels[i], className: test.classNames[test.labels[i]], pixels, mask: Array.from(test.masks.subarray(i * PIXELS, (i + 1) * PIXELS)) };
  });
  const xSamples = toX(samplePixels, picked.length);
  const samplePred = predictions(predictLogits(model, xSamples), numClasses);
  xSamples.dispose();
  samples.forEach((s, k) => (s.prediction = samplePred[k]));
  const sampleFile = {
    description:
      `Test images of @nrm/eval generateShapes({ count: ${TEST_COUNT}, seed: ${TEST_SEED}, size: ${SIZE} }) with their object masks; ` +
      'pixels: row-major 32x32 grey values in [0,1] rounded to 4 decimals (input [1,32,32,1]); mask: 1 on the class-deciding object; ' +
      'prediction: the saved model on the rounded pixels.',
    classNames: test.classNames,
    shape: [SIZE, SIZE, 1],
    samples,
  };
  writeFileSync(
    join(OUT_DIR, 'test-samples.json'),
    JSON.stringify({ ...sampleFile, samples: [] }, null, 2).replace('"samples": []', `"samples": [\n${samples.map((s) => '    ' + JSON.stringify(s)).join(',\n')}\n  ]`) + '\n',
  );

  const weightsSha256 = createHash('sha256').update(readFileSync(join(OUT_DIR, 'weights.bin'))).digest('hex');
  const metrics = {
    seed: SEED,
    data: `@nrm/eval generateShapes, size ${SIZE}`,
    trainSeed: TRAIN_SEED,
    testSeed: TEST_SEED,
    trainCount: TRAIN_COUNT,
    testCount: TEST_COUNT,
    classNames: train.classNames,
    epochs: EPOCHS,
    batchSize: BATCH_SIZE,
    learningRate: LEARNING_RATE,
    learningRateSchedule: `x${LR_DROP_FACTOR} from epoch(s) ${LR_DROPS.map((d) => d + 1).join(', ')}`,
    augmentation: FLIP ? 'seeded random left-right mirror (p = 0.5)' : 'none',
    testAccuracy,
    trainAccuracy,
    testAccuracyFloat32,
    trainAccuracyFloat32,
    testConfusion: confusion,
    sampleAccuracy: accuracyOf(samplePred, samples.map((s) => s.label)),
    weightStorage: 'float16 (quantization dtype float16 in weightsManifest); accuracies above are of the saved float16 model',
    trainSeconds: Math.round(trainSeconds * 10) / 10,
    backend: tf.getBackend(),
    tfjsVersion: tf.version_core,
    inputNormalisation: 'none: generator pixels in [0,1], shape [32,32,1]',
    epochLosses,
    epochTestAccuracies,
    weightsSha256,
    float32WeightsSha256,
  };
  writeFileSync(join(OUT_DIR, 'metrics.json'), JSON.stringify(metrics, null, 2) + '\n');
  log(`test accuracy ${(testAccuracy * 100).toFixed(2)}%, train accuracy ${(trainAccuracy * 100).toFixed(2)}%, training ${trainSeconds.toFixed(1)} s on ${tf.getBackend()}`);
  log(`sha256 weights.bin ${weightsSha256}; trained float32 weights ${float32WeightsSha256}`);
  log(`wrote ${OUT_DIR}/{model.json, weights.bin, metrics.json, test-samples.json}`);
  xTest.dispose();
  reloaded.dispose();
  model.dispose();
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await main();
}
