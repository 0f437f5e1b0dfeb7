/**
 * Reads the layer graph of a tfjs `LayersModel` (Sequential or functional) by walking back from
 * the model's outputs through each layer's inbound node, and orders it topologically, keeping
 * Keras' own layer order wherever it is one.
 */
import { InvalidArgumentError, UnsupportedLayerError } from '@nrm/core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { SUPPORTED_LAYER_CLASSES } from './supported-layers.js';
import type { Layer } from './tfjs-types.js';

/** One layer of the model and the layers whose outputs it reads, in order. */
export interface LayerCall {
  readonly layer: Layer;
  readonly inbound: readonly Layer[];
}

/** The model's layers in topological order, its input layer and its output layers. */
export interface ModelTopology {
  readonly calls: readonly LayerCall[];
  readonly input: Layer;
  readonly outputs: readonly Layer[];
}

function unsupported(layer: Layer, detail: string): never {
  throw new UnsupportedLayerError(layer.name, layer.getClassName(), SUPPORTED_LAYER_CLASSES, detail);
}

/** Kahn's algorithm, always taking the ready layer that comes first in `model.layers`. */
function topologicalOrder(calls: ReadonlyMap<string, LayerCall>, rank: (layer: Layer) => number): LayerCall[] {
  const pending = [...calls.values()].sort((a, b) => rank(a.layer) - rank(b.layer));
  const placed = new Set<string>();
  const order: LayerCall[] = [];
  while (pending.length > 0) {
    const index = pending.findIndex((call) => call.inbound.every((l) => placed.has(l.name)));
    if (index < 0) throw new InvalidArgumentError('The model graph has a cycle; it is not a valid LayersModel.');
    const [call] = pending.splice(index, 1) as [LayerCall];
    placed.add(call.layer.name);
    order.push(call);
  }
  return order;
}

/** Reads the layer graph of `model`. Shared layers, multi-output layers and several inputs are rejected. */
export function readModelTopology(model: LayersModel): ModelTopology {
  const inputs = model.inputs as LayersModel['inputs'] | undefined;
  const outputs = model.outputs as LayersModel['outputs'] | undefined;
  if (!inputs?.length || !outputs?.length) {
    throw new InvalidArgumentError(`Model '${model.name}' has no inputs or outputs yet; build it (give it an input shape) first.`);
  }
  const [input, second] = inputs;
  if (second) unsupported(second.sourceLayer, `the model has ${inputs.length} inputs; only single-input models are supported`);

  const calls = new Map<string, LayerCall & { nodeIndex: number }>();
  const visit = (layer: Layer, nodeIndex: number): void => {
    const seen = calls.get(layer.name);
    if (seen) {
      if (seen.layer !== layer || seen.nodeIndex !== nodeIndex) {
        unsupported(layer, 'the layer is applied more than once (shared layers are not supported)');
      }
      return;
    }
    const node = layer.inboundNodes[nodeIndex];
    if (!node) unsupported(layer, `inbound node ${nodeIndex} is missing`);
    const inbound: Layer[] = [];
    calls.set(layer.name, { layer, nodeIndex, inbound });
    node.inboundLayers.forEach((source, i) => {
      if ((node.tensorIndices[i] ?? 0) !== 0) unsupported(source, 'layers with several outputs are not supported');
      visit(source, node.nodeIndices[i] ?? 0);
      inbound.push(source);
    });
  };
  for (const output of outputs) {
    if (output.tensorIndex !== 0) unsupported(output.sourceLayer, 'layers with several outputs are not supported');
    visit(output.sourceLayer, output.nodeIndex);
  }
  if (!input || !calls.has(input.sourceLayer.name)) {
    throw new InvalidArgumentError(`Model '${model.name}': no output depends on the input.`);
  }

  const position = new Map(model.layers.map((layer, i) => [layer, i] as const));
  return {
    calls: topologicalOrder(calls, (layer) => position.get(layer) ?? -1),
    input: input.sourceLayer,
    outputs: outputs.map((output) => output.sourceLayer),
  };
}
