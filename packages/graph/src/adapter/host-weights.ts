/** Copies a layer's weights to the host as {@link HostTensor}s. */
import type { HostTensor } from '@nrm/core';
import type { LayerContext } from './layer-context.js';

/**
 * The layer's weights keyed by their short name (`kernel`, `bias`, `depthwise_kernel`, `gamma`,
 * `beta`, `moving_mean`, `moving_variance`). Values are copied into fresh `Float32Array`s (the
 * arrays a backend hands out may be its own storage). No tensor is created, so none is disposed.
 */
export function hostWeights(ctx: LayerContext): Map<string, HostTensor> {
  const weights = new Map<string, HostTensor>();
  for (const variable of ctx.layer.weights) {
    const fullName = variable.originalName || variable.name;
    const key = fullName.slice(fullName.lastIndexOf('/') + 1).replace(/:\d+$/, '');
    const value = variable.read();
    const data = new Float32Array(value.dataSync());
    weights.set(key, { shape: [...value.shape], data });
  }
  return weights;
}

/** The weight `key` of the layer; an error naming the layer when it is missing. */
export function requireWeight(ctx: LayerContext, weights: ReadonlyMap<string, HostTensor>, key: string): HostTensor {
  const weight = weights.get(key);
  if (!weight) {
    return ctx.unsupported(`weight '${key}' not found (the layer has: ${[...weights.keys()].join(', ') || 'none'})`);
  }
  return weight;
}
