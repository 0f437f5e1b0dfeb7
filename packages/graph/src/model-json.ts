/**
 * Validation of a tfjs layers-model `model.json` and of its weight bytes, shared by the file and
 * in-memory loaders. Works in browsers (no Node imports).
 */
import { ModelLoadError, TruncatedWeightsError } from '@nrm/core';
import type { io } from '@tensorflow/tfjs-core';

/** One group of a weights manifest: weight files (`paths`) holding the listed weights, in order. */
export type WeightsManifestGroup = io.WeightsManifestConfig[number];

/** A parsed, checked `model.json`: the topology and the weight manifest groups. */
export interface LayersModelJson {
  readonly modelTopology: object;
  readonly weightsManifest: readonly WeightsManifestGroup[];
}

/** Bytes per stored element of each weight dtype (and of each quantization dtype). */
const BYTES_PER_ELEMENT: Readonly<Record<string, number>> = {
  float32: 4,
  int32: 4,
  bool: 1,
  complex64: 8,
  uint8: 1,
  uint16: 2,
  float16: 2,
};

/** Bytes one weight takes in the weight data: elements × bytes of its (quantization) dtype. */
export function weightByteLength(spec: io.WeightsManifestEntry, where: string): number {
  const dtype = spec.quantization?.dtype ?? spec.dtype;
  const bytes = BYTES_PER_ELEMENT[dtype];
  if (bytes === undefined) {
    throw new ModelLoadError(`Weight '${spec.name}' in '${where}' has dtype '${dtype}', which NRM cannot read.`);
  }
  return spec.shape.reduce((n, d) => n * d, 1) * bytes;
}

/** Bytes a manifest group's weights take, in total. */
export function groupByteLength(group: WeightsManifestGroup, where: string): number {
  return group.weights.reduce((n, spec) => n + weightByteLength(spec, where), 0);
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function checkManifest(value: unknown, where: string): WeightsManifestGroup[] {
  if (value === undefined || value === null) return [];
  const bad = (what: string): never => {
    throw new ModelLoadError(`'${where}' has an invalid weightsManifest: ${what}.`);
  };
  if (!Array.isArray(value)) return bad('it is not an array');
  value.forEach((group: unknown, g) => {
    if (!isObject(group)) bad(`group ${g} is not an object`);
    const { paths, weights } = group as Record<string, unknown>;
    if (!Array.isArray(paths) || !paths.every((p) => typeof p === 'string')) bad(`group ${g} has no list of paths`);
    if (!Array.isArray(weights)) bad(`group ${g} has no list of weights`);
    (weights as unknown[]).forEach((spec, i) => {
      const ok =
        isObject(spec) &&
        typeof spec['name'] === 'string' &&
        typeof spec['dtype'] === 'string' &&
        Array.isArray(spec['shape']) &&
        spec['shape'].every((d) => Number.isInteger(d) && (d as number) >= 0);
      if (!ok) bad(`weight ${i} of group ${g} needs a name, a dtype and a shape`);
    });
  });
  return value as WeightsManifestGroup[];
}

/**
 * Parses (when given a string) and checks a `model.json`: it must be a JSON object with a
 * `modelTopology` and, if it says, the `layers-model` format. `where` names it in error messages.
 *
 * @throws ModelLoadError saying what is wrong.
 */
export function parseLayersModelJson(json: unknown, where: string): LayersModelJson {
  let value = json;
  if (typeof json === 'string') {
    try {
      value = JSON.parse(json);
    } catch (cause) {
      throw new ModelLoadError(
        `'${where}' is not valid JSON (${(cause as Error).message}); expected a tfjs layers-model model.json.`,
        { cause },
      );
    }
  }
  if (!isObject(value)) {
    throw new ModelLoadError(`'${where}' is not a JSON object; expected a tfjs layers-model model.json.`);
  }
  const format = value['format'];
  if (format !== undefined && format !== 'layers-model') {
    throw new ModelLoadError(
      `'${where}' is a tfjs ${String(format)}, not a layers-model; NRM needs a Keras/tfjs layers-model ` +
        '(tensorflowjs_converter --output_format=tfjs_layers_model).',
    );
  }
  const topology = value['modelTopology'];
  if (!isObject(topology)) {
    throw new ModelLoadError(`'${where}' has no modelTopology; it is not a tfjs layers-model model.json.`);
  }
  return { modelTopology: topology, weightsManifest: checkManifest(value['weightsManifest'], where) };
}

/**
 * Checks that `bytes` holds a group's weights and returns exactly those bytes.
 *
 * @throws TruncatedWeightsError when there are fewer bytes than the manifest needs.
 */
export function checkGroupBytes(
  group: WeightsManifestGroup,
  bytes: Uint8Array,
  file: string,
  where: string,
): Uint8Array {
  const expected = groupByteLength(group, where);
  if (bytes.byteLength < expected) throw new TruncatedWeightsError(file, expected, bytes.byteLength);
  return bytes.subarray(0, expected);
}

/** Concatenates byte arrays into one fresh `ArrayBuffer`. */
export function concatBytes(parts: readonly Uint8Array[]): ArrayBuffer {
  const total = parts.reduce((n, part) => n + part.byteLength, 0);
  const out = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.byteLength;
  }
  return out.buffer;
}
