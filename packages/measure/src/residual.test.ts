/**
 * Residual blocks: the Add splits relevance by contribution (Norm), walks through the skip are
 * walks too (marginals count them), and conditioning a layer inside the branch excludes the skip.
 * Net: `x → a → ra → b → sum = add(b, ra) → rs → gap → out`; the skip `ra → sum` bypasses `b`.
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { cpuBackend } from '@nrm/backend-cpu';
import { allOf, channels, complement, createMeasure } from './index.js';
import { explainerFor, randomInput, residualNet } from './testing/nets.js';

beforeAll(() => cpuBackend.setup());

async function once<T>(result: { read(): Promise<T>; dispose(): void }): Promise<T> {
  try {
    return await result.read();
  } finally {
    result.dispose();
  }
}

describe('residual block', () => {
  for (const seed of [1, 2, 3]) {
    it(`seed ${seed}: the skip share is excluded by conditioning inside the branch, and only then`, async () => {
      const net = residualNet(seed);
      const explainer = explainerFor(net, 'epsilon-plus-flat');
      const input = randomInput(seed + 10, 2, net.inputShape, 0, 1);
      const measure = createMeasure(explainer, input, { layer: 'out', indices: [[0], [1]] });
      measure.prepare(['x', 'ra', 'b', 'sum', 'rs']);
      measure.joint(allOf('ra'), allOf('b')).dispose();
      const start = tf.memory().numTensors;
      // The skip share at ra, computed by hand from the Norm split at the Add: ra ⊙ R_sum / stab(sum).
      const rSum = measure.relevance('sum');
      const ra = explainer.forward(input, 'ra');
      const sum = explainer.forward(input, 'sum');
      const skipTensor = tf.tidy(() => {
        const stab = tf.where(tf.greaterEqual(sum, 0), tf.add(sum, 1e-6), tf.sub(sum, 1e-6));
        return tf.sum(tf.div(tf.mul(ra, rSum), stab), [1, 2, 3]);
      });
      const skip = Array.from(await skipTensor.data());
      tf.dispose([rSum, ra, sum, skipTensor]);
      const all = await once(measure.marginal(allOf('ra')));
      const throughB = await once(measure.joint(allOf('ra'), allOf('b')));
      all.value.forEach((v, n) => {
        // Walks through the skip are walks: the marginal counts them; the joint with b does not.
        expect(Math.abs(v - throughB.value[n]! - skip[n]! / all.total[n]!)).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(v)));
        expect(Math.abs(skip[n]! / all.total[n]!)).toBeGreaterThan(1e-3);
      });
      // Marginalization over b's channels holds for the joint through b (a partition of b), not for μ(ra).
      let byChannel = [0, 0];
      for (let c = 0; c < 3; c++) {
        const j = await once(measure.joint(allOf('ra'), channels('b', [c])));
        byChannel = byChannel.map((s, n) => s + j.value[n]!);
      }
      byChannel.forEach((s, n) => expect(Math.abs(s - throughB.value[n]!)).toBeLessThanOrEqual(1e-5));
      // A layer on the only path (rs, after the Add) excludes nothing.
      const throughRs = await once(measure.joint(allOf('x'), allOf('rs')));
      throughRs.value.forEach((v) => expect(Math.abs(v - 1)).toBeLessThanOrEqual(1e-5));
      // touches(S) at b's layer alone: 1 − μ(complement) = μ(S) there (normalized at b).
      const s = channels('b', [1]);
      const touched = await once(measure.touches([s]));
      const own = await once(measure.marginal(s));
      touched.value.forEach((v, n) => expect(Math.abs(v - own.value[n]!)).toBeLessThanOrEqual(1e-5));
      // Across the block, skip walks never "avoid" b, so they count as touching: touches ≥ the branch part.
      const across = await once(measure.touches([channels('ra', [0]), allOf('b')]));
      const avoiding = await once(measure.joint(complement(channels('ra', [0])), complement(allOf('b'))));
      across.value.forEach((v, n) => expect(v).toBeCloseTo(1 - avoiding.value[n]!, 6));
      avoiding.value.forEach((v) => expect(Math.abs(v)).toBe(0));
      expect(tf.memory().numTensors).toBe(start);
      measure.dispose();
      explainer.dispose();
      input.dispose();
    });
  }
});
