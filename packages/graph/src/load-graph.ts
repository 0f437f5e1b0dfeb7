/** From a model to the canonical graph the engine explains. */
import type { Graph } from '@nrm/core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { tfjsLayersAdapter } from './adapter/tfjs-layers-adapter.js';
import { loadLayersModelFromFiles } from './load-model-files.js';
import { canonicalize } from './passes/canonicalize.js';

/** `canonicalize(tfjsLayersAdapter.toGraph(model))`; the model is neither changed nor disposed. */
export function graphFromLayersModel(model: LayersModel): Graph {
  return canonicalize(tfjsLayersAdapter.toGraph(model));
}

/**
 * Loads `model.json` and its weights, translates and canonicalizes the model, and disposes the
 * tfjs model: the graph holds host copies of every parameter. Needs a registered tfjs backend.
 *
 * @throws ModelLoadError, TruncatedWeightsError (loading) or UnsupportedLayerError (translation).
 */
export async function loadGraph(modelJsonPath: string | URL): Promise<Graph> {
  const model = await loadLayersModelFromFiles(modelJsonPath);
  try {
    return graphFromLayersModel(model);
  } finally {
    model.dispose();
  }
}
