/** Test support: hand-built IR graphs and a deep snapshot to detect mutation. */
import type { Graph, HostTensor, IRNode, NodeParams, OpKind } from '@nrm/core';

/** A host tensor of `shape` with the values `0.1, 0.2, …` (or given values). */
export function host(shape: readonly number[], values?: readonly number[]): HostTensor {
  const size = shape.reduce((n, d) => n * d, 1);
  const data = Float32Array.from(values ?? Array.from({ length: size }, (_, i) => (i + 1) / 10));
  return { shape: [...shape], data };
}

/** A node; `extra` may set attrs, params, outputShape, activation, source. */
export function node(
  id: string,
  op: OpKind,
  inputs: readonly string[],
  extra: { attrs?: object; params?: NodeParams; outputShape?: readonly number[]; activation?: IRNode['activation']; source?: IRNode['source'] } = {},
): IRNode {
  return {
    id,
    op,
    inputs: [...inputs],
    attrs: extra.attrs ?? {},
    outputShape: extra.outputShape ?? [4],
    ...(extra.params ? { params: extra.params } : {}),
    ...(extra.activation ? { activation: extra.activation } : {}),
    ...(extra.source ? { source: extra.source } : {}),
  } as IRNode;
}

/** A dense node `[in, 4]` with a bias. */
export function dense(id: string, input: string, extra: Parameters<typeof node>[3] = {}): IRNode {
  return node(id, 'dense', [input], { params: { kernel: host([4, 4]), bias: host([4]) }, ...extra });
}

/** A batchNorm node over 4 channels. */
export function batchNorm(id: string, input: string): IRNode {
  return node(id, 'batchNorm', [input], { params: { kernel: host([4], [2, 3, 4, 5]), bias: host([4], [1, 1, 1, 1]) } });
}

/** A graph whose input is its first node, outputs default to the last node, layers map ids to themselves. */
export function graphOf(nodes: readonly IRNode[], outputs?: readonly string[]): Graph {
  return {
    nodes,
    input: nodes[0]?.id ?? '',
    outputs: outputs ?? [nodes[nodes.length - 1]?.id ?? ''],
    layers: Object.fromEntries(nodes.map((n) => [n.id, n.id])),
    warnings: [],
  };
}

/** A deep copy (typed arrays included) to compare a graph with after a pass. */
export function snapshot(graph: Graph): Graph {
  return structuredClone(graph);
}
