import * as tf from '@tensorflow/tfjs-core';

/** Runs `fn` in a tfjs scope and returns its (host-side) result; every tensor it made is freed. */
export function scoped<T>(fn: () => T): T {
  let result: T | undefined;
  tf.tidy(() => {
    result = fn();
  });
  return result as T;
}
