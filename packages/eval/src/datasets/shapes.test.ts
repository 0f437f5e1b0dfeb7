import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '@nrm/core';
import { generateShapes, shapeSceneAt, type ShapesDataset } from './shapes.js';
import { DISTRACTOR_MARGIN, SHAPE_CLASS_NAMES, renderScene } from './shape-scene.js';

const SIZE = 32;
const PIXELS = SIZE * SIZE;

function fingerprint(d: ShapesDataset): string {
  return createHash('sha256')
    .update(new Uint8Array(d.images.buffer, d.images.byteOffset, d.images.byteLength))
    .update(d.masks)
    .update(new Uint8Array(d.labels.buffer, d.labels.byteOffset, d.labels.byteLength))
    .digest('hex');
}

/** Per-image statistics of the pixels OUTSIDE the mask: mean, standard deviation, bright fraction. */
function backgroundFeatures(d: ShapesDataset, i: number): number[] {
  const [, h, w] = d.shape;
  const n = h * w;
  let sum = 0;
  let sq = 0;
  let bright = 0;
  let count = 0;
  for (let p = 0; p < n; p++) {
    if (d.masks[i * n + p]) continue;
    const v = d.images[i * n + p]!;
    sum += v;
    sq += v * v;
    if (v > 0.6) bright++;
    count++;
  }
  const mean = sum / count;
  return [mean, Math.sqrt(sq / count - mean * mean), bright / count];
}

/** Per-image statistics of the MASK: fill of its bounding box, vertical centre of mass within the box. */
function maskFeatures(d: ShapesDataset, i: number): number[] {
  const [, h, w] = d.shape;
  let x0 = w;
  let x1 = -1;
  let y0 = h;
  let y1 = -1;
  let area = 0;
  let ySum = 0;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (!d.masks[i * h * w + y * w + x]) continue;
      x0 = Math.min(x0, x);
      x1 = Math.max(x1, x);
      y0 = Math.min(y0, y);
      y1 = Math.max(y1, y);
      area++;
      ySum += y;
    }
  }
  return [area / ((x1 - x0 + 1) * (y1 - y0 + 1)), (ySum / area - y0) / (y1 - y0 + 1)];
}

/** Test accuracy of a nearest-class-centroid classifier (features standardised on the train set). */
function nearestCentroidAccuracy(train: ShapesDataset, test: ShapesDataset, features: (d: ShapesDataset, i: number) => number[]): number {
  const classes = train.classNames.length;
  const trainX = Array.from(train.labels, (_, i) => features(train, i));
  const dims = trainX[0]!.length;
  const mean = Array.from({ length: dims }, (_, k) => trainX.reduce((s, f) => s + f[k]!, 0) / trainX.length);
  const std = Array.from({ length: dims }, (_, k) => Math.sqrt(trainX.reduce((s, f) => s + (f[k]! - mean[k]!) ** 2, 0) / trainX.length) || 1);
  const z = (f: number[]) => f.map((v, k) => (v - mean[k]!) / std[k]!);
  const centroids = Array.from({ length: classes }, () => new Array<number>(dims).fill(0));
  const counts = new Array<number>(classes).fill(0);
  trainX.forEach((f, i) => {
    const c = train.labels[i]!;
    z(f).forEach((v, k) => (centroids[c]![k]! += v));
    counts[c]!++;
  });
  centroids.forEach((c, k) => c.forEach((_, j) => (c[j]! /= counts[k]!)));
  let correct = 0;
  for (let i = 0; i < test.labels.length; i++) {
    const f = z(features(test, i));
    let best = 0;
    let bestDist = Infinity;
    centroids.forEach((c, k) => {
      const dist = c.reduce((s, v, j) => s + (v - f[j]!) ** 2, 0);
      if (dist < bestDist) {
        bestDist = dist;
        best = k;
      }
    });
    if (best === test.labels[i]) correct++;
  }
  return correct / test.labels.length;
}

