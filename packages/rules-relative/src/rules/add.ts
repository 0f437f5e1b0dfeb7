import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';
import type { Rule } from '@nrm/core';
import { rejectOptions, sumPerSample } from '../per-sample.js';

/**
 * Where `|Σ_k x_k| ≤ CANCELLATION · Σ_k |x_k|` the summands of a residual Add cancel and the
 * proportional split is replaced by the split by magnitudes. A fixed numerical constant, not an
 * option: it bounds every share `|x_k / Σ x|` by `1 / CANCELLATION`.
 */
export const CANCELLATION = 1e-6;

/**
 * R-LRP on the residual Add `y = Σ_k x_k`, the only place where R-LRP divides (as the abstract of
 * arXiv:2501.14322 says): `R_k = R ⊙ x_k / Σ x` where the sum does not cancel; where it does
 * (`|Σ x| ≤ 1e-6 · Σ|x|`) `R_k = R ⊙ |x_k| / Σ|x|`, and where every summand is 0, `R_k = R / K`.
 * Never Inf or NaN; exactly conservative (the shares sum to 1 at every position).
 *
 * Reports, per sample: `guarded`, the fraction of positions where the cancellation guard fired.
 */
export const relativeAdd: Rule<Record<string, never>> = {
  specificationVersion: 'v1',
  id: 'relative/add',
  meta: {
    name: 'RelativeAdd',
    description: 'Residual Add: relevance split by each branch’s share x_k / Σx, by |x_k| / Σ|x| where the sum cancels.',
    appliesTo: ['add'],
    defaultOptions: {},
    conservative: true,
    formula: 'R_k = R ⊙ x_k ⊘ Σx  (|Σx| > 1e-6·Σ|x|);  R ⊙ |x_k| ⊘ Σ|x|  (else);  R / K  (all x_k = 0)',
    docs: { cite: 'Our reading of the abstract of arXiv:2501.14322 (Relative Layer-Wise Relevance Propagation, 2025)' },
  },
  create(options) {
    rejectOptions('relative/add', options);
    return {
      propagate(relevance, ctx) {
        const xs = ctx.inputs;
        const sum = xs.length === 1 ? xs[0]! : tf.addN([...xs]);
        const mass = xs.length === 1 ? tf.abs(xs[0]!) : tf.addN(xs.map((x) => tf.abs(x)));
        const proportional = tf.greater(tf.abs(sum), tf.mul(mass, CANCELLATION));
        const someMass = tf.greater(mass, 0);
        const safeSum = tf.where(proportional, sum, tf.onesLike(sum));
        const safeMass = tf.where(someMass, mass, tf.onesLike(mass));
        const equal = tf.fill(sum.shape, 1 / xs.length);
        const guarded = tf.cast(tf.logicalNot(proportional), 'float32');
        ctx.report('guarded', tf.div(sumPerSample(guarded), guarded.size / guarded.shape[0]!));
        return xs.map((x): Tensor => {
          const share = tf.where(proportional, tf.div(x, safeSum), tf.where(someMass, tf.div(tf.abs(x), safeMass), equal));
          return tf.mul(relevance, share);
        });
      },
    };
  },
};
