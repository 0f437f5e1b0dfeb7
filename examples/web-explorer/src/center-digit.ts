/**
 * MNIST-style normalization of a drawn digit: the ink's bounding box is scaled to fit a 20 × 20
 * box (aspect kept) and placed in a 28 × 28 image so that its centre of mass is at the centre,
 * which is how the MNIST digits were prepared (and what the model expects).
 */

/** Ink below this value (in [0, 1]) does not count for the bounding box. */
const INK = 0.05;

/** Sub-samples per output pixel and axis when shrinking the ink. */
const SUPERSAMPLE = 4;

/**
 * Normalizes a grey image (row-major, values in [0, 1], 1 = ink) of `width × height` to a
 * `size × size` MNIST-style digit. An image without ink gives all zeros.
 */
export function centerDigit(pixels: ArrayLike<number>, width: number, height: number, size = 28, box = 20): Float32Array {
  if (pixels.length !== width * height) throw new Error(`centerDigit: ${pixels.length} pixels for a ${width}×${height} image.`);
  let x0 = width;
  let y0 = height;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if ((pixels[y * width + x] as number) > INK) {
        x0 = Math.min(x0, x);
        x1 = Math.max(x1, x);
        y0 = Math.min(y0, y);
        y1 = Math.max(y1, y);
      }
    }
  }
  const out = new Float32Array(size * size);
  if (x1 < 0) return out;
  const bw = x1 - x0 + 1;
  const bh = y1 - y0 + 1;
  const scale = box / Math.max(bw, bh);
  const pw = Math.max(1, Math.round(bw * scale));
  const ph = Math.max(1, Math.round(bh * scale));
  // The ink box resampled to pw × ph: each output pixel averages SUPERSAMPLE² source samples.
  const patch = new Float32Array(pw * ph);
  for (let j = 0; j < ph; j++) {
    for (let i = 0; i < pw; i++) {
      let sum = 0;
      for (let sy = 0; sy < SUPERSAMPLE; sy++) {
        for (let sx = 0; sx < SUPERSAMPLE; sx++) {
          const x = Math.min(x1, Math.floor(x0 + ((i + (sx + 0.5) / SUPERSAMPLE) * bw) / pw));
          const y = Math.min(y1, Math.floor(y0 + ((j + (sy + 0.5) / SUPERSAMPLE) * bh) / ph));
          sum += pixels[y * width + x] as number;
        }
      }
      patch[j * pw + i] = Math.min(1, Math.max(0, sum / (SUPERSAMPLE * SUPERSAMPLE)));
    }
  }
  let mass = 0;
  let cx = 0;
  let cy = 0;
  for (let j = 0; j < ph; j++) {
    for (let i = 0; i < pw; i++) {
      const v = patch[j * pw + i]!;
      mass += v;
      cx += v * (i + 0.5);
      cy += v * (j + 0.5);
    }
  }
  const clamp = (v: number, hi: number): number => Math.min(Math.max(v, 0), hi);
  const ox = clamp(Math.round(size / 2 - cx / mass), size - pw);
  const oy = clamp(Math.round(size / 2 - cy / mass), size - ph);
  for (let j = 0; j < ph; j++) out.set(patch.subarray(j * pw, (j + 1) * pw), (oy + j) * size + ox);
  return out;
}
