/**
 * Bad input through the CLI: each case exits non-zero with exactly one line on stderr, the line
 * says what is wrong, and no output file (not even a partial one) is left behind.
 */
import { copyFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpuBackend } from '@nrm/backend-cpu';
import { writeNpy } from '@nrm/core';
import { loadFixtureCase } from '@nrm/testkit';
import { decodePng } from '@nrm/viz';
import { runCli } from './main.js';

const work = mkdtempSync(join(tmpdir(), 'nrm-cli-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
beforeAll(() => cpuBackend.setup());
const mlp = loadFixtureCase('mlp');

async function run(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { stdout: (l) => out.push(l), stderr: (l) => err.push(l) });
  return { code, out, err };
}

function explainArgs(overrides: Record<string, string | undefined>, dir: string): string[] {
  const base: Record<string, string | undefined> = {
    model: mlp.modelPath,
    input: mlp.inputPath,
    composite: 'epsilon',
    target: 'logits:3',
    backend: 'cpu',
    out: join(dir, 'r.npy'),
    ...overrides,
  };
  return ['explain', ...Object.entries(base).flatMap(([k, v]) => (v === undefined ? [] : [`--${k}`, v]))];
}

async function expectFailure(name: string, overrides: Record<string, string | undefined>, pattern: RegExp, code = 1) {
  const dir = join(work, name);
  const result = await run([...explainArgs(overrides, dir), '--record', 'dense1', '--record-dir', join(dir, 'layers'), '--png', join(dir, 'r.png')]);
  expect(result.code, result.err.join('\n')).toBe(code);
  expect(result.err).toHaveLength(1);
  expect(result.err[0]).toMatch(pattern);
  expect(result.err[0]).not.toContain('\n');
  expect(existsSync(dir), `${dir} must not exist`).toBe(false);
}

async function saveModel(model: tfl.LayersModel, dir: string): Promise<string> {
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const { mkdirSync } = await import('node:fs');
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'weights.bin'), new Uint8Array(artifacts.weightData as ArrayBuffer));
      writeFileSync(
        join(dir, 'model.json'),
        JSON.stringify({ modelTopology: artifacts.modelTopology, format: 'layers-model', weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }] }),
      );
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  return join(dir, 'model.json');
}

describe('nrm explain on bad input', () => {
  it('an unsupported layer: names the layer, its class and the supported list', async () => {
    const model = tfl.sequential({ layers: [tfl.layers.dense({ units: 4, inputShape: [20], name: 'dense_a' }), tfl.layers.layerNormalization({ name: 'norm_a' })] });
    const modelPath = await saveModel(model, join(work, 'models', 'unsupported'));
    model.dispose();
    await expectFailure('unsupported', { model: modelPath, target: 'norm_a:0' }, /Layer 'norm_a' of class LayerNormalization is not supported.*supported classes: .*Conv2D/);
  });
  it('an input of the wrong shape: both shapes', async () => {
    const path = join(work, 'wrong-shape.npy');
    writeFileSync(path, writeNpy({ shape: [2, 21], data: new Float32Array(42) }));
    await expectFailure('shape', { input: path }, /The input has shape \[2, 21\] but \[N, 20\] is expected/);
  });
  it('NaN or Inf in the input', async () => {
    const path = join(work, 'nan.npy');
    const data = new Float32Array(40);
    data[7] = Number.NaN;
    writeFileSync(path, writeNpy({ shape: [2, 20], data }));
    await expectFailure('nan', { input: path }, /contains 1 NaN\/Inf value\(s\) \(first at flat index 7\)/);
  });
  it('a target out of range, or on an unknown layer', async () => {
    await expectFailure('target', { target: 'logits:10' }, /Target index \[10\] \(sample 0\) is out of range for layer 'logits' with output shape \[10\]/);
    await expectFailure('target-layer', { target: 'nope:1' }, /Unknown layer 'nope'; the model has: .*dense1/);
  });
  it('an unknown composite: lists what is registered and which package provides it', async () => {
    await expectFailure('backend', { backend: 'webnn' }, /Unknown backend 'webnn'; registered: cpu, wasm, webgpu, tensorflow\./);
    // tfjs-node is an optional peer that cannot be installed here: a clear reason, no crash.
    await expectFailure('backend-node', { backend: 'tensorflow' }, /tensorflow.*(not installed|could not be loaded|failed to load)/i);
    await expectFailure('composite2', { composite: 'fancy' }, /Unknown composite 'fancy'; registered: .*epsilon-plus-flat.*relative\. No known package provides it/);
  });
  it('a missing or corrupt model.json, and truncated weights', async () => {
    await expectFailure('missing', { model: join(work, 'nowhere', 'model.json') }, /nowhere\/model\.json/);
    const corrupt = join(work, 'models', 'corrupt');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(corrupt, { recursive: true });
    writeFileSync(join(corrupt, 'model.json'), '{"modelTopology": {"class_name": "Sequ');
    await expectFailure('corrupt', { model: join(corrupt, 'model.json') }, /model\.json/);
    const truncated = join(work, 'models', 'truncated');
    mkdirSync(truncated);
    copyFileSync(mlp.modelPath, join(truncated, 'model.json'));
    copyFileSync(join(mlp.dir, 'weights.bin'), join(truncated, 'weights.bin'));
    truncateSync(join(truncated, 'weights.bin'), 100);
    await expectFailure('truncated', { model: join(truncated, 'model.json') }, /has 100 bytes but the manifest needs/);
  });
  it('a corrupt or missing input file', async () => {
    const path = join(work, 'garbage.npy');
    writeFileSync(path, 'not numpy');
    await expectFailure('garbage', { input: path }, /is not a \.npy file/);
    await expectFailure('no-input', { input: join(work, 'none.npy') }, /Cannot read input/);
  });
  it('a wrong command line: usage error, exit code 2', async () => {
    await expectFailure('usage', { out: undefined }, /explain needs --out/, 2);
    await expectFailure('usage2', { epsilon: 'abc' }, /--epsilon 'abc' is not a finite number/, 2);
    await expectFailure('usage3', { composite: 'epsilon-gamma-box' }, /needs the input bounds: --low <l> --high <h>/, 2);
    const r = await run(['explain', '--bogus']);
    expect(r.code).toBe(2);
    expect(r.err).toHaveLength(1);
  });
});

describe('nrm explain, happy path', () => {
  it('writes the relevance, the recorded layers and a heatmap PNG; records match the fixture', async () => {
    const fixture = loadFixtureCase('vgg_tiny');
    const dir = join(work, 'ok');
    const result = await run([
      'explain', '--model', fixture.modelPath, '--input', fixture.inputPath, '--composite', 'epsilon-gamma-box',
      '--low', '-1', '--high', '1', '--target', 'logits:7', '--backend', 'cpu', '--out', join(dir, 'r.npy'),
      '--record', 'conv2,dense1', '--record-dir', join(dir, 'layers'), '--png', join(dir, 'r.png'), '--cmap', 'coldnhot',
    ]);
    expect(result.err).toEqual([]);
    expect(result.code).toBe(0);
    expect(readdirSync(join(dir, 'layers')).sort()).toEqual(['conv2.npy', 'dense1.npy']);
    const png = decodePng(readFileSync(join(dir, 'r.png')));
    expect(png.width).toBe(png.height);
    expect(png.width).toBeGreaterThanOrEqual(16);
    expect(readdirSync(dir).filter((f) => f.includes('.tmp'))).toEqual([]);
  });
});
