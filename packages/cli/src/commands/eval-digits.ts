/**
 * The digits of the demo model's test split: the seeded, stratified split of the `mnist`
 * package's 10,000 digits that `examples/digits-cnn/split.mjs` makes (seed 42, 8,000 train /
 * 2,000 test), reproduced here so that `nrm eval --data digits` needs no example script.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { InvalidArgumentError } from '@nrm/core';
import { mulberry32, shuffleInPlace } from '@nrm/eval';

const PIXELS = 28 * 28;
const CLASSES = 10;
/** The split `examples/digits-cnn` trained the demo model on. */
const SPLIT = { seed: 42, trainCount: 8000, testCount: 2000 } as const;

/** Largest-remainder allocation of `total` across classes in proportion to `sizes` (ties by class). */
function allocate(total: number, sizes: readonly number[]): number[] {
  const sum = sizes.reduce((a, b) => a + b, 0);
  const exact = sizes.map((s) => (total * s) / sum);
  const quota = exact.map(Math.floor);
  let left = total - quota.reduce((a, b) => a + b, 0);
  const order = exact.map((e, i) => ({ i, r: e - Math.floor(e) })).sort((a, b) => b.r - a.r || a.i - b.i);
  for (let k = 0; left > 0; k++, left--) quota[order[k % order.length]!.i]!++;
  return quota;
}

/** The first `count` test digits: images `[count, 28, 28, 1]` in [0, 1] and their labels. */
export async function loadTestDigits(count: number): Promise<{ images: Float32Array; labels: Int32Array }> {
  if (!Number.isInteger(count) || count < 1 || count > SPLIT.testCount) {
    throw new InvalidArgumentError(`digits:<count> takes 1 to ${SPLIT.testCount} digits (the test split), got ${count}.`);
  }
  let dir: string;
  try {
    dir = join(dirname(createRequire(import.meta.url).resolve('mnist/package.json')), 'src', 'digits');
  } catch {
    throw new InvalidArgumentError("--data digits needs the 'mnist' package (a dependency of @nrm/cli); reinstall the CLI's dependencies.");
  }
  const perClass: number[][] = [];
  for (let d = 0; d < CLASSES; d++) perClass.push((JSON.parse(await readFile(join(dir, `${d}.json`), 'utf8')) as { data: number[] }).data);
  const classCounts = perClass.map((data) => data.length / PIXELS);
  const classOffsets = classCounts.map((_, d) => classCounts.slice(0, d).reduce((a, b) => a + b, 0));
  const random = mulberry32(SPLIT.seed);
  const testQuota = allocate(SPLIT.testCount, classCounts);
  const trainQuota = allocate(SPLIT.trainCount, classCounts);
  const trainIdx: number[] = [];
  const testIdx: number[] = [];
  for (let d = 0; d < CLASSES; d++) {
    const perm = shuffleInPlace(
      Array.from({ length: classCounts[d]! }, (_, i) => classOffsets[d]! + i),
      random,
    );
    testIdx.push(...perm.slice(0, testQuota[d]));
    trainIdx.push(...perm.slice(testQuota[d], testQuota[d]! + trainQuota[d]!));
  }
  // The train list is shuffled first: it advances the generator exactly as split.mjs does.
  shuffleInPlace(trainIdx, random);
  shuffleInPlace(testIdx, random);
  const images = new Float32Array(count * PIXELS);
  const labels = new Int32Array(count);
  for (let k = 0; k < count; k++) {
    const source = testIdx[k]!;
    let d = CLASSES - 1;
    while (classOffsets[d]! > source) d--;
    const offset = (source - classOffsets[d]!) * PIXELS;
    images.set(perClass[d]!.slice(offset, offset + PIXELS), k * PIXELS);
    labels[k] = d;
  }
  return { images, labels };
}
