/**
 * One image of the ground-truth shapes dataset, as data (a scene) and as pixels.
 *
 * A scene is a textured background, a few distractor marks and one object whose kind is the
 * class. Sampling a scene draws the same number of random values in the same order whatever
 * the class, and nothing but the object's pixels depends on the class: swap `kind` in a
 * scene and only pixels inside the old or the new object change. See
 * `packages/eval/docs/ground-truth.md` for the argument.
 */
import { InvalidArgumentError } from '@nrm/core';
import type { Random } from './prng.js';
import { mulberry32 } from './prng.js';

/** The class names, in label order: label `k` is `SHAPE_CLASS_NAMES[k]`. */
export const SHAPE_CLASS_NAMES = ['circle', 'square', 'triangle', 'cross'] as const;

/** A class name of the shapes dataset. */
export type ShapeClassName = (typeof SHAPE_CLASS_NAMES)[number];

/** The background texture: a grey level, a sinusoidal stripe pattern and per-pixel noise. */
export interface BackgroundTexture {
  /** Mean grey level, in [0.12, 0.32]. */
  readonly level: number;
  /** Stripe amplitude, in [0.04, 0.14]. */
  readonly stripeAmplitude: number;
  /** Stripe period in pixels, in [3, 9]. */
  readonly stripePeriod: number;
  /** Stripe direction in radians, in [0, π). */
  readonly stripeAngle: number;
  /** Stripe phase in radians, in [0, 2π). */
  readonly stripePhase: number;
  /** Half-width of the uniform per-pixel noise, in [0.02, 0.08]. */
  readonly noiseAmplitude: number;
  /** Seed of the per-pixel noise (drawn in row-major order). */
  readonly noiseSeed: number;
}

/**
 * A distractor mark: a bright 1-px segment, corner or arc, or a 2×2 dot. Corners and arcs share
 * local features with squares and circles, but no mark is a whole shape of any class.
 */
export interface Distractor {
  /** The pixels it covers, as row-major indices `y * size + x`. */
  readonly pixels: readonly number[];
  /** Its grey level (same range as the object's). */
  readonly intensity: number;
}

/** Everything needed to render one image of the dataset. */
export interface ShapeScene {
  /** Image side in pixels. */
  readonly size: number;
  /** The class: an index into {@link SHAPE_CLASS_NAMES}. */
  readonly kind: number;
  /** Object centre, x (column), in pixel units (pixel centres at integer + 0.5). */
  readonly cx: number;
  /** Object centre, y (row). */
  readonly cy: number;
  /** Object half-extent: every object fits in the square `[cx - r, cx + r] × [cy - r, cy + r]`. */
  readonly r: number;
  /** The object's grey level, in [0.6, 1]. */
  readonly intensity: number;
  /** The background texture. */
  readonly background: BackgroundTexture;
  /** Distractor marks, all outside the object's square grown by {@link DISTRACTOR_MARGIN}. */
  readonly distractors: readonly Distractor[];
}

/** Smallest image side the generator accepts. */
export const MIN_SHAPES_SIZE = 16;

/**
 * Distance (pixels) kept between distractor pixel centres and the object's bounding square.
 * The excluded square depends only on the object's centre and size, never on its class.
 */
export const DISTRACTOR_MARGIN = 2;

const OBJECT_MIN_INTENSITY = 0.6;
const RADIUS_MIN = 0.14; // of the image side
const RADIUS_MAX = 0.3;
const PLACEMENT_TRIES = 30;

const uniform = (random: Random, lo: number, hi: number): number => lo + (hi - lo) * random();

/**
 * Whether a point at offset `(dx, dy)` from an object's centre (x to the right, y down, in
 * pixels) lies inside an object of class `kind` with half-extent `r`. The renderer tests
 * pixel centres: pixel `(x, y)` belongs to the object when `insideShape(kind, x + 0.5 - cx,
 * y + 0.5 - cy, r)`.
 *
 * - circle: the disc of radius `r`;
 * - square: the axis-aligned square of half-side `0.85 r` (area close to the disc's);
 * - triangle: isosceles, apex up at `(cx, cy - r)`, base `2r` wide on the row `cy + r`;
 * - cross: a plus sign, arms `2r` long and `0.6 r` thick.
 *
 * @throws InvalidArgumentError when `kind` is not 0..3.
 */
