/** Loading a layers-model from `model.json` and its weight files with `node:fs` (Node only). */
import { ModelLoadError } from '@nrm/core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { buildLayersModel } from './build-layers-model.js';
import { checkGroupBytes, concatBytes, parseLayersModelJson } from './model-json.js';

/** Reads a file, turning "not found" and other failures into a {@link ModelLoadError}. */
async function readFileOrThrow(path: string, what: string): Promise<Uint8Array> {
  const { readFile } = await import('node:fs/promises');
  try {
    return await readFile(path);
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'file not found' : (cause as Error).message;
    throw new ModelLoadError(`Cannot read ${what} '${path}': ${reason}.`, { cause });
  }
}

/**
 * Loads a tfjs layers-model from `model.json` and the weight files its manifest lists (paths
 * relative to the model.json), without tfjs-node. Needs a registered tfjs backend.
 * `modelJsonPath` may be a path or a `file:` URL.
 *
 * @throws ModelLoadError when model.json or a weight file is missing or unreadable, when
 *   model.json is not JSON or not a layers-model, or when tfjs cannot build the model.
 * @throws TruncatedWeightsError when a weight file is shorter than the manifest needs.
 */
export async function loadLayersModelFromFiles(modelJsonPath: string | URL): Promise<LayersModel> {
  const { fileURLToPath } = await import('node:url');
  const { dirname, resolve } = await import('node:path');
  const path =
    modelJsonPath instanceof URL || modelJsonPath.startsWith('file:') ? fileURLToPath(modelJsonPath) : modelJsonPath;
  const text = new TextDecoder().decode(await readFileOrThrow(path, 'model.json'));
  const json = parseLayersModelJson(text, path);
  const dir = dirname(resolve(path));
  const groups: Uint8Array[] = [];
  for (const group of json.weightsManifest) {
    const files = group.paths.map((p) => resolve(dir, p));
    const parts: Uint8Array[] = [];
    for (const file of files) parts.push(await readFileOrThrow(file, `weight file (listed in '${path}')`));
    groups.push(checkGroupBytes(group, new Uint8Array(concatBytes(parts)), files.join(' + '), path));
  }
  return buildLayersModel(json, concatBytes(groups), path);
}
