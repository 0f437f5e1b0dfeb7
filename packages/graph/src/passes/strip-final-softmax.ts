/** The `stripFinalSoftmax` pass: explains logits instead of probabilities. */
import { UnsupportedLayerError, type Graph } from '@nrm/core';
import { SUPPORTED_LAYER_CLASSES } from '../adapter/supported-layers.js';
import { consumersOf, layerNameOf, replaceNodes } from '../graph-edit.js';

/**
 * Removes every `softmax` node that is a graph output and feeds nothing, making its input the
 * output, and adds the warning `Final softmax of layer 'X' stripped: explaining logits`. The
 * softmax layer's name maps to the logits node.
 *
 * @throws UnsupportedLayerError for a softmax anywhere else (`softmax is only supported as the last layer`).
 */
export function stripFinalSoftmax(graph: Graph): Graph {
  const consumers = consumersOf(graph);
  const replacements = new Map<string, string>();
  const warnings: string[] = [];
  for (const node of graph.nodes) {
    if (node.op !== 'softmax') continue;
    const [input] = node.inputs;
    const final = graph.outputs.includes(node.id) && (consumers.get(node.id) ?? []).length === 0;
    if (!final || input === undefined) {
      throw new UnsupportedLayerError(
        layerNameOf(node),
        node.source?.className ?? 'Softmax',
        SUPPORTED_LAYER_CLASSES,
        'softmax is only supported as the last layer',
      );
    }
    replacements.set(node.id, input);
    warnings.push(`Final softmax of layer '${layerNameOf(node)}' stripped: explaining logits`);
  }
  const stripped = replaceNodes(graph, replacements);
  return { ...stripped, warnings: [...stripped.warnings, ...warnings] };
}
