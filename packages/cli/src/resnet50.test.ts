/**
 * The reference topologies of `@nrm/graph` (Keras VGG16, Keras ResNet50, a conv autoencoder): they
 * carry Keras' layer names (checked against the `vgg16_narrow` / `resnet50_narrow` fixtures), and
 * the full ResNet50 at 224x224 translates, runs the forward of tfjs-layers and conserves LRP-ε
 * relevance through every residual block on the wasm backend.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { wasmBackend } from '@nrm/backend-wasm';
import { createExplainer } from '@nrm/core';
import { RECOMMENDED_COMPOSITES, buildConvAutoencoder, buildResNet50, buildVgg16, graphFromLayersModel } from '@nrm/graph';
import { maxRelativeError } from '@nrm/testkit';
import { defaultRegistry } from './default-registry.js';

interface FixtureLayer {
  name: string;
  class_name: string;
  inbound?: string[];
  output_shape: number[];
}

function fixtureLayers(name: string): FixtureLayer[] {
  const path = fileURLToPath(new URL(`../../testkit/fixtures/${name}/expected.json`, import.meta.url));
  return (JSON.parse(readFileSync(path, 'utf8')) as { layers: FixtureLayer[] }).layers;
}

interface LayerInfo {
  name: string;
  className: string;
  inbound: string[];
  outputShape: number[];
}

function layerInfo(model: tfl.LayersModel): LayerInfo[] {
  return model.layers
    .filter((l) => l.getClassName() !== 'InputLayer')
    .map((l) => ({
      name: l.name,
      className: l.getClassName(),
      inbound: l.inboundNodes[0]!.inboundLayers.map((i) => i.name),
      outputShape: (l.outputShape as (number | null)[]).slice(1) as number[],
    }));
}

/** Σ t, without leaving a tensor behind. */
function sumOf(t: tf.Tensor): number {
  return tf.tidy(() => tf.sum(t).dataSync()[0]!);
}

/** Keras ResNet50's block names: stage → number of blocks. */
const RESNET50_BLOCKS: [string, number][] = [
  ['conv2', 3],
  ['conv3', 4],
  ['conv4', 6],
  ['conv5', 3],
];

describe('reference topologies (Keras names)', () => {
  beforeAll(() => wasmBackend.setup());

  it('VGG16 ÷ 8 at 64 px has exactly the layers of the vgg16_narrow fixture', () => {
    const model = buildVgg16({ size: 64, classes: 10, widthDivisor: 8, fcUnits: 128 });
    const ours = layerInfo(model);
    const theirs = fixtureLayers('vgg16_narrow');
    expect(ours.map((l) => l.name)).toEqual(theirs.map((l) => l.name));
    expect(ours.map((l) => l.className)).toEqual(theirs.map((l) => l.class_name));
    expect(ours.map((l) => l.outputShape)).toEqual(theirs.map((l) => l.output_shape));
    expect(model.inputs[0]!.name.startsWith('input_1')).toBe(true);
    model.dispose();
  });

  it('ResNet50 ÷ 8 at 64 px (stages conv2, conv3 with 2 blocks) has the layers of the resnet50_narrow fixture', () => {
    const model = buildResNet50({ size: 64, classes: 10, widthDivisor: 8, blocks: [2, 2] });
    const ours = new Map(layerInfo(model).map((l) => [l.name, l]));
    const theirs = fixtureLayers('resnet50_narrow');
    expect([...ours.keys()].sort()).toEqual(theirs.map((l) => l.name).sort());
    for (const t of theirs) {
      const o = ours.get(t.name)!;
      expect(o.className, t.name).toBe(t.class_name);
      expect(o.outputShape, t.name).toEqual(t.output_shape);
      expect(o.inbound, t.name).toEqual(t.inbound!.map((i) => (i === 'input_1' ? o.inbound[0] : i)));
    }
    const bn = model.getLayer('conv1_bn').getConfig() as { epsilon: number };
    expect(bn.epsilon).toBeCloseTo(1.001e-5, 12);
    model.dispose();
  });

  it('the full ResNet50 has Keras’ 177 layers and naming pattern', () => {
    const model = buildResNet50({ size: 64 });
    const names = model.layers.map((l) => l.name);
    expect(names.length).toBe(177);
    const expected = ['input_1', 'conv1_pad', 'conv1_conv', 'conv1_bn', 'conv1_relu', 'pool1_pad', 'pool1_pool'];
    for (const [stage, count] of RESNET50_BLOCKS) {
      for (let b = 1; b <= count; b++) {
        const p = `${stage}_block${b}`;
        if (b === 1) expected.push(`${p}_0_conv`, `${p}_0_bn`);
        expected.push(`${p}_1_conv`, `${p}_1_bn`, `${p}_1_relu`, `${p}_2_conv`, `${p}_2_bn`, `${p}_2_relu`, `${p}_3_conv`, `${p}_3_bn`, `${p}_add`, `${p}_out`);
      }
    }
    expected.push('avg_pool', 'predictions');
    expect([...names].sort()).toEqual([...expected].sort());
    expect(model.countParams()).toBe(25_636_712); // Keras ResNet50, include_top
    expect((model.outputs[0]!.shape as number[])[1]).toBe(1000);
    model.dispose();
  });

  it('recommends a composite per topology', () => {
    expect(RECOMMENDED_COMPOSITES).toEqual({ vgg16: 'epsilon-gamma-box', resnet50: 'epsilon-plus-flat', autoencoder: 'epsilon' });
    const ids = defaultRegistry().compositeIds();
    for (const id of Object.values(RECOMMENDED_COMPOSITES)) expect(ids).toContain(id);
  });
});

