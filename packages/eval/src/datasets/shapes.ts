import { InvalidArgumentError } from '@nrm/core';
import { deriveSeed, mulberry32, shuffleInPlace } from './prng.js';
import { MIN_SHAPES_SIZE, SHAPE_CLASS_NAMES, renderScene, sampleScene, type ShapeScene } from './shape-scene.js';

/** Options of {@link generateShapes}. */
export interface GenerateShapesOptions {
  /** Number of images (a positive integer). */
  readonly count: number;
  /** Seed: an integer in [0, 2^32). The same seed, count and size give the same bytes. */
  readonly seed: number;
  /** Image side in pixels (an integer, at least 16). Default 32. */
  readonly size?: number;
}

/** A batch of ground-truth shapes images, their object masks and labels. */
export interface ShapesDataset {
  /** Grey images, NHWC `[N, H, W, 1]` row-major, values in [0, 1]. */
  readonly images: Float32Array;
  /** Object masks, `[N, H, W]` row-major: 1 on exactly the pixels of the class-deciding object. */
  readonly masks: Uint8Array;
  /** Class of each image: an index into `classNames`. */
  readonly labels: Int32Array;
  /** `[N, H, W, 1]`, the shape of `images`. */
  readonly shape: [number, number, number, number];
  /** Class names in label order: `['circle', 'square', 'triangle', 'cross']`. */
  readonly classNames: string[];
}

/** Stream tags for {@link deriveSeed}: labels and scenes use independent random streams. */
const LABEL_STREAM = 0x1abe1;
const SCENE_STREAM = 0x5ce7e;

function checkInteger(name: string, value: unknown, min: number, max: number, fix: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new InvalidArgumentError(`generateShapes: ${name} must be an integer in [${min}, ${max}], got ${String(value)}; ${fix}.`);
  }
  return value;
}

/**
 * The label of item `index`: items come in blocks of 4 (one per class) in a seeded random
 * order, so every prefix of the dataset is balanced to within one image per class.
 */
function labelOf(seed: number, index: number): number {
  const classes = SHAPE_CLASS_NAMES.length;
  const block = Math.floor(index / classes);
  const order = shuffleInPlace(
    Array.from({ length: classes }, (_, k) => k),
    mulberry32(deriveSeed(seed, LABEL_STREAM, block)),
  );
  return order[index % classes]!;
}

/**
 * The scene (object, background, distractors) of item `index` of the dataset with this seed
 * and size, exactly as {@link generateShapes} renders it.
 *
 * @param seed - the dataset seed.
 * @param index - the item's index.
 * @param size - the image side (default 32).
 * @returns the scene; render it with `renderScene`.
 */
export function shapeSceneAt(seed: number, index: number, size = 32): ShapeScene {
  return sampleScene(mulberry32(deriveSeed(seed, SCENE_STREAM, index)), labelOf(seed, index), size);
}

/**
 * Generates the ground-truth shapes dataset: grey images whose class (circle, square,
 * triangle, cross) is decided only by one object, drawn at a random position, size and
 * brightness over a random striped, noisy background with bright distractor marks (line
 * segments and dots, same distribution for every class, never touching the object). The
 * mask of each image is 1 on exactly the object's pixels, so it is the ground truth for
 * explanation evaluation (relevance mass accuracy, pointing game).
 *
 * Deterministic: a seed gives the same bytes on every run and platform, and the first `n`
 * items do not depend on `count` (a smaller dataset is a prefix of a larger one). Labels
 * are balanced: each block of 4 consecutive items holds each class once, in random order.
 *
 * @param options - `count`, `seed` and optionally `size` (default 32).
 * @returns images, masks, labels, the NHWC shape and the class names.
 * @throws InvalidArgumentError when an option is not an integer in its range.
 *
 * @example
 * ```ts
 * const { images, masks, labels, shape } = generateShapes({ count: 2000, seed: 2 });
 * const x = tf.tensor4d(images, shape); // [2000, 32, 32, 1]
 * ```
 */
export function generateShapes(options: GenerateShapesOptions): ShapesDataset {
  const count = checkInteger('count', options.count, 1, 1_000_000, 'pass the number of images to generate');
  const seed = checkInteger('seed', options.seed, 0, 0xffffffff, 'pass a non-negative 32-bit integer seed');
  const size = checkInteger('size', options.size ?? 32, MIN_SHAPES_SIZE, 1024, `pass an image side of at least ${MIN_SHAPES_SIZE} pixels`);
  const pixels = size * size;
  const images = new Float32Array(count * pixels);
  const masks = new Uint8Array(count * pixels);
  const labels = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const scene = shapeSceneAt(seed, i, size);
    labels[i] = scene.kind;
    renderScene(scene, images, masks, i * pixels);
  }
  return { images, masks, labels, shape: [count, size, size, 1], classNames: [...SHAPE_CLASS_NAMES] };
}
