/** The `splitActivations` pass: fused activations become nodes of their own. */
import type { Graph, IRNode } from '@nrm/core';
import { uniqueId, withInputs } from '../graph-edit.js';

/** Suffix of the id given to a linear node whose fused ReLU is split off. */
export const PREACTIVATION_SUFFIX = '/preact';
/** Suffix of the id given to a softmax split off a linear node. */
export const SOFTMAX_SUFFIX = '/softmax';

/** A copy of `node` without its `activation` field. */
function withoutActivation(node: IRNode): IRNode {
  const copy: Record<string, unknown> = { ...node };
  delete copy['activation'];
  return copy as IRNode;
}

/**
 * Splits every fused activation off its node. The source layer's name keeps pointing at the
 * activation's output:
 * - `relu` on node `L`: the linear part becomes `L/preact`, a new `relu` node takes the id `L`
 *   (so consumers and `layers['L']` need no rewiring and see the activation's output);
 * - `softmax` on node `L`: the linear part keeps the id `L` (the logits), a new `softmax` node
 *   `L/softmax` follows it, and consumers, outputs and `layers['L']` move to it;
 * - `linear`: the field is dropped.
 *
 * Pure: returns a new graph and leaves `graph` untouched (parameters are shared, not copied,
 * since they do not change). Topological order is kept.
 */
export function splitActivations(graph: Graph): Graph {
  const taken = new Set(graph.nodes.map((node) => node.id));
  const moved = new Map<string, string>();
  const rename = (id: string): string => moved.get(id) ?? id;
  const nodes: IRNode[] = [];
  for (const node of graph.nodes) {
    const rewired = withInputs(node, node.inputs.map(rename));
    const { activation } = node;
    if (activation === undefined) {
      nodes.push(rewired);
      continue;
    }
    const linear = withoutActivation(rewired);
    const tail = { inputs: [] as string[], attrs: {}, outputShape: node.outputShape, ...(node.source ? { source: node.source } : {}) };
    if (activation === 'linear') {
      nodes.push(linear);
    } else if (activation === 'relu') {
      const preactId = uniqueId(`${node.id}${PREACTIVATION_SUFFIX}`, taken);
      taken.add(preactId);
      nodes.push({ ...linear, id: preactId } as IRNode, { ...tail, id: node.id, op: 'relu', inputs: [preactId] });
    } else {
      const softmaxId = uniqueId(`${node.id}${SOFTMAX_SUFFIX}`, taken);
      taken.add(softmaxId);
      moved.set(node.id, softmaxId);
      nodes.push(linear, { ...tail, id: softmaxId, op: 'softmax', inputs: [node.id] });
    }
  }
  const layers: Record<string, string> = {};
  for (const [name, id] of Object.entries(graph.layers)) layers[name] = rename(id);
  return {
    nodes,
    input: graph.input,
    outputs: graph.outputs.map(rename),
    layers,
    warnings: [...graph.warnings],
  };
}
