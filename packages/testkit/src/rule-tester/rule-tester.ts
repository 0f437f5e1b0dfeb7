/**
 * The rule tester (ESLint's RuleTester, for LRP rules): checks a rule on small scenario graphs
 * against a dense matrix-form reference written by the test author, checks conservation where the
 * rule promises it, checks that the rule changes none of its inputs and leaks no tensor, and
 * checks that every backend gives the same numbers.
 */
import { AssertionError } from 'node:assert';
import * as tf from '@tensorflow/tfjs-core';
import { createExplainer, createRegistry, type Backend, type Composite, type Rule } from '@nrm/core';
import { maxRelativeError } from '../fixtures.js';
import { scoped } from './scoped.js';
import { matrixForm } from './matrix-form.js';
import { mulberry32, uniform } from './random.js';
import { buildScenario, type ScenarioName } from './scenarios.js';

/** What a reference sees: one batch row of the node, in float64. */
export interface ReferenceContext<O> {
  /** The node's linear map, row-major `[nOut][nIn]` (inputs concatenated); absent for non-linear nodes. */
  readonly A: Float64Array | undefined;
  /** Per-output bias (zeros where the node has none). */
  readonly b: Float64Array;
  /** The node's inputs, concatenated, for this row. */
  readonly x: Float64Array;
  /** The node's unmodified output for this row. */
  readonly z: Float64Array;
  /** Relevance at the node's output for this row. */
  readonly R: Float64Array;
  readonly nIn: number;
  readonly nOut: number;
  /** Input shapes without the batch axis. */
  readonly inputShapes: readonly (readonly number[])[];
  readonly outputShape: readonly number[];
  readonly options: Readonly<O>;
}

/** A reference: relevance at the (concatenated) inputs of one row. */
export type Reference<O> = (ctx: ReferenceContext<O>) => ArrayLike<number>;

/** One case of a rule test. */
export interface RuleTestCase<O> {
  readonly scenario: ScenarioName;
  readonly options?: Partial<O>;
  readonly reference: Reference<O>;
  /** Draw the input ≥ 0 and declare it so (exercises the engine's x⁻ skipping). */
  readonly inputNonNegative?: boolean;
  /** Override `rule.meta.conservative` for this case. */
  readonly conservative?: boolean;
  /** `max|a − b| / max|b|` allowed against the reference; default 1e-4. */
  readonly tolerance?: number;
  readonly seed?: number;
}

/** What one case measured on one backend. */
export interface RuleTestResult {
  readonly scenario: ScenarioName;
  readonly backend: string;
  readonly referenceError: number;
  readonly conservationError?: number;
}

interface RunOutput {
  readonly relevance: Float32Array[];
  readonly inputs: Float32Array[];
  readonly output: Float32Array;
  readonly seed: Float32Array;
}

function fail(message: string): never {
  throw new AssertionError({ message });
}

/** Checks rules; `backends` are set up in turn (the first is the reference for cross-backend checks). */
export class RuleTester {
  constructor(private readonly config: { readonly backends: readonly Backend[] }) {
    if (config.backends.length === 0) throw new Error('RuleTester needs at least one backend');
  }

  /** Runs every case on every backend; throws an AssertionError naming the case on the first failure. */
  async run<O extends object>(rule: Rule<O>, cases: readonly RuleTestCase<O>[]): Promise<RuleTestResult[]> {
    const results: RuleTestResult[] = [];
    for (const testCase of cases) {
      let first: RunOutput | undefined;
      for (const backend of this.config.backends) {
        await backend.setup();
        const label = `${rule.id} on '${testCase.scenario}' (${backend.id})`;
        const out = runOnce(rule, testCase, false, label);
        const referenceError = compareWithReference(rule, testCase, out, label);
        let conservationError: number | undefined;
        if (testCase.conservative ?? rule.meta.conservative ?? false) {
          const biasFree = runOnce(rule, testCase, true, label);
          const total = biasFree.seed.reduce((a, v) => a + v, 0);
          const scale = biasFree.seed.reduce((a, v) => a + Math.abs(v), 0);
          const got = biasFree.relevance.reduce((a, r) => a + r.reduce((s, v) => s + v, 0), 0);
          conservationError = Math.abs(got - total) / scale;
          if (!(conservationError <= 1e-4)) {
            fail(`${label}: not conservative on a bias-free node: Σ R_in = ${got}, Σ R = ${total}`);
          }
        }
        if (first) {
          first.relevance.forEach((r, k) => {
            const err = maxRelativeError(out.relevance[k]!, r);
            if (!(err <= 1e-5)) fail(`${label}: differs from ${this.config.backends[0]!.id} by ${err} (max rel)`);
          });
        } else {
          first = out;
        }
        results.push({ scenario: testCase.scenario, backend: backend.id, referenceError, conservationError });
      }
    }
    return results;
  }
}

