/** Completeness: LRP-ε with zero biases and a tiny ε conserves at every layer; biases break it. */
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpuBackend } from '@nrm/backend-cpu';
import { createExplainer, InvalidArgumentError } from '@nrm/core';
import { completeness } from './completeness.js';
import { convNet, testRegistry, uniformData } from './testing/nets.js';

let start = 0;
beforeAll(async () => {
  await cpuBackend.setup();
  start = tf.memory().numTensors;
});
afterAll(() => expect(tf.memory().numTensors).toBe(start));

const record = ['r1', 'r2', 'p', 'r3', 'out'];

async function conservation(bias: number, composite: string, epsilon?: number) {
  const graph = convNet(11, 8, 3, bias);
  const explainer = createExplainer({ graph, registry: testRegistry(), composite, options: epsilon === undefined ? {} : { epsilon } });
  const x = tf.tensor4d(uniformData(12, 4 * 64), [4, 8, 8, 1]);
  const explanation = explainer.explain(x, { target: { layer: 'out', indices: [[0], [1], [2], [0]] }, record });
  try {
    return await completeness(explanation, { layers: record });
  } finally {
    explanation.dispose();
    explainer.dispose();
    x.dispose();
  }
}

describe('completeness', () => {
  it('is ≈ 0 at every layer for LRP-ε with zero biases and ε = 1e-9', async () => {
    const result = await conservation(0, 'epsilon', 1e-9);
    expect(result.layers.map((l) => l.layer)).toEqual([...record, 'input']);
    expect(result.input?.layer).toBe('input');
    for (const layer of result.layers) {
      expect(layer.meanAbsoluteRelativeError).toBeLessThan(1e-4);
      layer.totals.forEach((t, n) => expect(t).toBeCloseTo(result.reference[n]!, 3));
    }
    // The reference is the seed: the target logits, which are not all zero.
    expect(result.reference.some((r) => Math.abs(r) > 1e-3)).toBe(true);
  });

  it('moves away from 0 with biases (they absorb relevance) and not at the target layer', async () => {
    const result = await conservation(0.3, 'epsilon', 1e-9);
    const out = result.layers.find((l) => l.layer === 'out')!;
    expect(out.meanAbsoluteRelativeError).toBeLessThan(1e-6);
    expect(result.input!.meanAbsoluteRelativeError).toBeGreaterThan(1e-3);
  });

  it('names an unrecorded layer', async () => {
    const x = tf.zeros([1, 2]);
    await expect(completeness({ input: x, layers: {}, seed: x }, { layers: ['conv9'] })).rejects.toThrow(InvalidArgumentError);
    x.dispose();
  });
});
