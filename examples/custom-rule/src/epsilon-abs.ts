import * as tf from '@tensorflow/tfjs-core';
import { LINEAR_OPS, type Composite, type Plugin, type Rule } from '@nrm/core';
import { epsilonComposite } from '@nrm/rules-lrp';

/** ε-rule on |W|: `R_in = |x| ⊙ |W|ᵀ[R ⊘ stab_ε(|W||x| + |b|)]`. */
export const absEpsilon: Rule<{ epsilon: number }> = {
  specificationVersion: 'v1',
  id: 'my/abs-epsilon',
  meta: {
    name: 'AbsEpsilon',
    description: 'LRP-ε on absolute values: relevance in proportion to |x|·|w|, stabilized by ε.',
    appliesTo: LINEAR_OPS,
    defaultOptions: { epsilon: 1e-6 },
    conservative: true,
    formula: 'R_in = |x| ⊙ |W|ᵀ[R ⊘ stab_ε(|W||x| + |b|)]',
  },
  create({ epsilon }) {
    return {
      branches: [{ input: (x) => tf.abs(x), param: (p) => tf.abs(p) }],
      mapSeed: (r, [z], { stabilize }) => [tf.div(r, stabilize(z!, epsilon))],
    };
  },
};

/** `my-composite`: `my/abs-epsilon` on convs, then the `epsilon` composite's entries for everything else. */
export const myComposite: Composite = {
  specificationVersion: 'v1',
  id: 'my-composite',
  description: 'AbsEpsilon on Conv2D; Epsilon on Dense; Norm on sums; Pass on activations.',
  rules: [{ match: { op: 'conv2d' }, use: { rule: 'my/abs-epsilon', options: (o) => ({ epsilon: o.epsilon ?? 1e-6 }) } }, ...epsilonComposite.rules],
};

/** The plugin: `createRegistry([tfjsLayers, lrp, myRules, cpu])`. */
export const myRules: Plugin = { specificationVersion: 'v1', name: '@nrm-examples/custom-rule', rules: [absEpsilon], composites: [myComposite] };