function runOnce<O extends object>(rule: Rule<O>, testCase: RuleTestCase<O>, biasFree: boolean, label: string): RunOutput {
  const rng = mulberry32(testCase.seed ?? 1234);
  const scenario = buildScenario(testCase.scenario, rng, biasFree);
  const size = scenario.inputShape.reduce((a, b) => a * b, 1);
  const xData = uniform(rng, size, testCase.inputNonNegative ? 0 : -1, 1);
  const registry = createRegistry([{ specificationVersion: 'v1', name: 'rule-under-test', rules: [rule] }]);
  const composite: Composite = {
    specificationVersion: 'v1',
    id: 'rule-tester',
    description: 'the rule under test on the node under test',
    rules: [{ match: { name: scenario.node }, use: { rule: rule.id, options: testCase.options ?? {} } }],
  };
  const paramsBefore = scenario.graph.nodes.map((n) => [n.params?.kernel.data.slice(), n.params?.bias?.data.slice()]);
  const x = tf.tensor(xData, scenario.inputShape as number[]);
  const node = scenario.graph.nodes.find((n) => n.id === scenario.node)!;
  const before = tf.memory().numTensors;
  const explainer = createExplainer({ graph: scenario.graph, registry, composite, inputNonNegative: testCase.inputNonNegative ?? false });
  const inputs = node.inputs.map((id) => {
    const t = explainer.forward(x, id);
    const d = t.dataSync() as Float32Array;
    t.dispose();
    return d;
  });
  const outT = explainer.forward(x, scenario.node);
  const output = outT.dataSync() as Float32Array;
  const seedData = uniform(rng, outT.size, -1, 1);
  const seed = tf.tensor(seedData, outT.shape);
  outT.dispose();
  const explanation = explainer.explain(x, { target: { layer: scenario.node, seed }, record: node.inputs });
  const relevance = node.inputs.map((id) => explanation.layers[id]!.dataSync() as Float32Array);
  explanation.dispose();
  explainer.dispose();
  const leaked = tf.memory().numTensors - before - 1; // the seed is ours
  // Immutability: the input, the seed and the host parameters are untouched.
  if (x.isDisposed || seed.isDisposed) fail(`${label}: the rule disposed a tensor it does not own`);
  if (maxRelativeError(x.dataSync(), xData) !== 0) fail(`${label}: the rule modified its input x`);
  if (maxRelativeError(seed.dataSync(), seedData) !== 0) fail(`${label}: the rule modified the relevance it was given`);
  scenario.graph.nodes.forEach((n, i) => {
    const [k, b] = paramsBefore[i]!;
    if (k && maxRelativeError(n.params!.kernel.data, k) !== 0) fail(`${label}: the rule modified the kernel of '${n.id}'`);
    if (b && maxRelativeError(n.params!.bias!.data, b) !== 0) fail(`${label}: the rule modified the bias of '${n.id}'`);
  });
  x.dispose();
  seed.dispose();
  if (leaked !== 0) fail(`${label}: ${leaked} tensor(s) leaked`);
  return { relevance, inputs, output, seed: seedData };
}

function compareWithReference<O extends object>(rule: Rule<O>, testCase: RuleTestCase<O>, out: RunOutput, label: string): number {
  const rng = mulberry32(testCase.seed ?? 1234);
  const scenario = buildScenario(testCase.scenario, rng, false);
  const node = scenario.graph.nodes.find((n) => n.id === scenario.node)!;
  const byId = new Map(scenario.graph.nodes.map((n) => [n.id, n]));
  const inputShapes = node.inputs.map((id) => byId.get(id)!.outputShape);
  const linear = ['dense', 'conv2d', 'conv2dTranspose', 'depthwiseConv2d', 'batchNorm', 'add', 'avgPool2d', 'globalAvgPool2d'].includes(node.op);
  const form = linear
    ? scoped(() => {
        const params = node.params
          ? {
              kernel: tf.tensor(node.params.kernel.data, node.params.kernel.shape as number[]),
              bias: node.params.bias ? tf.tensor(node.params.bias.data, node.params.bias.shape as number[]) : undefined,
            }
          : undefined;
        return matrixForm(node, inputShapes, params);
      })
    : undefined;
  const sizes = inputShapes.map((s) => s.reduce((a, b) => a * b, 1));
  const nIn = sizes.reduce((a, b) => a + b, 0);
  const nOut = node.outputShape.reduce((a, b) => a * b, 1);
  const batch = scenario.inputShape[0]!;
  const options = { ...rule.meta.defaultOptions, ...testCase.options } as O;
  let worst = 0;
  const expectedAll = sizes.map((s) => new Float64Array(s * batch));
  for (let row = 0; row < batch; row++) {
    const x = new Float64Array(nIn);
    let offset = 0;
    out.inputs.forEach((data, k) => {
      x.set(data.subarray(row * sizes[k]!, (row + 1) * sizes[k]!), offset);
      offset += sizes[k]!;
    });
    const R = Float64Array.from(out.seed.subarray(row * nOut, (row + 1) * nOut));
    let z: Float64Array;
    if (form) {
      z = new Float64Array(nOut);
      for (let o = 0; o < nOut; o++) {
        let acc = form.b[o]!;
        for (let i = 0; i < nIn; i++) acc += form.A[o * nIn + i]! * x[i]!;
        z[o] = acc;
      }
    } else {
      z = Float64Array.from(out.output.subarray(row * nOut, (row + 1) * nOut));
    }
    const expected = testCase.reference({
      A: form?.A,
      b: form?.b ?? new Float64Array(nOut),
      x,
      z,
      R,
      nIn,
      nOut,
      inputShapes,
      outputShape: node.outputShape,
      options,
    });
    if (expected.length !== nIn) fail(`${label}: the reference returned ${expected.length} values for ${nIn} inputs`);
    offset = 0;
    sizes.forEach((s, k) => {
      for (let i = 0; i < s; i++) expectedAll[k]![row * s + i] = expected[offset + i]!;
      offset += s;
    });
  }
  expectedAll.forEach((expected, k) => {
    const err = maxRelativeError(out.relevance[k]!, expected);
    worst = Math.max(worst, err);
    if (!(err <= (testCase.tolerance ?? 1e-4))) {
      fail(`${label}: relevance at input ${k} differs from the matrix-form reference by ${err} (max|a−b|/max|b|)`);
    }
  });
  return worst;
}
