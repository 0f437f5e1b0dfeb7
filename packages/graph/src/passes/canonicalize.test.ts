import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { layersModelToGraph } from '../adapter/tfjs-layers-adapter.js';
import { useCpuBackend } from '../testing/cpu-backend.js';
import { graphProblems } from '../testing/graph-checks.js';
import { snapshot } from '../testing/graphs.js';
import { relativeError, runGraph } from '../testing/run-graph.js';
import { canonicalize } from './canonicalize.js';

beforeAll(useCpuBackend);

function randomize(model: tfl.LayersModel): void {
  let seed = 11;
  for (const layer of model.layers) {
    const values = layer.weights.map((w) =>
      w.originalName.endsWith('moving_variance')
        ? tf.randomUniform(w.shape as number[], 0.5, 2, 'float32', seed++)
        : tf.randomUniform(w.shape as number[], -1, 1, 'float32', seed++),
    );
    layer.setWeights(values);
    tf.dispose(values);
  }
}

describe('canonicalize', () => {
  it('never folds a BN through a fused ReLU; folds through a Dropout; strips the softmax', () => {
    const x = tfl.input({ shape: [6, 6, 2], name: 'x' });
    let y = tfl.layers.conv2d({ name: 'c1', filters: 3, kernelSize: 3, padding: 'same', activation: 'relu' }).apply(x);
    y = tfl.layers.batchNormalization({ name: 'bn1' }).apply(y);
    y = tfl.layers.conv2d({ name: 'c2', filters: 3, kernelSize: 3 }).apply(y);
    y = tfl.layers.dropout({ name: 'drop', rate: 0.3 }).apply(y);
    y = tfl.layers.batchNormalization({ name: 'bn2' }).apply(y);
    y = tfl.layers.activation({ name: 'act', activation: 'linear' }).apply(y);
    y = tfl.layers.flatten({ name: 'flat' }).apply(y);
    y = tfl.layers.dense({ name: 'fc', units: 4, activation: 'softmax' }).apply(y);
    const model = tfl.model({ inputs: x, outputs: y as tfl.SymbolicTensor });
    randomize(model);

    const raw = layersModelToGraph(model);
    const before = snapshot(raw);
    const graph = canonicalize(raw);
    expect(raw).toEqual(before);
    expect(graphProblems(graph)).toEqual([]);
    expect(graph.nodes.map((n) => `${n.id}:${n.op}:${n.inputs.join('+')}`)).toEqual([
      'x:input:',
      'c1/preact:conv2d:x',
      'c1:relu:c1/preact',
      'bn1:batchNorm:c1',
      'c2:conv2d:bn1',
      'flat:flatten:c2',
      'fc:dense:flat',
    ]);
    expect(graph.layers).toEqual({ x: 'x', c1: 'c1', bn1: 'bn1', c2: 'c2', drop: 'c2', bn2: 'c2', act: 'c2', flat: 'flat', fc: 'fc' });
    expect(graph.outputs).toEqual(['fc']);
    expect(graph.warnings).toEqual(["Final softmax of layer 'fc' stripped: explaining logits"]);

    // The canonical graph computes the model's logits (the unfolded BN as x·kernel + bias).
    const input = tf.randomUniform([2, 6, 6, 2], -1, 1, 'float32', 3);
    const logits = runGraph(graph, input).get('fc')!;
    expect(relativeError(tf.softmax(logits), model.predict(input) as tf.Tensor)).toBeLessThan(1e-5);
  });
});
