/** Internal helpers shared by the metrics: shape checks and per-row reductions read to the host. */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';
import { ShapeMismatchError } from '@nrm/core';

/** Checks that `t` is a batch of maps `[N, H, W]` and returns `[N, H, W]`. */
export function mapShape(what: string, t: Tensor): [number, number, number] {
  if (t.rank !== 3) throw new ShapeMismatchError(`${what} (a batch of maps)`, [null, t.shape[1] ?? null, t.shape[2] ?? null], t.shape);
  return t.shape as [number, number, number];
}

/** Checks that two tensors have the same shape. */
export function sameShape(what: string, a: Tensor, b: Tensor): void {
  if (a.rank !== b.rank || a.shape.some((d, i) => d !== b.shape[i])) throw new ShapeMismatchError(what, a.shape, b.shape);
}

/** `[N, …]` → `[N, D]` (a new tensor). */
export function flattenRows(t: Tensor): tf.Tensor2D {
  const n = t.shape[0] ?? 1;
  return tf.reshape(t, [n, t.size / Math.max(n, 1)]);
}

/** Reads a tensor built inside `build` (a tidy scope) to the host and disposes it. */
export async function readTidy(build: () => Tensor): Promise<Float32Array> {
  const t = tf.tidy(build);
  try {
    return (await t.data()) as Float32Array;
  } finally {
    t.dispose();
  }
}

/** The sum of every row of `t` (`[N, …]` → N numbers). */
export function rowSums(t: Tensor): Promise<Float32Array> {
  return readTidy(() => tf.sum(flattenRows(t), 1));
}

/** Mean of the finite values of a list (NaN when none is finite). */
export function finiteMean(values: ArrayLike<number>): number {
  let sum = 0;
  let count = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (Number.isFinite(v)) {
      sum += v;
      count++;
    }
  }
  return count === 0 ? Number.NaN : sum / count;
}
