/**
 * Small helpers shared by the canonicalization passes: consumers, id replacement and node
 * removal. All of them return new objects and never mutate their arguments.
 */
import type { Graph, IRNode } from '@nrm/core';

/** For every node id, the ids of the nodes that read it (one entry per edge, in node order). */
export function consumersOf(graph: Graph): Map<string, string[]> {
  const consumers = new Map<string, string[]>();
  for (const node of graph.nodes) consumers.set(node.id, []);
  for (const node of graph.nodes) {
    for (const input of node.inputs) consumers.get(input)?.push(node.id);
  }
  return consumers;
}

/** Follows a chain of replacements (`a → b → c`) to its end. */
export function resolveId(replacements: ReadonlyMap<string, string>, id: string): string {
  let current = id;
  const seen = new Set<string>();
  for (let next = replacements.get(current); next !== undefined; next = replacements.get(current)) {
    if (seen.has(current)) throw new Error(`Cyclic node replacement at '${current}'.`);
    seen.add(current);
    current = next;
  }
  return current;
}

/** The node with other inputs; the same object when nothing changes. */
export function withInputs(node: IRNode, inputs: readonly string[]): IRNode {
  const same = inputs.length === node.inputs.length && inputs.every((id, i) => id === node.inputs[i]);
  return same ? node : ({ ...node, inputs } as IRNode);
}

/** Distinct ids, first occurrence kept. */
function unique(ids: readonly string[]): string[] {
  return [...new Set(ids)];
}

/**
 * Removes the nodes named in `replacements` (each removed id → the id that takes its place) and
 * rewires node inputs, graph outputs and the `layers` map accordingly. Nodes in `updated` replace
 * the graph's nodes of the same id. Order is kept, so a topological order stays one.
 */
export function replaceNodes(
  graph: Graph,
  replacements: ReadonlyMap<string, string>,
  updated: ReadonlyMap<string, IRNode> = new Map(),
): Graph {
  const resolve = (id: string): string => resolveId(replacements, id);
  const nodes: IRNode[] = [];
  for (const original of graph.nodes) {
    if (replacements.has(original.id)) continue;
    const node = updated.get(original.id) ?? original;
    nodes.push(withInputs(node, node.inputs.map(resolve)));
  }
  const layers: Record<string, string> = {};
  for (const [name, id] of Object.entries(graph.layers)) layers[name] = resolve(id);
  return {
    nodes,
    input: resolve(graph.input),
    outputs: unique(graph.outputs.map(resolve)),
    layers,
    warnings: [...graph.warnings],
  };
}

/** `base` if no node has that id, else `base_2`, `base_3`, … */
export function uniqueId(base: string, taken: ReadonlySet<string>): string {
  if (!taken.has(base)) return base;
  for (let i = 2; ; i++) {
    const id = `${base}_${i}`;
    if (!taken.has(id)) return id;
  }
}

/** The source layer's name of a node, for messages (its id when it has no source). */
export function layerNameOf(node: IRNode): string {
  return node.source?.name ?? node.id;
}
