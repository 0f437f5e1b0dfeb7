import type { Graph } from '../ir.js';

const PRESERVES_SIGN = new Set([
  'maxPool2d',
  'avgPool2d',
  'globalAvgPool2d',
  'globalMaxPool2d',
  'flatten',
  'reshape',
  'add',
  'concat',
  'upSampling2d',
  'zeroPadding2d',
  'identity',
  'dropout',
]);

/**
 * Which node outputs are known to be ≥ 0 without looking at data: ReLU outputs, and whatever
 * only pools, moves, pads or adds non-negative values. Rules use it to skip `x⁻` branches.
 */
export function nonNegativeOutputs(graph: Graph, inputNonNegative = false): Set<string> {
  const known = new Set<string>();
  for (const node of graph.nodes) {
    if (node.op === 'input' ? inputNonNegative : node.op === 'relu') known.add(node.id);
    else if (PRESERVES_SIGN.has(node.op) && node.inputs.every((i) => known.has(i))) known.add(node.id);
  }
  return known;
}
