import { ModelLoadError, TruncatedWeightsError } from '@nrm/core';
import * as tf from '@tensorflow/tfjs-core';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadLayersModelFromFiles } from './load-model-files.js';
import { loadLayersModelFromMemory } from './load-model-memory.js';
import { weightByteLength } from './model-json.js';
import { useCpuBackend } from './testing/cpu-backend.js';
import { fixturePath } from './testing/fixtures.js';

beforeAll(useCpuBackend);

const mlpJson = fixturePath('mlp', 'model.json');
const mlpWeights = fixturePath('mlp', 'weights.bin');
const mlpText = readFileSync(mlpJson, 'utf8');
/** 20·32 + 32 + 32·16 + 16 + 16·10 + 10 floats. */
const MLP_BYTES = (20 * 32 + 32 + 32 * 16 + 16 + 16 * 10 + 10) * 4;

const dir = mkdtempSync(join(tmpdir(), 'nrm-graph-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
/** Writes a model.json (and optionally weights.bin bytes) into a fresh temp folder; returns the model.json path. */
function writeModel(json: string, weights?: Uint8Array): string {
  const folder = mkdtempSync(join(dir, 'm'));
  writeFileSync(join(folder, 'model.json'), json);
  if (weights) writeFileSync(join(folder, 'weights.bin'), weights);
  return join(folder, 'model.json');
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

describe('loadLayersModelFromFiles', () => {
  it('loads a fixture from a path and from a file URL', async () => {
    const model = await loadLayersModelFromFiles(mlpJson);
    expect(model.layers.map((l) => l.name)).toEqual(['dense1', 'dense2', 'logits']);
    const first = model.layers[0]!.getWeights()[0]!.dataSync()[0];
    const bytes = readFileSync(mlpWeights);
    expect(first).toBe(bytes.readFloatLE(0));
    model.dispose();
    const again = await loadLayersModelFromFiles(pathToFileURL(mlpJson));
    expect(again.outputs[0]!.shape).toEqual([null, 10]);
    again.dispose();
  });

  it('missing model.json → ModelLoadError naming the path', async () => {
    const path = join(dir, 'nowhere', 'model.json');
    const error = await rejection(loadLayersModelFromFiles(path));
    expect(error).toBeInstanceOf(ModelLoadError);
    expect(error.message).toBe(`Cannot read model.json '${path}': file not found.`);
    expect((error as ModelLoadError).code).toBe('MODEL_LOAD');
  });

  it('corrupt JSON → ModelLoadError saying it is not JSON', async () => {
    const path = writeModel(mlpText.slice(0, 200));
    const error = await rejection(loadLayersModelFromFiles(path));
    expect(error).toBeInstanceOf(ModelLoadError);
    expect(error.message).toMatch(new RegExp(`^'${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}' is not valid JSON`));
    expect(error.cause).toBeInstanceOf(SyntaxError);
  });

  it('JSON that is not a layers-model → ModelLoadError saying what is wrong', async () => {
    const cases: [string, RegExp][] = [
      ['[1, 2]', /is not a JSON object/],
      [JSON.stringify({ format: 'graph-model', modelTopology: {} }), /is a tfjs graph-model, not a layers-model/],
      [JSON.stringify({ format: 'layers-model', weightsManifest: [] }), /has no modelTopology/],
      [JSON.stringify({ modelTopology: {}, weightsManifest: {} }), /invalid weightsManifest: it is not an array/],
      [JSON.stringify({ modelTopology: {}, weightsManifest: [{ paths: ['w.bin'], weights: [{ name: 'k' }] }] }), /weight 0 of group 0 needs/],
    ];
    for (const [json, message] of cases) {
      const error = await rejection(loadLayersModelFromFiles(writeModel(json)));
      expect(error).toBeInstanceOf(ModelLoadError);
      expect(error.message).toMatch(message);
    }
  });

  it('missing weight file → ModelLoadError naming it', async () => {
    const path = writeModel(mlpText);
    const error = await rejection(loadLayersModelFromFiles(path));
    expect(error).toBeInstanceOf(ModelLoadError);
    expect(error.message).toBe(`Cannot read weight file (listed in '${path}') '${join(path, '..', 'weights.bin')}': file not found.`);
  });

  it('truncated weights.bin → TruncatedWeightsError with both byte counts', async () => {
    const bytes = readFileSync(mlpWeights);
    expect(bytes.byteLength).toBe(MLP_BYTES);
    const path = writeModel(mlpText, bytes.subarray(0, MLP_BYTES - 4));
    const error = await rejection(loadLayersModelFromFiles(path));
    expect(error).toBeInstanceOf(TruncatedWeightsError);
    expect(error).toMatchObject({
      code: 'TRUNCATED_WEIGHTS',
      file: join(path, '..', 'weights.bin'),
      expectedBytes: MLP_BYTES,
      actualBytes: MLP_BYTES - 4,
    });
  });

  it('a copy with its weights next to it loads', async () => {
    const path = writeModel(mlpText);
    copyFileSync(mlpWeights, join(path, '..', 'weights.bin'));
    const model = await loadLayersModelFromFiles(path);
    expect(model.layers).toHaveLength(3);
    model.dispose();
  });

  it('a topology tfjs cannot build → ModelLoadError with the tfjs error as cause', async () => {
    const json = JSON.stringify({
      format: 'layers-model',
      modelTopology: { class_name: 'Sequential', config: { name: 's', layers: [{ class_name: 'NoSuchLayer', config: {} }] } },
      weightsManifest: [],
    });
    const error = await rejection(loadLayersModelFromFiles(writeModel(json)));
    expect(error).toBeInstanceOf(ModelLoadError);
    expect(error.message).toMatch(/tfjs could not build the layers-model of '.*model\.json': .*NoSuchLayer/);
    expect(error.cause).toBeInstanceOf(Error);
  });
});

describe('loadLayersModelFromMemory', () => {
  const bytes = readFileSync(mlpWeights);

  it('loads from text + bytes and from an object + a list of parts', async () => {
    const x = tf.ones([1, 20]);
    const a = await loadLayersModelFromMemory(mlpText, bytes);
    const b = await loadLayersModelFromMemory(JSON.parse(mlpText) as object, [bytes.subarray(0, 100), bytes.subarray(100)]);
    expect((b.predict(x) as tf.Tensor).arraySync()).toEqual((a.predict(x) as tf.Tensor).arraySync());
    a.dispose();
    b.dispose();
  });

  it('short weight data → TruncatedWeightsError', async () => {
    const error = await rejection(loadLayersModelFromMemory(mlpText, bytes.subarray(0, 10)));
    expect(error).toBeInstanceOf(TruncatedWeightsError);
    expect(error).toMatchObject({ expectedBytes: MLP_BYTES, actualBytes: 10 });
  });

  it('corrupt JSON → ModelLoadError', async () => {
    await expect(loadLayersModelFromMemory('{', bytes)).rejects.toThrow(ModelLoadError);
  });
});

describe('weightByteLength', () => {
  it('counts bytes per dtype and per quantization dtype', () => {
    expect(weightByteLength({ name: 'a', shape: [2, 3], dtype: 'float32' }, 'm')).toBe(24);
    expect(weightByteLength({ name: 'a', shape: [2, 3], dtype: 'int32' }, 'm')).toBe(24);
    expect(weightByteLength({ name: 'a', shape: [5], dtype: 'bool' }, 'm')).toBe(5);
    expect(weightByteLength({ name: 'a', shape: [], dtype: 'float32' }, 'm')).toBe(4);
    expect(weightByteLength({ name: 'a', shape: [2, 3], dtype: 'float32', quantization: { dtype: 'uint8' } }, 'm')).toBe(6);
    expect(weightByteLength({ name: 'a', shape: [2, 3], dtype: 'float32', quantization: { dtype: 'float16' } }, 'm')).toBe(12);
    expect(() => weightByteLength({ name: 'a', shape: [1], dtype: 'string' }, 'm')).toThrow(ModelLoadError);
  });
});
