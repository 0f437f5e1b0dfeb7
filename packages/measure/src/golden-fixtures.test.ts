/**
 * The golden CRP fixtures (Zennit + zennit-crp) read as measures: every `crp_*` array is the
 * unnormalized joint of the condition channels with each neuron of the stored layer, i.e. the
 * conditional heatmap's `raw`, and `channel_relevance_at_condition_layer` is the channel marginal
 * times the raw total.
 */
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpuBackend } from '@nrm/backend-cpu';
import { createExplainer, createRegistry } from '@nrm/core';
import { loadGraph } from '@nrm/graph';
import { lrp } from '@nrm/rules-lrp';
import { loadFixtureCase, maxRelativeError, methodSpec } from '@nrm/testkit';
import { channels, createMeasure, neurons, perSample } from './index.js';

const TOLERANCE = 1e-4;
const CASES = ['vgg_tiny', 'resnet_tiny', 'vgg16_narrow', 'resnet50_narrow', 'autoencoder_tiny'];

let start = 0;
beforeAll(async () => {
  await cpuBackend.setup();
  start = tf.memory().numTensors;
});
afterAll(() => expect(tf.memory().numTensors).toBe(start));

/** Unravels a flat index into an NHWC index without the batch axis. */
function unravel(flat: number, shape: readonly number[]): number[] {
  const index = shape.map(() => 0);
  for (let d = shape.length - 1; d >= 0; d--) {
    index[d] = flat % shape[d]!;
    flat = Math.floor(flat / shape[d]!);
  }
  return index;
}

describe('golden CRP fixtures as joint measures (cpu)', () => {
  for (const name of CASES) {
    const fixture = loadFixtureCase(name);
    for (const explanation of fixture.expected.explanations) {
      for (const [methodName, method] of Object.entries(explanation.methods)) {
        if (method.kind !== 'crp') continue;
        it(`${name} / ${explanation.id} / ${methodName}`, async () => {
          const spec = methodSpec(methodName, method, fixture.expected);
          const condition = method.condition!;
          const graph = await loadGraph(fixture.modelPath);
          const before = tf.memory().numTensors;
          const explainer = createExplainer({ graph, registry: createRegistry([lrp]), composite: spec.composite, options: spec.options });
          const input = tf.tensor(fixture.input.data, fixture.input.shape as number[]);
          const measure = createMeasure(explainer, input, { layer: explanation.target.layer, indices: explanation.target.indices }, {
            layers: [...Object.keys(method.relevance_files), condition.layer],
          });
          const given = [perSample(condition.channels.map((cs) => channels(condition.layer, cs)))];
          try {
            // Every stored layer at or below the condition layer: the unnormalized conditional heatmap.
            for (const [layer, file] of Object.entries(method.relevance_files)) {
              const expected = fixture.array(file);
              const heatmap = measure.conditionalHeatmap(given, { layer });
              const data = await heatmap.read();
              expect(data.shape, `${layer} shape`).toEqual(expected.shape);
              expect(maxRelativeError(data.raw, expected.data), `${layer}: raw joint vs fixture`).toBeLessThanOrEqual(TOLERANCE);
              // heatmap · mass · Z = raw: the normalized heatmap and its mass reproduce the array too.
              const size = data.raw.length / measure.batch;
              const rebuilt = data.heatmap.map((h, i) => h * data.mass[Math.floor(i / size)]! * data.total[Math.floor(i / size)]!);
              expect(maxRelativeError(rebuilt, expected.data), `${layer}: heatmap·mass·Z vs fixture`).toBeLessThanOrEqual(TOLERANCE);
              for (let n = 0; n < measure.batch; n++) {
                expect(data.flags.filter((f) => f.sample === n && f.kind !== 'given-negative')).toEqual([]);
                // The fixture's per-sample sums are the mass times Z.
                expect(Math.abs(data.mass[n]! * data.total[n]! - method.relevance_sums[layer]![n]!)).toBeLessThanOrEqual(
                  TOLERANCE * Math.max(...Array.from(expected.data, Math.abs)) * size,
                );
              }
              heatmap.dispose();
            }
            // One input neuron, the largest |value|, through joint(...): μ(i@input, channels@L) · Z_input.
            const inputArray = fixture.array(method.relevance_files['input']!);
            const scale = Math.max(...Array.from(inputArray.data, Math.abs));
            const flat = Array.from(inputArray.data, Math.abs).indexOf(scale);
            const index = unravel(flat, inputArray.shape.slice(1));
            const single = measure.joint(neurons('input', [index]), ...given);
            const value = await single.read();
            expect(Math.abs(value.value[0]! * value.total[0]! - inputArray.data[flat]!) / scale).toBeLessThanOrEqual(TOLERANCE);
            single.dispose();
            // Channel relevance at the condition layer = channel marginal × raw total.
            const marginals = measure.channelMarginals(condition.layer);
            const m = await marginals.read();
            const actual = m.value.flatMap((row, n) => row.map((v) => v * m.total[n]!));
            const expected = method.channel_relevance_at_condition_layer!.flat();
            expect(maxRelativeError(actual, expected), 'channel relevance').toBeLessThanOrEqual(TOLERANCE);
            marginals.dispose();
            // And the condition channels themselves, as a marginal of a channel set.
            const own = measure.marginal(given[0]!);
            const ownValue = await own.read();
            condition.channels.forEach((cs, n) => {
              const sum = cs.reduce((s, c) => s + method.channel_relevance_at_condition_layer![n]![c]!, 0);
              expect(Math.abs(ownValue.raw[n]! - sum)).toBeLessThanOrEqual(TOLERANCE * Math.max(...expected.map(Math.abs)));
            });
            own.dispose();
          } finally {
            measure.dispose();
            explainer.dispose();
            input.dispose();
          }
          expect(tf.memory().numTensors, 'tensors left').toBe(before);
        });
      }
    }
  }
});
