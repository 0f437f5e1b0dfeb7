/** The `dropIdentities` pass: removes nodes that compute the identity at inference. */
import type { Graph, OpKind } from '@nrm/core';
import { replaceNodes } from '../graph-edit.js';

const IDENTITY_OPS: ReadonlySet<OpKind> = new Set<OpKind>(['dropout', 'identity']);

/**
 * Removes `dropout` and `identity` nodes (the latter include `Activation('linear')` layers),
 * wiring their consumers (and graph outputs) to their input. The removed layer's name maps to its
 * input's node. Pure; topological order is kept.
 */
export function dropIdentities(graph: Graph): Graph {
  const replacements = new Map<string, string>();
  for (const node of graph.nodes) {
    const [input] = node.inputs;
    if (IDENTITY_OPS.has(node.op) && node.inputs.length === 1 && input !== undefined) replacements.set(node.id, input);
  }
  return replaceNodes(graph, replacements);
}
