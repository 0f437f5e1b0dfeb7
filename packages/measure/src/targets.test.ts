/**
 * Autoencoders: a target is a measure on an output node. A region of the reconstruction
 * ({@link regionTarget}) is the sum of its pixels' explanations (the backward map is linear in the
 * seed), and a latent unit is an ordinary target that reproduces the golden latent heatmap.
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { cpuBackend } from '@nrm/backend-cpu';
import { createExplainer, createRegistry } from '@nrm/core';
import { loadGraph } from '@nrm/graph';
import { lrp } from '@nrm/rules-lrp';
import { loadFixtureCase, maxRelativeError } from '@nrm/testkit';
import { allOf, channels, createMeasure, regionTarget } from './index.js';

beforeAll(() => cpuBackend.setup());

describe('autoencoder targets (autoencoder_tiny)', () => {
  it('a region of the reconstruction is the sum of its pixels; a latent unit matches the golden heatmap', async () => {
    const fixture = loadFixtureCase('autoencoder_tiny');
    const graph = await loadGraph(fixture.modelPath);
    const start = tf.memory().numTensors;
    const explainer = createExplainer({ graph, registry: createRegistry([lrp]), composite: 'epsilon-plus-flat' });
    const input = tf.tensor(fixture.input.data, fixture.input.shape as number[]);
    const output = explainer.forward(input, 'dec2');
    const window = { rows: [4, 6] as [number, number], cols: [9, 11] as [number, number] };
    const target = regionTarget('dec2', window, output);
    const seedSumTensor = tf.sum(target.seed!);
    const seedSum = (await seedSumTensor.data())[0]!;
    seedSumTensor.dispose();
    const outputs = (await output.array()) as number[][][][];
    expect(seedSum).toBeCloseTo(outputs[0]!.slice(4, 6).flatMap((row) => row.slice(9, 11).map((px) => px[0]!)).reduce((a, b) => a + b, 0), 5);
    const measure = createMeasure(explainer, input, target);
    // Z at the target layer is the seed's sum; conditioned on a latent channel, still linear.
    const totalsResult = measure.totals('dec2');
    const totals = await totalsResult.read();
    totalsResult.dispose();
    expect(totals.total[0]).toBeCloseTo(seedSum, 5);
    const regionHeatmap = measure.conditionalHeatmap([channels('enc2', [3])]);
    const regionRaw = Array.from((await regionHeatmap.read()).raw);
    const sum = new Float32Array(regionRaw.length);
    for (let r = 4; r < 6; r++) {
      for (let c = 9; c < 11; c++) {
        const single = createMeasure(explainer, input, { layer: 'dec2', indices: [[r, c, 0]] });
        const heatmap = single.conditionalHeatmap([channels('enc2', [3])]);
        (await heatmap.read()).raw.forEach((v, i) => (sum[i]! += v));
        heatmap.dispose();
        single.dispose();
      }
    }
    expect(maxRelativeError(regionRaw, sum)).toBeLessThanOrEqual(1e-5);
    regionHeatmap.dispose();
    measure.dispose();
    // A latent unit: enc2 at [1, 3, 5]; the input marginal × Z is the golden LRP heatmap.
    const latent = fixture.expected.explanations.find((e) => e.id === 'latent')!;
    const latentMeasure = createMeasure(explainer, input, { layer: latent.target.layer, indices: latent.target.indices });
    const heatmap = latentMeasure.conditionalHeatmap([]);
    const h = await heatmap.read();
    const expected = fixture.array(latent.methods['epsilon_plus_flat']!.relevance_files['input']!);
    expect(maxRelativeError(Array.from(h.heatmap, (v) => v * h.total[0]!), expected.data)).toBeLessThanOrEqual(1e-4);
    const allResult = latentMeasure.marginal(allOf('input'));
    expect((await allResult.read()).value[0]).toBeCloseTo(1, 5);
    allResult.dispose();
    heatmap.dispose();
    latentMeasure.dispose();
    tf.dispose([output, target.seed!]);
    input.dispose();
    explainer.dispose();
    expect(tf.memory().numTensors).toBe(start);
  });
});
