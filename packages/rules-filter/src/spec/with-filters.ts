/** Filter specs → the `outgoing` transforms of `createExplainer`. */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';
import { InvalidArgumentError, UnknownLayerError, type Graph } from '@nrm/core';
import type { RelevanceFilter } from '../filters/amplitude.js';
import { createFilter, type FilterSpec } from './filter-spec.js';
import { parseFilterSpec } from './parse.js';

/** One entry of `ExplainerOptions.outgoing`. */
export interface OutgoingTransform {
  readonly layer: string;
  readonly transform: (relevance: Tensor) => Tensor;
}

/** Suffix `@nrm/graph` gives the linear part of a layer whose fused ReLU it split off (its `PREACTIVATION_SUFFIX`). */
const PREACT = '/preact';

/**
 * The node whose outgoing relevance is "the relevance leaving layer `layer`": the layer's own
 * node, except for a layer with a fused ReLU that the graph split into `L/preact` (linear) and
 * `L` (relu). There the name points at the relu, which hands its relevance on unchanged; the
 * relevance the layer's rule hands to the layer's inputs leaves `L/preact`, which is returned.
 *
 * @throws UnknownLayerError when the graph has no such layer or node.
 */
export function resolveFilterLayer(graph: Graph, layer: string): string {
  const id = graph.layers[layer] ?? (graph.nodes.some((n) => n.id === layer) ? layer : undefined);
  if (id === undefined) throw new UnknownLayerError(layer, Object.keys(graph.layers));
  const node = graph.nodes.find((n) => n.id === id)!;
  const preact = `${id}${PREACT}`;
  if (node.op === 'relu' && node.inputs.length === 1 && node.inputs[0] === preact) return preact;
  return id;
}

function compose(filters: readonly RelevanceFilter[]): RelevanceFilter {
  if (filters.length === 1) return filters[0]!;
  return (relevance) =>
    tf.tidy(() => {
      let current = relevance;
      for (const filter of filters) current = filter(current);
      return current;
    });
}

/**
 * The `outgoing` option of `createExplainer` for these specs (objects or CLI strings, parsed
 * with {@link parseFilterSpec}): one transform per layer, in order of first mention; several
 * specs on one layer compose in the order given. With `graph`, each layer is resolved by
 * {@link resolveFilterLayer} (a Keras layer with a fused ReLU filters what its linear part hands
 * down, as in the paper) and unknown layers fail here; without it, the names go to the engine as
 * given (a name pointing at a split-off ReLU then filters the relevance at that layer's output).
 *
 * @throws InvalidArgumentError for an invalid spec; UnknownLayerError (with `graph`).
 */
export function withFilters(specs: readonly (FilterSpec | string)[], graph?: Graph): OutgoingTransform[] {
  const byLayer = new Map<string, RelevanceFilter[]>();
  for (const given of specs) {
    const spec = typeof given === 'string' ? parseFilterSpec(given) : given;
    if (spec.layers.length === 0) throw new InvalidArgumentError(`The ${spec.op} filter names no layers.`);
    const filter = createFilter(spec);
    for (const layer of spec.layers) {
      const key = graph ? resolveFilterLayer(graph, layer) : layer;
      const list = byLayer.get(key) ?? [];
      list.push(filter);
      byLayer.set(key, list);
    }
  }
  return [...byLayer].map(([layer, filters]) => ({ layer, transform: compose(filters) }));
}
