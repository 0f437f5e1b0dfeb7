/** The {@link GraphAdapter} for tfjs-layers models (`tf.LayersModel`, Sequential and functional). */
import { UnsupportedLayerError, type Graph, type GraphAdapter, type IRNode } from '@nrm/core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { LayerContext, type LayerInput } from './layer-context.js';
import { readModelTopology } from './model-topology.js';
import { isSupportedLayerClass, SUPPORTED_LAYER_CLASSES } from './supported-layers.js';
import { translateLayer } from './translate-layer.js';

/** Whether `value` looks like a tfjs `LayersModel` (duck-typed: tfjs may be loaded twice). */
function isLayersModel(value: unknown): value is LayersModel {
  if (typeof value !== 'object' || value === null) return false;
  const model = value as Partial<Record<'layers' | 'inputs' | 'outputs' | 'predict' | 'getClassName', unknown>>;
  return (
    Array.isArray(model.layers) &&
    Array.isArray(model.inputs) &&
    Array.isArray(model.outputs) &&
    typeof model.predict === 'function' &&
    typeof model.getClassName === 'function'
  );
}

/**
 * Translates a tfjs `LayersModel` into the raw IR: one node per Keras layer, id = layer name, in
 * topological order (Keras' layer order where it is one). Fused activations stay on their linear
 * node (`activation`), BatchNormalization is a `batchNorm` node and Dropout a `dropout` node; run
 * `canonicalize` (or use `graphFromLayersModel`) to get the graph the engine explains.
 * Parameters are copied to the host; the model is neither changed nor disposed.
 *
 * @throws UnsupportedLayerError for a layer class or configuration NRM cannot represent.
 */
export function layersModelToGraph(model: LayersModel): Graph {
  const topology = readModelTopology(model);
  const nodes: IRNode[] = [];
  const shapes = new Map<string, readonly number[]>();
  for (const { layer, inbound } of topology.calls) {
    const className = layer.getClassName();
    if (!isSupportedLayerClass(className)) {
      throw new UnsupportedLayerError(layer.name, className, SUPPORTED_LAYER_CLASSES);
    }
    const inputs: LayerInput[] = inbound.map((source) => ({ id: source.name, shape: shapes.get(source.name) ?? [] }));
    const node = translateLayer(className, new LayerContext(layer, inputs));
    nodes.push(node);
    shapes.set(node.id, node.outputShape);
  }
  return {
    nodes,
    input: topology.input.name,
    outputs: [...new Set(topology.outputs.map((layer) => layer.name))],
    layers: Object.fromEntries(nodes.map((node) => [node.id, node.id])),
    warnings: [],
  };
}

/** The tfjs-layers graph adapter (`id: 'tfjs-layers'`); see {@link layersModelToGraph}. */
export const tfjsLayersAdapter: GraphAdapter<LayersModel> = {
  specificationVersion: 'v1',
  id: 'tfjs-layers',
  canAdapt: isLayersModel,
  toGraph: layersModelToGraph,
};