describe('generateShapes', () => {
  const data = generateShapes({ count: 2000, seed: 11 });

  it('returns the documented layout: NHWC images in [0, 1], binary masks, labels, class names', () => {
    expect(data.shape).toEqual([2000, SIZE, SIZE, 1]);
    expect(data.images).toBeInstanceOf(Float32Array);
    expect(data.images.length).toBe(2000 * PIXELS);
    expect(data.masks).toBeInstanceOf(Uint8Array);
    expect(data.masks.length).toBe(2000 * PIXELS);
    expect(data.labels).toBeInstanceOf(Int32Array);
    expect(data.classNames).toEqual(['circle', 'square', 'triangle', 'cross']);
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of data.images) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    expect(lo).toBeGreaterThanOrEqual(0);
    expect(hi).toBeLessThanOrEqual(1);
    expect(data.masks.every((m) => m === 0 || m === 1)).toBe(true);
    expect(data.labels.every((l) => l >= 0 && l < 4)).toBe(true);
    const small = generateShapes({ count: 3, seed: 1, size: 20 });
    expect(small.shape).toEqual([3, 20, 20, 1]);
    expect(small.images.length).toBe(3 * 400);
  });

  it('is deterministic for a seed, differs across seeds, and a smaller dataset is a prefix of a larger one', () => {
    const a = generateShapes({ count: 40, seed: 5 });
    const b = generateShapes({ count: 40, seed: 5 });
    const c = generateShapes({ count: 40, seed: 6 });
    expect(fingerprint(a)).toBe(fingerprint(b));
    expect(Buffer.from(a.images.buffer).equals(Buffer.from(c.images.buffer))).toBe(false);
    const prefix = generateShapes({ count: 13, seed: 5 });
    expect(prefix.images).toEqual(a.images.subarray(0, 13 * PIXELS));
    expect(prefix.masks).toEqual(a.masks.subarray(0, 13 * PIXELS));
    expect(prefix.labels).toEqual(a.labels.subarray(0, 13));
  });

  it('reproduces the pinned bytes the committed ground-truth model was trained on', () => {
    // If this fails, the generator changed: retrain examples/ground-truth-shapes (train.mjs)
    // and update this fingerprint together with the model.
    expect(fingerprint(generateShapes({ count: 64, seed: 2 }))).toBe('8268c1ba87a10af43b95b5954761b314182ec94e4876d9682cfc7f218e62aed8');
  });

  it('balances the classes: each block of 4 consecutive images holds each class once', () => {
    for (let b = 0; b < 500; b++) {
      expect([...data.labels.subarray(4 * b, 4 * b + 4)].sort()).toEqual([0, 1, 2, 3]);
    }
    const odd = generateShapes({ count: 10, seed: 3 });
    const counts = [0, 0, 0, 0];
    for (const l of odd.labels) counts[l]!++;
    expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
  });

  it('masks cover exactly the object: the pixels that change with the object’s brightness are the mask', () => {
    for (let i = 0; i < 300; i++) {
      const scene = shapeSceneAt(11, i);
      const image = data.images.subarray(i * PIXELS, (i + 1) * PIXELS);
      const mask = data.masks.subarray(i * PIXELS, (i + 1) * PIXELS);
      const brighter = new Float32Array(PIXELS);
      const mask2 = new Uint8Array(PIXELS);
      renderScene({ ...scene, intensity: scene.intensity + 0.01 }, brighter, mask2);
      expect(mask2).toEqual(mask);
      let area = 0;
      let mismatches = 0;
      for (let p = 0; p < PIXELS; p++) {
        if ((brighter[p] !== image[p]) !== (mask[p] === 1)) mismatches++;
        area += mask[p]!;
      }
      expect(mismatches).toBe(0);
      expect(area).toBeGreaterThan(0);
      // The mask is the shape its label names: its area matches the shape's area
      // (disc πr², square (1.7r)², triangle 2r², cross 2.04r²) up to boundary pixels.
      const r = scene.r;
      const expected = [Math.PI * r * r, (1.7 * r) ** 2, 2 * r * r, 2.04 * r * r][data.labels[i]!]!;
      expect(Math.abs(area - expected)).toBeLessThan(4 * r + 4);
    }
  });

  it('keeps distractor marks off the object (at least one pixel of gap) and their number independent of the class', () => {
    const marks = [0, 0, 0, 0];
    let touching = 0;
    for (let i = 0; i < 2000; i++) {
      const scene = shapeSceneAt(11, i);
      marks[scene.kind]! += scene.distractors.length;
      const mask = data.masks.subarray(i * PIXELS, (i + 1) * PIXELS);
      const drawn = new Map<number, number>(); // pixel -> intensity of the last mark drawn there
      for (const mark of scene.distractors) for (const p of mark.pixels) drawn.set(p, mark.intensity);
      for (const [p, intensity] of drawn) if (data.images[i * PIXELS + p] !== Math.fround(intensity)) touching++;
      for (const mark of scene.distractors) {
        for (const p of mark.pixels) {
          const x = p % SIZE;
          const y = Math.floor(p / SIZE);
          for (let dy = -1; dy <= 1; dy++) {
            for (let dx = -1; dx <= 1; dx++) {
              const xx = x + dx;
              const yy = y + dy;
              if (xx >= 0 && yy >= 0 && xx < SIZE && yy < SIZE && mask[yy * SIZE + xx]) touching++;
            }
          }
        }
      }
    }
    expect(touching).toBe(0);
    expect(DISTRACTOR_MARGIN).toBeGreaterThanOrEqual(2);
    // 500 images per class, 3..6 marks each (mean 4.5, sd ≈ 1.1): per-class means within 0.25.
    const means = marks.map((m) => m / 500);
    expect(Math.max(...means) - Math.min(...means)).toBeLessThan(0.25);
  });

  it('changing only the class changes only pixels inside the old or the new object', () => {
    for (let i = 0; i < 200; i++) {
      const scene = shapeSceneAt(11, i);
      const image = data.images.subarray(i * PIXELS, (i + 1) * PIXELS);
      const mask = data.masks.subarray(i * PIXELS, (i + 1) * PIXELS);
      for (let kind = 0; kind < SHAPE_CLASS_NAMES.length; kind++) {
        if (kind === scene.kind) continue;
        const other = new Float32Array(PIXELS);
        const otherMask = new Uint8Array(PIXELS);
        renderScene({ ...scene, kind }, other, otherMask);
        expect(otherMask).not.toEqual(mask);
        let changedOutside = 0;
        for (let p = 0; p < PIXELS; p++) if (!mask[p] && !otherMask[p] && other[p] !== image[p]) changedOutside++;
        expect(changedOutside).toBe(0);
      }
    }
  });

  it('leaves the background uninformative: per-class means of the pixels outside the mask agree, and background statistics predict the class at chance', () => {
    const big = generateShapes({ count: 8000, seed: 13 });
    const sums = [0, 0, 0, 0];
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 8000; i++) {
      sums[big.labels[i]!]! += backgroundFeatures(big, i)[0]!;
      counts[big.labels[i]!]!++;
    }
    const means = sums.map((s, k) => s / counts[k]!);
    // The per-image mean outside the mask has sd ≈ 0.06, so per-class means of 2000 images have a
    // standard error ≈ 0.0013, a difference of two ≈ 0.0019 (seed 13: 0.2405, 0.2404, 0.2379,
    // 0.2360). The only systematic difference is ≈ 0.0014 (a larger object leaves fewer background
    // pixels for the same marks); a background level shifted by 0.01 between classes fails this.
    expect(Math.max(...means) - Math.min(...means)).toBeLessThan(0.008);
    const test = generateShapes({ count: 2000, seed: 12 });
    expect(nearestCentroidAccuracy(data, test, backgroundFeatures)).toBeLessThan(0.3); // chance 0.25; 0.2575 measured
    // The same classifier does separate the classes from the mask's geometry: the signal is in the mask.
    expect(nearestCentroidAccuracy(data, test, maskFeatures)).toBeGreaterThan(0.7); // 0.9995 measured
  });

  it('rejects bad options with an InvalidArgumentError that names the option', () => {
    expect(() => generateShapes({ count: 0, seed: 1 })).toThrow(InvalidArgumentError);
    expect(() => generateShapes({ count: 2.5, seed: 1 })).toThrow(/count/);
    expect(() => generateShapes({ count: 2, seed: -1 })).toThrow(/seed/);
    expect(() => generateShapes({ count: 2, seed: 2 ** 32 })).toThrow(/seed/);
    expect(() => generateShapes({ count: 2, seed: 1, size: 8 })).toThrow(/size/);
    expect(() => renderScene({ ...shapeSceneAt(1, 0), kind: 4 }, new Float32Array(PIXELS), new Uint8Array(PIXELS))).toThrow(InvalidArgumentError);
  });
});
