import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { cpu, cpuBackend } from '@nrm/backend-cpu';
import { wasmBackend } from '@nrm/backend-wasm';
import { createExplainer, createRegistry } from '@nrm/core';
import { loadGraph, tfjsLayers } from '@nrm/graph';
import { lrp } from '@nrm/rules-lrp';
import { loadFixtureCase, references, RuleTester, type Reference, type ScenarioName } from '@nrm/testkit';
import { absEpsilon, myRules } from './epsilon-abs.js';

const { add, map, mul, ratio, times, transposeTimes } = references.matrix;
const abs = (a: ArrayLike<number>) => map(a, Math.abs);

/** Float64 reference, from the formula (not from the rule's code): `|x| ⊙ |A|ᵀ[R ⊘ stab_ε(|A||x| + |b|)]`. */
const absEpsilonReference: Reference<{ epsilon: number }> = ({ A, b, x, R, nIn, nOut, options }) => {
  const absA = abs(A!);
  const z = add(times(absA, abs(x), nOut, nIn), abs(b));
  return mul(abs(x), transposeTimes(absA, ratio(R, z, options.epsilon ?? 1e-6), nOut, nIn));
};

const linear: ScenarioName[] = ['dense', 'conv2d-same', 'conv2d-valid-stride2', 'conv2d-dilated', 'conv2d-transpose', 'depthwise-conv2d', 'batch-norm'];
const tester = new RuleTester({ backends: [cpuBackend, wasmBackend] });

describe('my/abs-epsilon', () => {
  it('matches the matrix-form reference and conserves on bias-free nodes, on cpu and wasm', async () => {
    const results = await tester.run(absEpsilon, linear.map((scenario) => ({ scenario, reference: absEpsilonReference })));
    expect(results.length).toBe(linear.length * 2);
  });

  it('matches with a large ε (which absorbs relevance: not conservative)', async () => {
    await tester.run(absEpsilon, ['dense', 'conv2d-same'].map((scenario) => ({ scenario: scenario as ScenarioName, options: { epsilon: 0.25 }, conservative: false, reference: absEpsilonReference })));
  });
});

describe('my-composite end to end', () => {
  beforeAll(async () => {
    await cpuBackend.setup();
  });

  it('explains vgg_tiny with my/abs-epsilon on the convs; the heatmap is finite', async () => {
    const modelPath = fileURLToPath(new URL('../../../packages/testkit/fixtures/vgg_tiny/model.json', import.meta.url));
    const registry = createRegistry([tfjsLayers, lrp, myRules, cpu]);
    const graph = await loadGraph(modelPath);
    const fixture = loadFixtureCase('vgg_tiny');
    const target = fixture.expected.explanations[0]!.target;
    const explainer = createExplainer({ graph, registry, composite: 'my-composite' });
    const input = tf.tensor(fixture.input.data, fixture.input.shape as number[]);
    const e = explainer.explain(input, { target: { layer: target.layer, indices: target.indices } });
    try {
      const convs = graph.nodes.filter((n) => n.op === 'conv2d');
      expect(convs.length).toBeGreaterThan(0);
      for (const n of convs) expect(explainer.rules[n.id]).toBe('my/abs-epsilon');
      const dense = graph.nodes.filter((n) => n.op === 'dense');
      for (const n of dense) expect(explainer.rules[n.id]).toBe('lrp/epsilon');
      const heatmap = e.input.dataSync();
      expect(heatmap.length).toBe(input.size);
      expect(heatmap.every(Number.isFinite)).toBe(true);
      expect(heatmap.some((v) => v !== 0)).toBe(true);
    } finally {
      e.dispose();
      explainer.dispose();
      input.dispose();
    }
  });
});
