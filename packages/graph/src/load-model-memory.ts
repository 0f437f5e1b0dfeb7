/** Loading a layers-model from memory (browsers, bundled assets). */
import { TruncatedWeightsError } from '@nrm/core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { buildLayersModel } from './build-layers-model.js';
import { concatBytes, groupByteLength, parseLayersModelJson } from './model-json.js';

/** Bytes: an `ArrayBuffer` or a view of one (a `Uint8Array`, a Node `Buffer`, …). */
export type Bytes = ArrayBuffer | ArrayBufferView;

const asUint8 = (bytes: Bytes): Uint8Array =>
  bytes instanceof ArrayBuffer ? new Uint8Array(bytes) : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);

/**
 * Loads a tfjs layers-model from a `model.json` (its text or parsed object) and its weight data:
 * either the concatenation of all weight files in manifest order, or a list of their contents in
 * that order (concatenated here). Needs a registered tfjs backend.
 *
 * @throws ModelLoadError for a JSON that is not a layers-model, or when tfjs cannot build it.
 * @throws TruncatedWeightsError when the weight data is shorter than the manifest needs.
 */
export async function loadLayersModelFromMemory(
  modelJson: string | object,
  weightData: Bytes | readonly Bytes[],
): Promise<LayersModel> {
  const where = 'model.json (in memory)';
  const json = parseLayersModelJson(modelJson, where);
  const parts = Array.isArray(weightData) ? (weightData as readonly Bytes[]) : [weightData as Bytes];
  const all = new Uint8Array(concatBytes(parts.map(asUint8)));
  const expected = json.weightsManifest.reduce((n, group) => n + groupByteLength(group, where), 0);
  if (all.byteLength < expected) throw new TruncatedWeightsError('(weight data in memory)', expected, all.byteLength);
  return buildLayersModel(json, all.slice(0, expected).buffer, where);
}
