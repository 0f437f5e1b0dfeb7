/** Seeded randomisation of a graph's parameters, for the model parameter randomisation test. */
import { InvalidArgumentError, type Graph, type HostTensor, type IRNode } from '@nrm/core';
import { gaussianSamples, seededRandom, streamSeed } from './random.js';

/** A parameterised node of a graph, named for reports. */
export interface ParameterLayer {
  /** The node's id. */
  readonly node: string;
  /** The source layer's name (e.g. the Keras layer), else the node id. */
  readonly layer: string;
}

/** The graph's nodes with parameters, in topological order (input side first). */
export function parameterLayers(graph: Graph): ParameterLayer[] {
  return graph.nodes.filter((node) => node.params !== undefined).map((node) => ({ node: node.id, layer: node.source?.name ?? node.id }));
}

function stats(data: Float32Array): [mean: number, std: number] {
  let mean = 0;
  for (const v of data) mean += v;
  mean /= Math.max(data.length, 1);
  let variance = 0;
  for (const v of data) variance += (v - mean) ** 2;
  return [mean, Math.sqrt(variance / Math.max(data.length, 1))];
}

function randomLike(tensor: HostTensor, random: () => number): HostTensor {
  const [mean, std] = stats(tensor.data);
  const noise = gaussianSamples(tensor.data.length, random);
  const data = new Float32Array(noise.length);
  for (let i = 0; i < data.length; i++) data[i] = mean + std * noise[i]!;
  return { shape: [...tensor.shape], data };
}

/**
 * A copy of `graph` whose chosen nodes have new parameters: every kernel and bias is replaced by
 * seeded Gaussian values with the same mean and standard deviation as the values it replaces
 * (so the scale of each layer is kept; a constant array, like a zero bias, stays constant). The
 * given graph is not modified and the other nodes share its (immutable) host arrays. Node `k` of
 * the list draws from its own stream of `seed`, so its values do not depend on the other nodes.
 *
 * @param nodes - ids of nodes with parameters.
 * @throws InvalidArgumentError for an unknown node or one without parameters.
 */
export function randomizeParameters(graph: Graph, nodes: readonly string[], seed = 0): Graph {
  const chosen = new Set(nodes);
  for (const id of chosen) {
    const node = graph.nodes.find((n) => n.id === id);
    if (!node?.params) {
      const known = parameterLayers(graph).map((l) => l.node);
      throw new InvalidArgumentError(`Cannot randomise node '${id}': ${node ? 'it has no parameters' : 'no such node'}; nodes with parameters: ${known.join(', ')}.`);
    }
  }
  const rewritten = graph.nodes.map((node, index): IRNode => {
    if (!chosen.has(node.id) || !node.params) return node;
    const random = seededRandom(streamSeed(seed, index));
    const kernel = randomLike(node.params.kernel, random);
    const bias = node.params.bias ? randomLike(node.params.bias, random) : undefined;
    return { ...node, params: bias ? { kernel, bias } : { kernel } } as IRNode;
  });
  return { ...graph, nodes: rewritten };
}