describe('ResNet50 at 224x224 on wasm', () => {
  beforeAll(() => wasmBackend.setup());

  it('translates, matches model.predict, and LRP-ε conserves the seed through every residual block', () => {
    const model = buildResNet50({ size: 224, seed: 3, zeroBiases: true });
    const graph = graphFromLayersModel(model);
    const x = tf.randomUniform([1, 224, 224, 3], -1, 1, 'float32', 11);
    const theirs = (model.predict(x) as tf.Tensor).dataSync().slice();
    const target = theirs.indexOf(Math.max(...theirs));
    const seedValue = theirs[target]!;

    const before = tf.memory().numTensors;
    const explainer = createExplainer({ graph, registry: defaultRegistry(), composite: 'epsilon', options: { epsilon: 1e-9 } });
    const out = explainer.forward(x);
    expect(maxRelativeError(out.dataSync(), theirs)).toBeLessThan(1e-4);
    out.dispose();

    const record = ['conv1_relu', 'pool1_pool', 'avg_pool'];
    for (const [stage, count] of RESNET50_BLOCKS) for (let b = 1; b <= count; b++) record.push(`${stage}_block${b}_add`, `${stage}_block${b}_out`);
    const e = explainer.explain(x, { target: { layer: 'predictions', indices: [[target]] }, record });
    const recorded = Object.keys(e.layers);
    for (const name of record) expect(recorded, name).toContain(name);
    expect(recorded.filter((n) => /^conv\d_block\d_out$/.test(n))).toHaveLength(16);
    const sums: Record<string, number> = { input: sumOf(e.input) };
    for (const [name, t] of Object.entries(e.layers)) sums[name] = sumOf(t as tf.Tensor);
    for (const [name, s] of Object.entries(sums)) {
      expect(Math.abs(s - seedValue) / Math.abs(seedValue), `${name}: ${s} vs seed ${seedValue}`).toBeLessThan(1e-3);
    }
    e.dispose();
    explainer.dispose();
    expect(tf.memory().numTensors, 'tensors left by the explainer').toBe(before);
    tf.dispose(x);
    model.dispose();
  });
});

describe('conv autoencoder on wasm', () => {
  beforeAll(() => wasmBackend.setup());

  it('builds, translates and explains a latent unit', () => {
    const model = buildConvAutoencoder({ zeroBiases: true });
    expect(model.layers.map((l) => l.name)).toEqual(['input', 'enc1', 'enc2', 'latent', 'dec1', 'dec2', 'reconstruction']);
    expect(model.outputs[0]!.shape).toEqual([null, 28, 28, 1]);
    const graph = graphFromLayersModel(model);
    const x = tf.randomUniform([1, 28, 28, 1], 0, 1, 'float32', 5);
    const before = tf.memory().numTensors;
    const explainer = createExplainer({ graph, registry: defaultRegistry(), composite: 'epsilon', options: { epsilon: 1e-9 } });
    const out = explainer.forward(x);
    const theirs = model.predict(x) as tf.Tensor;
    expect(maxRelativeError(out.dataSync(), theirs.dataSync())).toBeLessThan(1e-4);
    tf.dispose([out, theirs]);

    const latentModel = tfl.model({ inputs: model.inputs, outputs: model.getLayer('latent').output as tfl.SymbolicTensor });
    const code = latentModel.predict(x) as tf.Tensor;
    expect(code.shape).toEqual([1, 7, 7, 8]);
    const seedValue = (code.arraySync() as number[][][][])[0]![3]![2]![5]!;
    code.dispose();
    const e = explainer.explain(x, { target: { layer: 'latent', indices: [[3, 2, 5]] } });
    expect(e.input.shape).toEqual([1, 28, 28, 1]);
    const sum = sumOf(e.input);
    expect(Math.abs(sum - seedValue) / Math.abs(seedValue)).toBeLessThan(1e-3);
    e.dispose();
    explainer.dispose();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose(x);
    model.dispose();
  });
});
