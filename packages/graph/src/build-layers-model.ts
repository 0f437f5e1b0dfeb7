/** Builds a tfjs `LayersModel` from checked artifacts. */
import { ModelLoadError } from '@nrm/core';
import { io } from '@tensorflow/tfjs-core';
import { loadLayersModel, type LayersModel } from '@tensorflow/tfjs-layers';
import type { LayersModelJson } from './model-json.js';

/**
 * `tf.loadLayersModel(tf.io.fromMemory(...))` on checked artifacts; `weightData` is the
 * concatenation of every manifest group's bytes, in manifest order.
 *
 * @throws ModelLoadError wrapping whatever tfjs throws (as `cause`).
 */
export async function buildLayersModel(json: LayersModelJson, weightData: ArrayBuffer, where: string): Promise<LayersModel> {
  const weightSpecs = json.weightsManifest.flatMap((group) => group.weights);
  try {
    return await loadLayersModel(io.fromMemory({ modelTopology: json.modelTopology, weightSpecs, weightData }));
  } catch (cause) {
    const message = cause instanceof Error ? cause.message : String(cause);
    const hint = /backend/i.test(message) ? ' Register and set a tfjs backend first (e.g. @nrm/backend-cpu).' : '';
    throw new ModelLoadError(`tfjs could not build the layers-model of '${where}': ${message}.${hint}`, { cause });
  }
}
