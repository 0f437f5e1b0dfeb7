/**
 * The data sets `nrm eval --data` reads: a folder of PNG images (with `<name>.mask.png` masks) or
 * of `.npy` arrays, the seeded ground-truth shapes generator, or the demo model's test digits.
 */
import { readFile, readdir, stat } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { InvalidArgumentError, readNpy } from '@nrm/core';
import { generateShapes } from '@nrm/eval';
import { decodeImage, type RgbaImage } from '@nrm/viz';
import { UsageError } from '../args/usage-error.js';
import { imageToInput } from '../image-input.js';
import { loadTestDigits } from './eval-digits.js';

/** A parsed `--data` value (nothing read yet). */
export type DataSource =
  | { readonly kind: 'dir'; readonly path: string }
  | { readonly kind: 'shapes'; readonly count: number; readonly seed: number }
  | { readonly kind: 'digits'; readonly count: number };

/** A data set in the model's input layout. */
export interface EvalData {
  /** How it was named on the command line. */
  readonly source: string;
  /** `[N, H, W, C]` values, row-major. */
  readonly images: Float32Array;
  readonly shape: readonly [number, number, number, number];
  /** Ground-truth masks `[N, H, W]` (1 inside), when the data has them. */
  readonly masks?: Uint8Array;
  /** True classes, when the data has them. */
  readonly labels?: Int32Array;
  /** Class names, when known. */
  readonly classNames?: readonly string[];
  /** A name per image (file names for folders). */
  readonly names: readonly string[];
}

const DEFAULT_SHAPES_COUNT = 64;
const DEFAULT_DIGITS_COUNT = 100;

function positiveInteger(text: string, what: string, source: string): number {
  if (!/^\d+$/.test(text) || Number(text) < 1) throw new UsageError(`--data '${source}': ${what} must be an integer ≥ 1, got '${text}'.`);
  return Number(text);
}

function seedOf(text: string, source: string): number {
  if (!/^\d+$/.test(text) || Number(text) >= 2 ** 32) throw new UsageError(`--data '${source}': the seed must be an integer in [0, 2^32), got '${text}'.`);
  return Number(text);
}

/** Parses `--data`: `generator:shapes[:count[:seed]]`, `digits[:count]`, or a folder path. */
export function parseDataSource(text: string): DataSource {
  if (text.startsWith('generator:')) {
    const [, name, count, seed, ...rest] = text.split(':');
    if (name !== 'shapes' || rest.length > 0) {
      throw new UsageError(`--data '${text}': the generator is 'generator:shapes[:count[:seed]]' (e.g. generator:shapes:100:2).`);
    }
    return {
      kind: 'shapes',
      count: count === undefined ? DEFAULT_SHAPES_COUNT : positiveInteger(count, 'the count', text),
      seed: seed === undefined ? 0 : seedOf(seed, text),
    };
  }
  if (text === 'digits' || text.startsWith('digits:')) {
    const [, count, ...rest] = text.split(':');
    if (rest.length > 0) throw new UsageError(`--data '${text}': write digits[:count] (e.g. digits:100).`);
    return { kind: 'digits', count: count === undefined ? DEFAULT_DIGITS_COUNT : positiveInteger(count, 'the count', text) };
  }
  return { kind: 'dir', path: text };
}

