/**
 * One functional model that uses every supported Keras layer class, translated by the adapter and
 * run by the engine: the forward equals tfjs-layers' own, the `gradient` composite equals tf.grad of
 * the model (so every op's backward is right), and LRP-ε conserves the seed on a bias-free copy.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { cpuBackend } from '@nrm/backend-cpu';
import { wasmBackend } from '@nrm/backend-wasm';
import { createExplainer } from '@nrm/core';
import { graphFromLayersModel } from '@nrm/graph';
import { maxRelativeError } from '@nrm/testkit';
import { defaultRegistry } from './default-registry.js';

function buildModel(): { model: tfl.LayersModel; logitsModel: tfl.LayersModel } {
  const input = tfl.input({ shape: [12, 12, 3], name: 'image' });
  const padded = tfl.layers.zeroPadding2d({ padding: 1, name: 'pad' }).apply(input) as tfl.SymbolicTensor;
  const c1 = tfl.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'valid', activation: 'relu', name: 'c1', kernelInitializer: tfl.initializers.glorotUniform({ seed: 1 }) }).apply(padded) as tfl.SymbolicTensor;
  const bn = tfl.layers.batchNormalization({ name: 'bn' }).apply(c1) as tfl.SymbolicTensor;
  const dw = tfl.layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, padding: 'same', activation: 'relu', name: 'dw', depthwiseInitializer: tfl.initializers.glorotUniform({ seed: 2 }) }).apply(bn) as tfl.SymbolicTensor;
  const avg = tfl.layers.averagePooling2d({ poolSize: 2, name: 'avg' }).apply(dw) as tfl.SymbolicTensor;
  const side = tfl.layers.conv2d({ filters: 8, kernelSize: 2, strides: 2, name: 'side', kernelInitializer: tfl.initializers.glorotUniform({ seed: 3 }) }).apply(c1) as tfl.SymbolicTensor;
  const sum = tfl.layers.add({ name: 'sum' }).apply([avg, side]) as tfl.SymbolicTensor;
  const up = tfl.layers.conv2dTranspose({ filters: 4, kernelSize: 2, strides: 2, name: 'up', kernelInitializer: tfl.initializers.glorotUniform({ seed: 4 }) }).apply(sum) as tfl.SymbolicTensor;
  const cat = tfl.layers.concatenate({ name: 'cat' }).apply([up, c1]) as tfl.SymbolicTensor;
  const mp = tfl.layers.maxPooling2d({ poolSize: 2, name: 'mp' }).apply(cat) as tfl.SymbolicTensor;
  const act = tfl.layers.activation({ activation: 'relu', name: 'act' }).apply(mp) as tfl.SymbolicTensor;
  const relu = tfl.layers.reLU({ name: 'relu' }).apply(act) as tfl.SymbolicTensor;
  const drop = tfl.layers.dropout({ rate: 0.5, name: 'drop' }).apply(relu) as tfl.SymbolicTensor;
  const gap = tfl.layers.globalAveragePooling2d({ name: 'gap' }).apply(drop) as tfl.SymbolicTensor;
  const gmp = tfl.layers.globalMaxPooling2d({ name: 'gmp' }).apply(drop) as tfl.SymbolicTensor;
  const pooled = tfl.layers.concatenate({ name: 'pooled' }).apply([gap, gmp]) as tfl.SymbolicTensor;
  const grid = tfl.layers.reshape({ targetShape: [4, 4, 1], name: 'grid' }).apply(pooled) as tfl.SymbolicTensor;
  const big = tfl.layers.upSampling2d({ size: [2, 2], name: 'big' }).apply(grid) as tfl.SymbolicTensor;
  const flat = tfl.layers.flatten({ name: 'flat' }).apply(big) as tfl.SymbolicTensor;
  const logits = tfl.layers.dense({ units: 5, name: 'logits', kernelInitializer: tfl.initializers.glorotUniform({ seed: 5 }) }).apply(flat) as tfl.SymbolicTensor;
  const probs = tfl.layers.activation({ activation: 'softmax', name: 'probs' }).apply(logits) as tfl.SymbolicTensor;
  const model = tfl.model({ inputs: input, outputs: probs });
  // Non-trivial BN statistics and biases.
  const weights = model.getWeights().map((w, i) => (w.rank === 1 ? tf.add(tf.mul(tf.randomUniform(w.shape, -0.3, 0.3, 'float32', 10 + i), 1), w.name.includes('variance') ? 1 : 0) : w));
  model.setWeights(weights);
  return { model, logitsModel: tfl.model({ inputs: input, outputs: logits }) };
}

function zeroBiases(model: tfl.LayersModel): void {
  model.setWeights(
    model.weights.map((w, i) => {
      const value = model.getWeights()[i]!;
      return /bias|beta|moving_mean/.test(w.originalName) ? tf.zerosLike(value) : value;
    }),
  );
}

for (const backend of [cpuBackend, wasmBackend]) {
  describe(`every supported layer class, on ${backend.id}`, () => {
    beforeAll(() => backend.setup());

    it('translates, runs the same forward, and has the gradient of tf.grad', async () => {
      const { model, logitsModel } = buildModel();
      const graph = graphFromLayersModel(model);
      expect(graph.warnings.join(' ')).toMatch(/softmax/i);
      const x = tf.randomUniform([2, 12, 12, 3], -1, 1, 'float32', 7);
      const theirs = logitsModel.predict(x) as tf.Tensor;
      const before = tf.memory().numTensors;
      const explainer = createExplainer({ graph, registry: defaultRegistry(), composite: 'gradient' });
      const ours = explainer.forward(x);
      expect(maxRelativeError(ours.dataSync(), theirs.dataSync())).toBeLessThan(1e-5);
      ours.dispose();
      const targets = [1, 3];
      const e = explainer.explain(x, { target: { layer: 'logits', indices: targets.map((t) => [t]) } });
      const relevance = e.input.dataSync().slice();
      e.dispose();
      explainer.dispose();
      expect(tf.memory().numTensors, 'tensors left by the explainer').toBe(before);
      // The reference: tf.grad of tfjs-layers' own model, one sample at a time on the cpu backend
      // (tfjs registers no depthwise input-gradient kernel on wasm, and its gradient of this model
      // is not consistent across batch sizes, while ours is).
      await tf.setBackend('cpu');
      const size = 12 * 12 * 3;
      targets.forEach((t, n) => {
        const reference = tf.tidy(() => {
          const xn = tf.slice(x, [n, 0, 0, 0], [1, 12, 12, 3]);
          const seed = tf.mul(tf.cast(tf.oneHot([t], 5), 'float32'), logitsModel.predict(xn) as tf.Tensor);
          return tf.grad((v: tf.Tensor) => tf.sum(tf.mul(logitsModel.apply(v) as tf.Tensor, seed)))(xn).dataSync();
        });
        expect(maxRelativeError(relevance.subarray(n * size, (n + 1) * size), reference)).toBeLessThan(1e-4);
      });
      await backend.setup();
      tf.dispose([x, theirs]);
      model.dispose();
    });

    it('LRP-ε conserves the seed through every layer when the biases are zero', () => {
      const { model, logitsModel } = buildModel();
      zeroBiases(model);
      const graph = graphFromLayersModel(model);
      const explainer = createExplainer({ graph, registry: defaultRegistry(), composite: 'epsilon', options: { epsilon: 1e-9 } });
      const x = tf.randomUniform([1, 12, 12, 3], -1, 1, 'float32', 8);
      // Layers that every path crosses (a cut of the graph): each holds the whole seed.
      const e = explainer.explain(x, { target: { layer: 'logits', indices: [[2]] }, record: ['pad', 'c1', 'cat', 'mp', 'relu', 'pooled', 'big', 'flat'] });
      const seedValue = (logitsModel.predict(x) as tf.Tensor).dataSync()[2]!;
      for (const t of [e.input, ...Object.values(e.layers)]) {
        expect(Math.abs(tf.sum(t).dataSync()[0]! - seedValue) / Math.abs(seedValue)).toBeLessThan(1e-3);
      }
      e.dispose();
      explainer.dispose();
      tf.dispose(x);
      model.dispose();
    });
  });
}