export function insideShape(kind: number, dx: number, dy: number, r: number): boolean {
  switch (kind) {
    case 0:
      return dx * dx + dy * dy <= r * r;
    case 1:
      return Math.max(Math.abs(dx), Math.abs(dy)) <= 0.85 * r;
    case 2:
      return dy >= -r && dy <= r && Math.abs(dx) <= (dy + r) / 2;
    case 3: {
      const t = 0.3 * r;
      const ax = Math.abs(dx);
      const ay = Math.abs(dy);
      return (ax <= t && ay <= r) || (ay <= t && ax <= r);
    }
    default:
      throw new InvalidArgumentError(
        `Shape kind ${kind} is not a class of the shapes dataset; use an index 0..${SHAPE_CLASS_NAMES.length - 1} into SHAPE_CLASS_NAMES (${SHAPE_CLASS_NAMES.join(', ')}).`,
      );
  }
}

/** Whether pixel `(x, y)` (integer indices) lies in the distractor-free square around the object. */
function inExclusion(x: number, y: number, cx: number, cy: number, r: number): boolean {
  const reach = r + DISTRACTOR_MARGIN;
  return Math.abs(x + 0.5 - cx) <= reach && Math.abs(y + 0.5 - cy) <= reach;
}

/** The kinds of distractor mark, in the order {@link sampleScene} draws them. */
export const DISTRACTOR_KINDS = ['segment', 'dot', 'corner', 'arc'] as const;

/**
 * Pixels (row-major indices) of a 1-px polyline through `points`, sampled every 0.25 px, or
 * `undefined` when it leaves the image.
 */
function polylinePixels(points: readonly (readonly [number, number])[], size: number): number[] | undefined {
  const out = new Set<number>();
  for (let k = 0; k + 1 < points.length; k++) {
    const [ax, ay] = points[k]!;
    const [bx, by] = points[k + 1]!;
    const steps = Math.max(1, Math.ceil(Math.hypot(bx - ax, by - ay) * 4));
    for (let s = 0; s <= steps; s++) {
      const x = Math.floor(ax + ((bx - ax) * s) / steps);
      const y = Math.floor(ay + ((by - ay) * s) / steps);
      if (x < 0 || y < 0 || x >= size || y >= size) return undefined;
      out.add(y * size + x);
    }
  }
  return [...out];
}

/**
 * Pixels of a distractor mark of kind `kind` (an index into {@link DISTRACTOR_KINDS}) at
 * `(x0, y0)`: a straight segment, a 2×2 dot, a right-angle corner (two arms at right angles,
 * like a square's corner) or an arc (90° to 180° of a circle, like part of a disc's outline).
 * `length` (3..7 px) sets the segment's length, the corner's arms (half each) and the arc's
 * radius (half); `angle` its orientation; `sweep` in [0, 1) the arc's extent.
 */
function markPixels(kind: number, x0: number, y0: number, length: number, angle: number, sweep: number, size: number): number[] | undefined {
  const c = Math.cos(angle);
  const s = Math.sin(angle);
  switch (kind) {
    case 0:
      return polylinePixels([[x0, y0], [x0 + length * c, y0 + length * s]], size);
    case 1: {
      const x = Math.floor(x0);
      const y = Math.floor(y0);
      return x + 1 < size && y + 1 < size ? [y * size + x, y * size + x + 1, (y + 1) * size + x, (y + 1) * size + x + 1] : undefined;
    }
    case 2: {
      const arm = Math.max(2, length / 1.5);
      return polylinePixels([[x0 + arm * c, y0 + arm * s], [x0, y0], [x0 - arm * s, y0 + arm * c]], size);
    }
    default: {
      const radius = Math.max(2, length / 2);
      const extent = (0.5 + 0.5 * sweep) * Math.PI;
      const points: [number, number][] = [];
      for (let k = 0; k <= 12; k++) {
        const a = angle + (extent * k) / 12;
        points.push([x0 + radius * Math.cos(a), y0 + radius * Math.sin(a)]);
      }
      return polylinePixels(points, size);
    }
  }
}