function sizeText(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

async function readNpyFile(path: string) {
  return readNpy(await readFile(path), `'${path}'`);
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

async function loadNpyFolder(dir: string, input: readonly [number, number, number]): Promise<Omit<EvalData, 'source'>> {
  const [h, w, c] = input;
  const images = await readNpyFile(join(dir, 'images.npy'));
  const s = images.shape;
  const n = s[0] ?? 0;
  const ok = (s.length === 4 && s[1] === h && s[2] === w && s[3] === c) || (c === 1 && s.length === 3 && s[1] === h && s[2] === w);
  if (!ok || n < 1) throw new InvalidArgumentError(`${join(dir, 'images.npy')} has shape ${sizeText(s)}; the model takes [N, ${h}, ${w}, ${c}].`);
  let masks: Uint8Array | undefined;
  if (await exists(join(dir, 'masks.npy'))) {
    const m = await readNpyFile(join(dir, 'masks.npy'));
    if (m.data.length !== n * h * w || m.shape[0] !== n) {
      throw new InvalidArgumentError(`${join(dir, 'masks.npy')} has shape ${sizeText(m.shape)}; it must be [${n}, ${h}, ${w}] (one mask per image).`);
    }
    masks = Uint8Array.from(m.data, (v) => (v !== 0 ? 1 : 0));
  }
  let labels: Int32Array | undefined;
  if (await exists(join(dir, 'labels.npy'))) {
    const l = await readNpyFile(join(dir, 'labels.npy'));
    if (l.data.length !== n || l.data.some((v) => !Number.isInteger(v) || v < 0)) {
      throw new InvalidArgumentError(`${join(dir, 'labels.npy')} must hold ${n} non-negative integer class indices, one per image.`);
    }
    labels = Int32Array.from(l.data);
  }
  return {
    images: images.data,
    shape: [n, h, w, c],
    ...(masks ? { masks } : {}),
    ...(labels ? { labels } : {}),
    names: Array.from({ length: n }, (_, i) => `#${i}`),
  };
}

async function decodeFile(file: string): Promise<RgbaImage> {
  try {
    return decodeImage(await readFile(file));
  } catch (error) {
    throw new InvalidArgumentError(`Cannot read image ${file}: ${(error instanceof Error ? error.message : String(error)).split('\n')[0]}`);
  }
}

async function loadPngFolder(dir: string, names: string[], input: readonly [number, number, number]): Promise<Omit<EvalData, 'source'>> {
  const [h, w, c] = input;
  if (c !== 1 && c !== 3) throw new InvalidArgumentError(`PNG images become 1 or 3 input channels; the model takes ${c}. Use images.npy instead.`);
  const all = new Set(names);
  const imageFiles = names.filter((f) => extname(f).toLowerCase() === '.png' && !f.toLowerCase().endsWith('.mask.png')).sort();
  if (imageFiles.length === 0) throw new InvalidArgumentError(`--data '${dir}' holds no images: PNG files, or images.npy (with optional masks.npy, labels.npy).`);
  const maskOf = (f: string) => `${basename(f, extname(f))}.mask.png`;
  const withMask = imageFiles.filter((f) => all.has(maskOf(f)));
  if (withMask.length > 0 && withMask.length < imageFiles.length) {
    const missing = imageFiles.find((f) => !all.has(maskOf(f)))!;
    throw new InvalidArgumentError(`--data '${dir}': ${missing} has no mask ${maskOf(missing)} but other images have masks; give every image a mask or none.`);
  }
  const n = imageFiles.length;
  const images = new Float32Array(n * h * w * c);
  const masks = withMask.length ? new Uint8Array(n * h * w) : undefined;
  for (const [i, f] of imageFiles.entries()) {
    const image = await decodeFile(join(dir, f));
    if (image.height !== h || image.width !== w) {
      throw new InvalidArgumentError(`Image ${join(dir, f)} is ${image.height}×${image.width} but the model takes ${h}×${w}.`);
    }
    images.set(imageToInput(image, { size: [h, w], channels: c }), i * h * w * c);
    if (masks) {
      const mask = await decodeFile(join(dir, maskOf(f)));
      if (mask.height !== h || mask.width !== w) throw new InvalidArgumentError(`Mask ${join(dir, maskOf(f))} is ${mask.height}×${mask.width}; it must be ${h}×${w} like its image.`);
      for (let p = 0; p < h * w; p++) masks[i * h * w + p] = mask.rgba[4 * p]! + mask.rgba[4 * p + 1]! + mask.rgba[4 * p + 2]! > 0 ? 1 : 0;
    }
  }
  return { images, shape: [n, h, w, c], ...(masks ? { masks } : {}), names: imageFiles.map((f) => basename(f, extname(f))) };
}

/** Checks a folder source before anything slow starts. */
export async function checkDataSource(source: DataSource, text: string): Promise<void> {
  if (source.kind !== 'dir') return;
  const info = await stat(source.path).catch(() => undefined);
  if (!info?.isDirectory()) {
    throw new InvalidArgumentError(`--data '${text}' is not a folder, 'generator:shapes[:count[:seed]]' or 'digits[:count]'.`);
  }
}

/**
 * Reads a data set for a model whose input is `[H, W, C]`.
 *
 * @throws InvalidArgumentError when the data does not fit the model or cannot be read.
 */
export async function loadEvalData(source: DataSource, text: string, input: readonly number[]): Promise<EvalData> {
  if (input.length !== 3) throw new InvalidArgumentError(`nrm eval needs a model with an image input [H, W, C]; this one takes ${sizeText(input)}.`);
  const [h, w, c] = input as [number, number, number];
  switch (source.kind) {
    case 'shapes': {
      if (h !== w || c !== 1) throw new InvalidArgumentError(`generator:shapes makes square grey images; the model takes [${h}, ${w}, ${c}].`);
      const data = generateShapes({ count: source.count, seed: source.seed, size: h });
      return {
        source: text,
        images: data.images,
        shape: data.shape,
        masks: data.masks,
        labels: data.labels,
        classNames: data.classNames,
        names: Array.from({ length: source.count }, (_, i) => `${data.classNames[data.labels[i]!]} #${i}`),
      };
    }
    case 'digits': {
      if (h !== 28 || w !== 28 || c !== 1) throw new InvalidArgumentError(`--data digits holds 28×28 grey digits; the model takes [${h}, ${w}, ${c}].`);
      const { images, labels } = await loadTestDigits(source.count);
      return {
        source: text,
        images,
        shape: [source.count, 28, 28, 1],
        labels,
        classNames: Array.from({ length: 10 }, (_, d) => String(d)),
        names: Array.from(labels, (l, i) => `digit ${l} #${i}`),
      };
    }
    case 'dir': {
      await checkDataSource(source, text);
      const names = await readdir(source.path);
      const data = names.includes('images.npy') ? await loadNpyFolder(source.path, [h, w, c]) : await loadPngFolder(source.path, names, [h, w, c]);
      return { source: text, ...data };
    }
  }
}
