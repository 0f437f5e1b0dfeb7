import type { Graph } from '@nrm/core';
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { layersModelToGraph } from './adapter/tfjs-layers-adapter.js';
import { graphFromLayersModel, loadGraph } from './load-graph.js';
import { loadLayersModelFromFiles } from './load-model-files.js';
import { useCpuBackend } from './testing/cpu-backend.js';
import { FIXTURE_CASES, fixturePath, readExpected, readNpy, type FixtureCase } from './testing/fixtures.js';
import { graphProblems } from './testing/graph-checks.js';
import { relativeError, runGraph } from './testing/run-graph.js';

beforeAll(useCpuBackend);

describe.each(FIXTURE_CASES)('fixture %s', (name: FixtureCase) => {
  let model: LayersModel;
  let graph: Graph;
  beforeAll(async () => {
    model = await loadLayersModelFromFiles(fixturePath(name, 'model.json'));
    graph = graphFromLayersModel(model);
  });
  afterAll(() => model.dispose());

  it('translates to a well-formed canonical graph', () => {
    expect(graphProblems(graph)).toEqual([]);
    expect(graph.nodes[0]?.op).toBe('input');
    for (const node of graph.nodes) {
      expect(node.activation, node.id).toBeUndefined();
      expect(['dropout', 'identity', 'softmax', 'batchNorm']).not.toContain(node.op);
    }
    expect(graph.warnings).toEqual([]);
  });

  it('maps every expected.json layer to a node with its output shape', () => {
    for (const layer of readExpected(name).layers) {
      const id = graph.layers[layer.name];
      expect(id, layer.name).toBeDefined();
      const node = graph.nodes.find((n) => n.id === id);
      expect(node?.outputShape, layer.name).toEqual(layer.output_shape);
    }
  });

  it('computes what model.predict computes, and the stored logits', () => {
    const input = readNpy(fixturePath(name, 'input.npy'));
    const x = tf.tensor(input.data, input.shape);
    const expected = model.predict(x) as tf.Tensor;
    const out = runGraph(graph, x).get(graph.outputs[0] ?? '');
    expect(out).toBeDefined();
    expect(relativeError(out!, expected)).toBeLessThan(1e-5);
    const logits = readExpected(name).logits;
    if (logits) expect(relativeError(out!, tf.tensor(logits.flat(), out!.shape))).toBeLessThan(1e-4);
  });

  it('loadGraph gives the same graph and disposes the model', async () => {
    const before = tf.memory().numTensors;
    const loaded = await loadGraph(fixturePath(name, 'model.json'));
    expect(tf.memory().numTensors).toBe(before);
    expect(loaded.nodes.map((n) => n.id)).toEqual(graph.nodes.map((n) => n.id));
    expect(loaded.layers).toEqual(graph.layers);
  });

  it('keeps Keras layer order in the raw graph', () => {
    const raw = layersModelToGraph(model);
    const names = readExpected(name).layers.map((l) => l.name);
    expect(raw.nodes.slice(1).map((n) => n.id)).toEqual(names);
  });
});

describe('fixture topology', () => {
  it('resnet_tiny: BN folded into the convs, block_add reads [stem_relu, folded block_bn2]', async () => {
    const graph = await loadGraph(fixturePath('resnet_tiny', 'model.json'));
    expect(graph.nodes.map((n) => `${n.id}:${n.op}`)).toEqual([
      'input_image:input',
      'stem_conv:conv2d',
      'stem_relu:relu',
      'block_conv1:conv2d',
      'block_relu1:relu',
      'block_conv2:conv2d',
      'block_add:add',
      'block_relu2:relu',
      'gap:globalAvgPool2d',
      'logits:dense',
    ]);
    const add = graph.nodes.find((n) => n.id === 'block_add');
    expect(add?.inputs).toEqual(['stem_relu', 'block_conv2']);
    expect(graph.layers['block_bn2']).toBe('block_conv2');
    expect(graph.layers['stem_bn']).toBe('stem_conv');
    expect(graph.layers['stem_conv']).toBe('stem_conv');
    expect(graph.layers['input_image']).toBe('input_image');
    expect(graph.outputs).toEqual(['logits']);
    // stem_conv has no bias in Keras; folding gives it one.
    expect(graph.nodes.find((n) => n.id === 'stem_conv')?.params?.bias?.shape).toEqual([8]);
  });

  it('resnet50_narrow: Add inputs in Keras order, ZeroPadding2D and overlapping pool kept', async () => {
    const graph = await loadGraph(fixturePath('resnet50_narrow', 'model.json'));
    const byId = new Map(graph.nodes.map((n) => [n.id, n]));
    expect(byId.get('conv2_block1_add')?.inputs).toEqual(['conv2_block1_0_conv', 'conv2_block1_3_conv']);
    expect(byId.get('conv2_block2_add')?.inputs).toEqual(['conv2_block1_out', 'conv2_block2_3_conv']);
    expect(byId.get('conv1_pad')).toMatchObject({ op: 'zeroPadding2d', attrs: { padding: [[3, 3], [3, 3]] }, outputShape: [70, 70, 3] });
    expect(byId.get('conv1_conv')).toMatchObject({ op: 'conv2d', attrs: { strides: [2, 2], padding: 'valid' }, inputs: ['conv1_pad'] });
    expect(byId.get('pool1_pool')).toMatchObject({ op: 'maxPool2d', attrs: { poolSize: [3, 3], strides: [2, 2], padding: 'valid' } });
    expect(graph.nodes.filter((n) => n.op === 'conv2d')).toHaveLength(15);
    expect(graph.layers['conv3_block1_3_bn']).toBe('conv3_block1_3_conv');
    expect(graph.layers['conv3_block1_add']).toBe('conv3_block1_add');
  });

  it('mlp and vgg16_narrow: fused ReLUs split into <layer>/preact → <layer>', async () => {
    const mlp = await loadGraph(fixturePath('mlp', 'model.json'));
    expect(mlp.nodes.map((n) => `${n.id}:${n.op}:${n.inputs.join('+')}`)).toEqual([
      'dense1_input:input:',
      'dense1/preact:dense:dense1_input',
      'dense1:relu:dense1/preact',
      'dense2/preact:dense:dense1',
      'dense2:relu:dense2/preact',
      'logits:dense:dense2',
    ]);
    const vgg = await loadGraph(fixturePath('vgg16_narrow', 'model.json'));
    expect(vgg.nodes.find((n) => n.id === 'block1_pool')?.inputs).toEqual(['block1_conv2']);
    expect(vgg.nodes.find((n) => n.id === 'block1_conv2')?.inputs).toEqual(['block1_conv2/preact']);
    expect(vgg.layers['predictions']).toBe('predictions');
  });

  it('autoencoder_tiny: Conv2DTranspose with kernel [kh, kw, out, in]', async () => {
    const graph = await loadGraph(fixturePath('autoencoder_tiny', 'model.json'));
    const dec1 = graph.nodes.find((n) => n.id === 'dec1/preact');
    expect(dec1).toMatchObject({ op: 'conv2dTranspose', attrs: { strides: [2, 2], padding: 'valid' }, outputShape: [8, 8, 8] });
    expect(dec1?.params?.kernel.shape).toEqual([2, 2, 8, 16]);
    expect(graph.outputs).toEqual(['dec2']);
  });
});
