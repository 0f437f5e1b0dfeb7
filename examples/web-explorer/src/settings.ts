/**
 * What the explorer offers: the composites (with the options they are run with) and the layers it
 * analyses. The e2e test imports this table to compute the same explanations in Node.
 */
import type { CompositeOptions, Graph } from '@nrm/core';
import { PREACTIVATION_SUFFIX } from '@nrm/graph';

/** A composite of the selector. */
export interface CompositeChoice {
  /** The registered composite id. */
  readonly id: string;
  /** The label in the selector. */
  readonly label: string;
  /** The options it runs with (`epsilon-gamma-box` needs the input bounds). */
  readonly options: CompositeOptions;
}

/** The composites of the selector, first = default. The input is in [0, 1] (mnist pixels). */
export const COMPOSITES: readonly CompositeChoice[] = [
  { id: 'epsilon-plus-flat', label: 'LRP ε + flat', options: {} },
  { id: 'epsilon', label: 'LRP ε', options: {} },
  { id: 'epsilon-gamma-box', label: 'LRP ε + γ + box', options: { low: 0, high: 1 } },
  { id: 'epsilon-alpha2-beta1', label: 'LRP ε + α2β1', options: {} },
  { id: 'gradient', label: 'gradient', options: {} },
  { id: 'gradient-x-input', label: 'gradient × input', options: {} },
  { id: 'guided-backprop', label: 'guided backprop', options: {} },
  { id: 'deconvnet', label: 'deconvnet', options: {} },
];

/** The choice for an id (the default one for an unknown id). */
export function compositeChoice(id: string | null | undefined): CompositeChoice {
  return COMPOSITES.find((c) => c.id === id) ?? COMPOSITES[0]!;
}

/** Every input of the demo model is a grey image in [0, 1]. */
export const INPUT_NON_NEGATIVE = true;

/** The model's output layer (logits), the target of every explanation. */
export function outputLayer(graph: Graph): string {
  const id = graph.outputs[0]!;
  return Object.entries(graph.layers).find(([, node]) => node === id)?.[0] ?? id;
}

/**
 * The named layers that are convolutions (after canonicalization a conv with an activation is
 * `<name>` + `PREACTIVATION_SUFFIX` (conv2d) followed by `<name>` (the activation)), input side first.
 */
export function convLayers(graph: Graph): string[] {
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const isConv = (id: string | undefined): boolean => id !== undefined && byId.get(id)?.op === 'conv2d';
  return Object.entries(graph.layers)
    .filter(([, id]) => isConv(id) || (byId.get(id)?.inputs.length === 1 && isConv(byId.get(id)!.inputs[0]) && byId.get(id)!.inputs[0] === `${id}${PREACTIVATION_SUFFIX}`))
    .sort(([, a], [, b]) => graph.nodes.findIndex((n) => n.id === a) - graph.nodes.findIndex((n) => n.id === b))
    .map(([name]) => name);
}

/** The layers of the flows view: the last three conv layers (fewer if the model has fewer). */
export function flowLayers(graph: Graph): string[] {
  return convLayers(graph).slice(-3);
}
