/**
 * `nrm images` on the digits CNN (cpu): PNG and JPEG digits (one at 56×56, resized), predictions
 * equal to the labels, overlays, grids and summary.json; corrupt files and empty folders fail
 * with one-line errors and write nothing.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpuBackend } from '@nrm/backend-cpu';
import { NrmError } from '@nrm/core';
import { decodeImage, encodeJpeg, encodePng, resizeBilinear } from '@nrm/viz';
import { UsageError } from '../args/usage-error.js';
import { defaultRegistry } from '../default-registry.js';
import { imageToInput } from '../image-input.js';
import { imagesCommand, IMAGES_USAGE } from './images.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
const modelPath = join(root, 'examples/digits-cnn/model/model.json');
const digits = JSON.parse(readFileSync(join(root, 'examples/digits-cnn/model/test-digits.json'), 'utf8')) as {
  label: number;
  pixels: number[];
}[];
const work = mkdtempSync(join(tmpdir(), 'nrm-images-'));
let start = 0;
beforeAll(async () => {
  await cpuBackend.setup();
  start = tf.memory().numTensors;
});
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
  expect(tf.memory().numTensors).toBe(start);
});

function digitRgba(pixels: readonly number[]): Uint8ClampedArray {
  const rgba = new Uint8ClampedArray(28 * 28 * 4);
  pixels.forEach((v, i) => {
    const g = Math.round(v * 255);
    rgba.set([g, g, g, 255], i * 4);
  });
  return rgba;
}

const names = ['a-digit', 'b-digit', 'c-big'];
const imagesDir = join(work, 'images');
mkdirSync(imagesDir);
for (let i = 0; i < 3; i++) {
  const rgba = digitRgba(digits[i]!.pixels);
  const png = i === 2 ? encodePng(resizeBilinear(rgba, 28, 28, 56, 56), 56, 56) : encodePng(rgba, 28, 28);
  writeFileSync(join(imagesDir, `${names[i]}.png`), png);
}
writeFileSync(join(imagesDir, 'd-photo.jpg'), encodeJpeg(digitRgba(digits[3]!.pixels), 28, 28, 95));
writeFileSync(join(imagesDir, 'notes.txt'), 'not an image');

const common = ['--model', modelPath, '--channels', '1', '--composites', 'epsilon-plus-flat,gradient', '--target', 'predicted', '--backend', 'cpu'];

async function run(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const progress: string[] = [];
  const code = await imagesCommand(
    argv,
    defaultRegistry(),
    { stdout: (l) => out.push(l), stderr: (l) => err.push(l) },
    { progress: (t) => progress.push(t) },
  );
  return { code, out, err, progress };
}

describe('imageToInput', () => {
  it('resizes, converts to luma and normalises', () => {
    const image = { width: 2, height: 1, rgba: new Uint8ClampedArray([255, 255, 255, 255, 0, 0, 0, 255]) };
    expect(Array.from(imageToInput(image, { size: [1, 2], channels: 1 }))).toEqual([1, 0]);
    const rgb = imageToInput(image, { size: [1, 2], channels: 3, range: [-1, 1], mean: [0.5], std: [0.5] });
    expect(Array.from(rgb)).toEqual([1, 1, 1, -3, -3, -3]);
    expect(imageToInput(image, { size: [2, 4], channels: 1 })).toHaveLength(8);
  });
});

describe('nrm images', () => {
  it('prints its usage', async () => {
    const { code, out } = await run(['--help']);
    expect(code).toBe(0);
    expect(out[0]).toBe(IMAGES_USAGE);
  });

  it('explains a folder of PNG and JPEG digits', async () => {
    const outDir = join(work, 'out');
    const { code, out, progress } = await run([...common, '--images', imagesDir, '--size', '28,28', '--out-dir', outDir]);
    expect(code).toBe(0);
    expect(out).toHaveLength(1);
    expect(out[0]).toMatch(/explained 4 images/);
    expect(progress.slice(0, 4)).toEqual(['a-digit', 'b-digit', 'c-big', 'd-photo'].map((n, k) => `\r[${k + 1}/4] ${n}\x1b[K`));

    const summary = JSON.parse(readFileSync(join(outDir, 'summary.json'), 'utf8'));
    expect(summary.composites).toEqual(['epsilon-plus-flat', 'gradient']);
    expect(summary.images.map((i: { name: string }) => i.name)).toEqual(['a-digit', 'b-digit', 'c-big', 'd-photo']);
    expect(summary.images.slice(0, 3).map((i: { prediction: number }) => i.prediction)).toEqual(digits.slice(0, 3).map((d) => d.label));
    expect(summary.images[2]).toMatchObject({ width: 56, height: 56 });
    for (const image of summary.images) {
      expect(Number.isFinite(image.logit)).toBe(true);
      expect(Object.keys(image.relevanceSums)).toEqual(['epsilon-plus-flat', 'gradient']);
      // LRP-ε+flat roughly conserves the target logit.
      expect(Math.abs(image.relevanceSums['epsilon-plus-flat'])).toBeGreaterThan(0);
    }

    const scale = Math.floor(256 / 28);
    for (const name of ['a-digit', 'b-digit', 'c-big', 'd-photo']) {
      for (const composite of ['epsilon-plus-flat', 'gradient']) {
        const img = decodeImage(readFileSync(join(outDir, `${name}.${composite}.png`)));
        expect([img.width, img.height]).toEqual([28 * scale, 28 * scale]);
      }
      const grid = decodeImage(readFileSync(join(outDir, `${name}.grid.png`)));
      expect(grid.width).toBe(3 * 28 * scale + 2 * 4);
      expect(grid.height).toBeGreaterThan(28 * scale);
    }
    expect(readdirSync(outDir).sort()).toHaveLength(4 * 3 + 1);
  });

  it('asks for --size when an image does not match the model input', async () => {
    const outDir = join(work, 'out-size');
    const error = await run([...common, '--images', imagesDir, '--out-dir', outDir]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NrmError);
    expect((error as Error).message).toMatch(/c-big\.png is 56×56 .*--size 28,28/);
    expect((error as Error).message).not.toContain('\n');
    expect(existsSync(outDir)).toBe(false);
  });

  it('names a corrupt image and writes nothing', async () => {
    const dir = join(work, 'corrupt');
    mkdirSync(dir);
    writeFileSync(join(dir, 'good.png'), encodePng(digitRgba(digits[0]!.pixels), 28, 28));
    writeFileSync(join(dir, 'broken.png'), new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]));
    const outDir = join(work, 'out-corrupt');
    const error = await run([...common, '--images', dir, '--out-dir', outDir]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NrmError);
    expect((error as Error).message).toContain('broken.png');
    expect((error as Error).message).not.toContain('\n');
    expect(existsSync(outDir)).toBe(false);
  });

  it('rejects an empty folder and bad usage', async () => {
    const empty = join(work, 'empty');
    mkdirSync(empty);
    const outDir = join(work, 'out-empty');
    const error = await run([...common, '--images', empty, '--out-dir', outDir]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NrmError);
    expect((error as Error).message).toMatch(/no PNG or JPEG images/);
    await expect(run(['--model', modelPath, '--images', imagesDir, '--out-dir', outDir])).rejects.toBeInstanceOf(UsageError);
    await expect(run([...common, '--images', imagesDir, '--channels', '2', '--out-dir', outDir])).rejects.toBeInstanceOf(UsageError);
    expect(existsSync(outDir)).toBe(false);
  });
});
