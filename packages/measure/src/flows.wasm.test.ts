/** On the wasm backend: batched (expanding) flows equal one-by-one joints, and a golden CRP case holds. */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { wasmBackend } from '@nrm/backend-wasm';
import { createExplainer, createRegistry } from '@nrm/core';
import { loadGraph } from '@nrm/graph';
import { lrp } from '@nrm/rules-lrp';
import { loadFixtureCase, maxRelativeError } from '@nrm/testkit';
import { allOf, channels, createMeasure, perSample } from './index.js';
import { convNet, explainerFor, randomInput } from './testing/nets.js';

beforeAll(async () => {
  await wasmBackend.setup();
  expect(tf.getBackend()).toBe('wasm');
});

async function once<T>(result: { read(): Promise<T>; dispose(): void }): Promise<T> {
  try {
    return await result.read();
  } finally {
    result.dispose();
  }
}

describe('wasm', () => {
  it('flows (one batched walk per pair, chunked) equal the joints one by one', async () => {
    const net = convNet(17, 4, 2, 3, 4, 3);
    const explainer = explainerFor(net, 'epsilon-plus-flat');
    const input = randomInput(3, 2, net.inputShape, 0, 1);
    const measure = createMeasure(explainer, input, { layer: 'out', indices: [[0], [2]] });
    const flows = measure.flows(['p', 'r1', 'x', 'r2'], { chunkSize: 3, topK: 4 });
    const data = await flows.read();
    flows.dispose();
    expect(data.layers).toEqual(['x', 'r1', 'r2', 'p']);
    let compared = 0;
    for (const pair of data.pairs) {
      const lower = measure.layer(pair.lower).shape.at(-1)!;
      const upper = measure.layer(pair.upper).shape.at(-1)!;
      const totals = await once(measure.totals(pair.lower));
      for (let a = 0; a < lower; a++) {
        for (let b = 0; b < upper; b++) {
          const single = await once(measure.joint(channels(pair.lower, [a]), channels(pair.upper, [b])));
          single.value.forEach((v, n) => {
            const scale = Math.max(1, totals.absolute[n]! / Math.abs(totals.total[n]!));
            expect(Math.abs(pair.J[n]![a]![b]! - v)).toBeLessThanOrEqual(1e-6 * scale);
            compared++;
          });
        }
      }
    }
    expect(compared).toBe(2 * (2 * 3 + 3 * 4 + 4 * 4));
    // Each top walk's exact joint, and the walk heatmap's given measure, agree with a direct joint.
    const walk = data.walks[0]![0]!;
    const direct = await once(measure.joint(...walk.layers.map((l, j) => channels(l, [walk.channels[j]!]))));
    expect(Math.abs(direct.value[0]! - walk.joint)).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(walk.joint)));
    // The walk heatmap at its own lowest layer: given = mass = the walk's joint.
    const own = await once(measure.walkHeatmap([walk, data.walks[1]![0]!], { layer: 'x' }));
    expect(Math.abs(own.given[0]! - walk.joint)).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(walk.joint)));
    expect(Math.abs(own.mass[0]! - walk.joint)).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(walk.joint)));
    // The upper part of the walk, heatmap at the input: mass = μ(all@x, walk), given = μ(walk).
    const upperWalk = { layers: walk.layers.slice(1), channels: walk.channels.slice(1) };
    const heatmap = await once(measure.walkHeatmap(upperWalk));
    const mass = await once(measure.joint(allOf('x'), ...upperWalk.layers.map((l, j) => channels(l, [upperWalk.channels[j]!]))));
    const given = await once(measure.joint(...upperWalk.layers.map((l, j) => channels(l, [upperWalk.channels[j]!]))));
    heatmap.mass.forEach((v, n) => expect(Math.abs(v - mass.value[n]!)).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(v))));
    heatmap.given.forEach((v, n) => expect(Math.abs(v - given.value[n]!)).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(v))));
    measure.dispose();
    explainer.dispose();
    input.dispose();
  });

  it('vgg_tiny CRP: the unnormalized conditional heatmap is the golden array', async () => {
    const fixture = loadFixtureCase('vgg_tiny');
    const explanation = fixture.expected.explanations[0]!;
    const method = explanation.methods['crp_epsilon_plus_flat']!;
    const graph = await loadGraph(fixture.modelPath);
    const explainer = createExplainer({ graph, registry: createRegistry([lrp]), composite: 'epsilon-plus-flat' });
    const input = tf.tensor(fixture.input.data, fixture.input.shape as number[]);
    const measure = createMeasure(explainer, input, { layer: explanation.target.layer, indices: explanation.target.indices });
    const condition = method.condition!;
    const heatmap = await once(measure.conditionalHeatmap([perSample(condition.channels.map((cs) => channels(condition.layer, cs)))]));
    expect(maxRelativeError(heatmap.raw, fixture.array(method.relevance_files['input']!).data)).toBeLessThanOrEqual(1e-4);
    measure.dispose();
    explainer.dispose();
    input.dispose();
  });
});
