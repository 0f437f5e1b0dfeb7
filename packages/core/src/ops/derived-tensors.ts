/**
 * Tensors derived from a parameter (a flipped conv kernel, a transposed Dense kernel), computed once
 * per parameter and kept until the parameter's owner releases them. Only parameters whose owner
 * enrolled them (an explainer) are cached; anything else is recomputed, so callers that pass
 * temporary kernels leak nothing.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';

const caches = new WeakMap<Tensor, Map<string, Tensor>>();

/** Lets `derived` cache tensors computed from `param` until {@link releaseDerived}. */
export function enrollForDerived(param: Tensor): void {
  if (!caches.has(param)) caches.set(param, new Map());
}

/** `compute()`, cached under `key` if `param` is enrolled. The result must not be disposed by the caller. */
export function derived<T extends Tensor>(param: Tensor, key: string, compute: () => T): T {
  const cache = caches.get(param);
  if (!cache) return compute();
  let value = cache.get(key) as T | undefined;
  if (!value) {
    value = tf.keep(compute());
    cache.set(key, value);
  }
  return value;
}

/** Disposes everything derived from `param`. */
export function releaseDerived(param: Tensor): void {
  const cache = caches.get(param);
  if (!cache) return;
  for (const t of cache.values()) t.dispose();
  caches.delete(param);
}
