import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { cpu, cpuBackend } from '@nrm/backend-cpu';
import { createExplainer, createRegistry } from '@nrm/core';
import { buildScenario, mulberry32 } from '@nrm/testkit';
import { gradientMethods } from '../index.js';

beforeAll(() => cpuBackend.setup());

describe('gradient composites', () => {
  it('gradient × input equals the input times the gradient, both seeded with the target value', () => {
    const { graph, inputShape } = buildScenario('conv2d-same', mulberry32(7));
    const registry = createRegistry([gradientMethods, cpu]);
    const x = tf.randomUniform(inputShape as number[], -1, 1, 'float32', 3);
    const plain = createExplainer({ graph, registry, composite: 'gradient' });
    const timesInput = createExplainer({ graph, registry, composite: 'gradient-x-input' });
    const target = { layer: 'node', indices: [[2, 3, 1]] };
    const g = plain.explain(x, { target });
    const gx = timesInput.explain(x, { target });
    // The gradient of one conv output w.r.t. x is the kernel (times the seed y_t) in its window.
    const y = g.targetOutput.arraySync() as number[][][][];
    const seedValue = y[0]![2]![3]![1]!;
    const kernel = graph.nodes.find((n) => n.id === 'node')!.params!.kernel;
    const gData = g.input.dataSync();
    // x[0, 1+i, 2+j, c] gets W[i, j, c, 1] · y_t  (3x3 'same' window centred on (2, 3)).
    for (let i = 0; i < 3; i++)
      for (let j = 0; j < 3; j++)
        for (let c = 0; c < 2; c++) {
          const w = kernel.data[((i * 3 + j) * 2 + c) * 3 + 1]!;
          expect(gData[((1 + i) * 5 + (2 + j)) * 2 + c]).toBeCloseTo(w * seedValue, 5);
        }
    const expected = tf.mul(g.input, x);
    expect(tf.max(tf.abs(tf.sub(expected, gx.input))).dataSync()[0]).toBeLessThan(1e-6);
    tf.dispose([expected, x]);
    g.dispose();
    gx.dispose();
    plain.dispose();
    timesInput.dispose();
  });
});
