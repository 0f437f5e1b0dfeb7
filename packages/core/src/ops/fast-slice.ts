/**
 * `tf.slice` with the trailing dimensions it takes whole merged into the last one it cuts, so the
 * copy runs over long contiguous rows. Same result as `tf.slice(x, begin, size)`; tfjs-backend-wasm
 * copies a 4-D slice one innermost row at a time, so cropping an NHWC map
 * (`[1, 114, 114, 64] → [1, 112, 112, 64]`) as `[1, 114, 7296]` copies 112 rows instead of 12 544.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';

export function sliceMerged<T extends Tensor>(x: T, begin: readonly number[], size: readonly number[]): T {
  const shape = x.shape;
  const rank = shape.length;
  // The last axis that is cut (not taken whole); the axes after it are merged into it.
  let cut = rank - 1;
  while (cut > 0 && begin[cut] === 0 && size[cut] === shape[cut]) cut--;
  if (cut === rank - 1) return tf.slice(x, begin as number[], size as number[]) as T;
  let inner = 1;
  for (let k = cut + 1; k < rank; k++) inner *= shape[k]!;
  return tf.tidy(() => {
    const merged = tf.reshape(x, [...shape.slice(0, cut), shape[cut]! * inner]);
    const part = tf.slice(merged, [...begin.slice(0, cut), begin[cut]! * inner], [...size.slice(0, cut), size[cut]! * inner]);
    return tf.reshape(part, size as number[]) as T;
  });
}
