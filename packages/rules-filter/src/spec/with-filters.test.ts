/** withFilters: grouping per layer, composition order, layer resolution against a graph. */
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpuBackend } from '@nrm/backend-cpu';
import { InvalidArgumentError, UnknownLayerError, type Graph } from '@nrm/core';
import { loadGraph, PREACTIVATION_SUFFIX } from '@nrm/graph';
import { loadFixtureCase } from '@nrm/testkit';
import { amplifyFilter, clampFilter, resolveFilterLayer, withFilters } from '../index.js';

let start = 0;
let graph: Graph;
beforeAll(async () => {
  await cpuBackend.setup();
  graph = await loadGraph(loadFixtureCase('vgg_tiny').modelPath);
  start = tf.memory().numTensors;
});
afterAll(() => expect(tf.memory().numTensors).toBe(start));

const R = [[2, -4, 0.4, 0, -1, 3]];

function read(transform: (r: tf.Tensor) => tf.Tensor): number[] {
  const input = tf.tensor(R);
  const output = transform(input);
  const data = Array.from(output.dataSync());
  tf.dispose([input, output]);
  return data;
}

describe('withFilters', () => {
  it('gives one transform per layer, in order of first mention, from strings and objects', () => {
    const out = withFilters(['clamp:0,0.2@conv3,conv2', { op: 'amplify', a1: 0.5, a2: 2, layers: ['dense1'] }, 'pass:0,1@conv2']);
    expect(out.map((o) => o.layer)).toEqual(['conv3', 'conv2', 'dense1']);
  });

  it('composes several specs on one layer in the order given', () => {
    const [passThenAmplify] = withFilters(['pass:0,0.6@conv3', 'amplify:0.5,2@conv3']);
    const [amplifyThenPass] = withFilters(['amplify:0.5,2@conv3', 'pass:0,0.6@conv3']);
    // r = [0.5, −1, 0.1, 0, −0.25, 0.75], m = 4.
    // pass → [2, 0, 0.4, 0, −1, 0] (new m = 2); amplify doubles |R| ≥ 1.
    expect(read(passThenAmplify!.transform)).toEqual([4, 0, 0.4, 0, -2, 0].map(Math.fround));
    // amplify → [4, −8, 0.4, 0, −1, 6] (new m = 8); pass keeps |R| ≤ 4.8.
    expect(read(amplifyThenPass!.transform)).toEqual([4, 0, 0.4, 0, -1, 0].map(Math.fround));
    // clamp → [2, −2.4, 0.4, 0, −1, 2.4] (m = 2.4); amplify doubles |R| ≥ 1.2 → m = 4.8; pass keeps |R| ≤ 2.4.
    const [three] = withFilters(['clamp:0,0.6@c', 'amplify:0.5,2@c', 'pass:0,0.5@c']);
    expect(read(three!.transform)).toEqual([0, 0, 0.4, 0, -1, 0].map(Math.fround));
  });

  it('a single spec per layer is the filter itself', () => {
    const [only] = withFilters(['clamp:0,0.05@conv3']);
    expect(read(only!.transform)).toEqual(read(clampFilter(0, 0.05)));
    expect(read(withFilters(['amplify:0.5,2@x'])[0]!.transform)).toEqual(read(amplifyFilter(0.5, 2)));
  });

  it('rejects bad specs and layer-less objects', () => {
    expect(() => withFilters(['clamp:0,0.2'])).toThrow(InvalidArgumentError);
    expect(() => withFilters([{ op: 'pass', a1: 0, a2: 1, layers: [] }])).toThrow(/names no layers/);
    expect(() => withFilters([{ op: 'pass', a1: 1, a2: 0, layers: ['c'] }])).toThrow(/a1 ≤ a2/);
  });
});

describe('layer resolution against a graph', () => {
  it('a layer with a split-off ReLU resolves to its linear node; others stay', () => {
    expect(PREACTIVATION_SUFFIX).toBe('/preact');
    expect(resolveFilterLayer(graph, 'conv3')).toBe('conv3/preact');
    expect(resolveFilterLayer(graph, 'conv3/preact')).toBe('conv3/preact');
    expect(resolveFilterLayer(graph, 'pool1')).toBe('pool1');
    expect(resolveFilterLayer(graph, 'logits')).toBe('logits');
    expect(() => resolveFilterLayer(graph, 'conv9')).toThrow(UnknownLayerError);
  });

  it('withFilters(specs, graph) groups names that resolve to one node', () => {
    const out = withFilters(['clamp:0,0.2@conv3,pool1', 'pass:0,1@conv3/preact'], graph);
    expect(out.map((o) => o.layer)).toEqual(['conv3/preact', 'pool1']);
    expect(() => withFilters(['pass:0,1@conv9'], graph)).toThrow(/Unknown layer 'conv9'/);
  });
});