/**
 * Samples the scene of one image of class `kind` from `random`. The number and order of
 * the values drawn from `random` do not depend on `kind`.
 */
export function sampleScene(random: Random, kind: number, size: number): ShapeScene {
  const r = uniform(random, RADIUS_MIN * size, RADIUS_MAX * size);
  const cx = uniform(random, r + 1, size - r - 1);
  const cy = uniform(random, r + 1, size - r - 1);
  const intensity = uniform(random, OBJECT_MIN_INTENSITY, 1);
  const background: BackgroundTexture = {
    level: uniform(random, 0.12, 0.32),
    stripeAmplitude: uniform(random, 0.04, 0.14),
    stripePeriod: uniform(random, 3, 9),
    stripeAngle: uniform(random, 0, Math.PI),
    stripePhase: uniform(random, 0, 2 * Math.PI),
    noiseAmplitude: uniform(random, 0.02, 0.08),
    noiseSeed: Math.floor(random() * 4294967296),
  };
  const distractors: Distractor[] = [];
  const count = 3 + Math.floor(random() * 4); // 3..6 marks
  for (let k = 0; k < count; k++) {
    const markKind = Math.floor(random() * DISTRACTOR_KINDS.length);
    const length = uniform(random, 3, 7);
    const angle = uniform(random, 0, 2 * Math.PI);
    const sweep = random();
    const markIntensity = uniform(random, OBJECT_MIN_INTENSITY, 1);
    // Rejection sampling of the position; always PLACEMENT_TRIES draws, so the random stream
    // stays aligned whatever happens (and a mark that finds no place is left out).
    let placed: number[] | undefined;
    for (let tryIndex = 0; tryIndex < PLACEMENT_TRIES; tryIndex++) {
      const x0 = random() * size;
      const y0 = random() * size;
      if (placed) continue;
      const pixels = markPixels(markKind, x0, y0, length, angle, sweep, size);
      if (pixels && pixels.every((p) => !inExclusion(p % size, Math.floor(p / size), cx, cy, r))) placed = pixels;
    }
    if (placed) distractors.push({ pixels: placed, intensity: markIntensity });
  }
  return { size, kind, cx, cy, r, intensity, background, distractors };
}

/**
 * Renders `scene` into `image` (`size * size` grey values in [0, 1], row-major) and its
 * object mask into `mask` (1 on the object's pixels, 0 elsewhere), at `offset`.
 */
export function renderScene(scene: ShapeScene, image: Float32Array, mask: Uint8Array, offset = 0): void {
  const { size, background: bg } = scene;
  const noise = mulberry32(bg.noiseSeed);
  const fx = Math.cos(bg.stripeAngle) * ((2 * Math.PI) / bg.stripePeriod);
  const fy = Math.sin(bg.stripeAngle) * ((2 * Math.PI) / bg.stripePeriod);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const stripes = bg.stripeAmplitude * Math.sin(fx * (x + 0.5) + fy * (y + 0.5) + bg.stripePhase);
      const value = bg.level + stripes + bg.noiseAmplitude * (2 * noise() - 1);
      image[offset + y * size + x] = Math.min(1, Math.max(0, value));
      mask[offset + y * size + x] = 0;
    }
  }
  for (const mark of scene.distractors) for (const p of mark.pixels) image[offset + p] = mark.intensity;
  for (let y = 0; y < size; y++) {
    const dy = y + 0.5 - scene.cy;
    for (let x = 0; x < size; x++) {
      if (insideShape(scene.kind, x + 0.5 - scene.cx, dy, scene.r)) {
        image[offset + y * size + x] = scene.intensity;
        mask[offset + y * size + x] = 1;
      }
    }
  }
}
