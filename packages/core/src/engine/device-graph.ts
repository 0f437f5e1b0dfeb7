/**
 * A graph whose parameters live on the tfjs device: uploaded once, shared by every explainer built
 * on it, and — if asked — without the host copy, so that a large model's weights are held once.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';
import type { DeviceParams } from '../contracts.js';
import { InvalidArgumentError } from '../errors.js';
import type { Graph } from '../ir.js';
import { enrollForDerived, releaseDerived } from '../ops/derived-tensors.js';

/** A graph's structure plus its parameters on the current tfjs backend. */
export interface DeviceGraph {
  /** The graph; without host parameters when uploaded with `dropHostParams`. */
  readonly graph: Graph;
  /** Node id → its parameters on the device. */
  readonly params: ReadonlyMap<string, DeviceParams>;
  /** Whether {@link DeviceGraph.dispose} has run. */
  readonly disposed: boolean;
  /** Frees the device parameters and what was derived from them (flipped kernels, …). */
  dispose(): void;
}

/** Options of {@link uploadGraph}. */
export interface UploadGraphOptions {
  /**
   * Keep only the structure in `DeviceGraph.graph` (nodes without `params`), so that the host
   * arrays can be garbage-collected once the caller drops its own reference to the graph.
   * VGG16's weights are 553 MB: held on the host and on the device they cost twice that.
   */
  readonly dropHostParams?: boolean;
}

/** Whether `g` is a {@link DeviceGraph} (rather than a plain {@link Graph}). */
export function isDeviceGraph(g: Graph | DeviceGraph): g is DeviceGraph {
  return 'params' in g && g.params instanceof Map && typeof (g as DeviceGraph).dispose === 'function';
}

/**
 * Uploads a graph's parameters to the current tfjs backend once. Pass the result as
 * `createExplainer({ graph: deviceGraph, … })` to any number of explainers (they share the
 * parameters and the tensors derived from them); dispose it after the last explainer.
 */
export function uploadGraph(graph: Graph, options: UploadGraphOptions = {}): DeviceGraph {
  const params = new Map<string, DeviceParams>();
  const owned: Tensor[] = [];
  const upload = (data: Float32Array, shape: readonly number[]): Tensor => {
    const t = tf.keep(tf.tensor(data, shape as number[]));
    owned.push(t);
    enrollForDerived(t);
    return t;
  };
  try {
    for (const node of graph.nodes) {
      if (!node.params) continue;
      const { kernel, bias } = node.params;
      params.set(node.id, { kernel: upload(kernel.data, kernel.shape), bias: bias ? upload(bias.data, bias.shape) : undefined });
    }
  } catch (error) {
    for (const t of owned) releaseDerived(t);
    tf.dispose(owned);
    throw error;
  }
  const structure: Graph = options.dropHostParams
    ? { ...graph, nodes: graph.nodes.map((node) => (node.params ? { ...node, params: undefined } : node)) }
    : graph;
  let disposed = false;
  return {
    graph: structure,
    params,
    get disposed() {
      return disposed;
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      for (const t of owned) releaseDerived(t);
      tf.dispose(owned);
    },
  };
}

/** Throws when an explainer is used after the device graph it was built on was disposed. */
export function assertLive(deviceGraph: DeviceGraph): void {
  if (deviceGraph.disposed) {
    throw new InvalidArgumentError('The device graph of this explainer has been disposed; create a new one with uploadGraph().');
  }
}
