/**
 * The backend conformance suite: what a tfjs backend must get right for NRM to explain on it.
 * Framework-agnostic, like the {@link RuleTester}: it runs every check, returns a report, and
 * throws an `AssertionError` naming the failing checks.
 *
 * 1. Adjoints: for every op the engine transposes, ⟨A x, y⟩ = ⟨x, Aᵀ y⟩ (relative, 1e-5), and the
 *    fast transposed convolution equals `tf.conv2dTranspose` where tfjs supports it.
 * 2. Max-pool routing: each window's relevance goes to its first maximum; overlapping wins sum.
 * 3. Every array of the golden Zennit fixtures through `createExplainer` on the backend.
 * 4. No tensor leaks over the whole suite.
 */
import { AssertionError } from 'node:assert';
import * as tf from '@tensorflow/tfjs-core';
import {
  OPS,
  conv2dBackwardInput,
  createExplainer,
  createRegistry,
  type Backend,
  type IRNode,
  type Plugin,
} from '@nrm/core';
import { loadGraph } from '@nrm/graph';
import { listFixtureCases, loadFixtureCase, maxRelativeError, methodSpec } from '../fixtures.js';

/** Options of {@link runConformanceSuite}. */
export interface ConformanceOptions {
  /** Rules and composites (e.g. `[lrp, gradientMethods]`); the testkit depends on no rules package. */
  readonly plugins: readonly Plugin[];
  /** Fixture cases to explain (default: all of {@link listFixtureCases}). */
  readonly fixtures?: readonly string[];
  /** Tolerance of the fixtures' `max|a − b| / max|b|` (default 1e-4). */
  readonly tolerance?: number;
  /** Tolerance of the adjoint identities and the transposed convolution (default 1e-5). */
  readonly adjointTolerance?: number;
  /** Throw an `AssertionError` when a check fails (default true); false: only report. */
  readonly throwOnFailure?: boolean;
  /**
   * Passed to `createExplainer` (default true). Its NaN/Inf check is the engine's one
   * synchronous read; pass false on a backend without synchronous reads (WebGPU in Node).
   */
  readonly checkFinite?: boolean;
  /** Called after each check (progress on slow backends), e.g. `(c) => console.log(c.name)`. */
  readonly onCheck?: (check: ConformanceCheck) => void;
}

/** One check of the suite. */
export interface ConformanceCheck {
  /** e.g. `adjoint conv2d 7x7 stride 2 valid`, `fixture mlp / e0 / epsilon_0.25`. */
  readonly name: string;
  /** The measured error (relative gap, max relative error, tensor count…); `null` for exact checks. */
  readonly error: number | null;
  readonly ok: boolean;
  /** Why it failed (or threw). */
  readonly message?: string;
}

/** What {@link runConformanceSuite} returns. */
export interface ConformanceReport {
  /** The backend id. */
  readonly backend: string;
  readonly checks: readonly ConformanceCheck[];
  /** Whether every check is ok. */
  readonly ok: boolean;
}

type Shape = number[];
type Shape4 = [number, number, number, number];

/**
 * Reads tensors asynchronously (`dataSync` of GPU data does not exist everywhere: WebGPU in Node)
 * and disposes them.
 */
async function readAll(tensors: readonly tf.Tensor[]): Promise<Float32Array[]> {
  try {
    return (await Promise.all(tensors.map((t) => t.data()))).map((d) => Float32Array.from(d as ArrayLike<number>));
  } finally {
    tf.dispose([...tensors]);
  }
}

/** |⟨A x, s⟩ − Σ ⟨x_i, Aᵀ_i s⟩| / max(1, |⟨A x, s⟩|). */
async function adjointGap(node: IRNode, inputShapes: Shape[], kernelShape?: Shape): Promise<number> {
  const dots = tf.tidy(() => {
    const op = OPS[node.op];
    if (!op.transpose) throw new Error(`op ${node.op} has no transpose`);
    const params = kernelShape ? { kernel: tf.randomUniform(kernelShape, -1, 1, 'float32', 4) } : undefined;
    const xs = inputShapes.map((s, i) => tf.randomUniform(s, -1, 1, 'float32', 11 + i));
    const y = op.forward(node, xs, params);
    const s = tf.randomUniform(y.shape, -1, 1, 'float32', 5);
    const back = op.transpose(node, s, params, inputShapes);
    return [tf.sum(tf.mul(y, s)), ...back.map((b, i) => tf.sum(tf.mul(xs[i]!, b)))];
  });
  const [lhs, ...rhs] = (await readAll(dots)).map((d) => d[0]!);
  const sum = rhs.reduce((acc, v) => acc + v, 0);
  return Math.abs(lhs! - sum) / Math.max(1, Math.abs(lhs!));
}

interface ConvCase {
  readonly name: string;
  readonly x: Shape4;
  readonly k: Shape4;
  readonly strides: [number, number];
  readonly padding: 'same' | 'valid';
  readonly dilations: [number, number];
}

const CONV_CASES: readonly ConvCase[] = [
  { name: '3x3 same', x: [2, 7, 6, 3], k: [3, 3, 3, 4], strides: [1, 1], padding: 'same', dilations: [1, 1] },
  { name: '3x3 valid', x: [1, 7, 6, 3], k: [3, 3, 3, 4], strides: [1, 1], padding: 'valid', dilations: [1, 1] },
  { name: '2x2 same (even kernel)', x: [1, 5, 5, 2], k: [2, 2, 2, 3], strides: [1, 1], padding: 'same', dilations: [1, 1] },
  { name: '4x4 stride 2 same (even kernel)', x: [1, 9, 8, 2], k: [4, 4, 2, 3], strides: [2, 2], padding: 'same', dilations: [1, 1] },
  { name: '7x7 stride 2 valid (odd remainder)', x: [1, 20, 19, 3], k: [7, 7, 3, 2], strides: [2, 2], padding: 'valid', dilations: [1, 1] },
  { name: '1x1 stride 2 valid', x: [1, 8, 8, 4], k: [1, 1, 4, 3], strides: [2, 2], padding: 'valid', dilations: [1, 1] },
  { name: '3x3 stride 2 same', x: [1, 9, 8, 2], k: [3, 3, 2, 2], strides: [2, 2], padding: 'same', dilations: [1, 1] },
  { name: '7x7 stride 2 same, batch 2 (phases in one conv)', x: [2, 11, 12, 3], k: [7, 7, 3, 2], strides: [2, 2], padding: 'same', dilations: [1, 1] },
  { name: '3x3 stride 2 same, 20 channels (one conv per phase)', x: [1, 9, 8, 20], k: [3, 3, 20, 3], strides: [2, 2], padding: 'same', dilations: [1, 1] },
  { name: '2x2 stride 3 valid (phases without taps)', x: [1, 11, 10, 2], k: [2, 2, 2, 3], strides: [3, 3], padding: 'valid', dilations: [1, 1] },
  { name: '3x3 stride (2,1) valid', x: [1, 9, 8, 2], k: [3, 3, 2, 2], strides: [2, 1], padding: 'valid', dilations: [1, 1] },
  { name: '3x3 dilation 2 same', x: [1, 9, 9, 2], k: [3, 3, 2, 2], strides: [1, 1], padding: 'same', dilations: [2, 2] },
  { name: '3x3 dilation 2 valid', x: [1, 9, 9, 2], k: [3, 3, 2, 2], strides: [1, 1], padding: 'valid', dilations: [2, 2] },
];

const node = (id: string, op: string, attrs: object, outputShape: Shape, inputs = ['x']) =>
  ({ id, op, inputs, attrs, outputShape }) as unknown as IRNode;

/** Adjoint checks of the ops that carry no kernel-shape computation: [name, node, input shapes, kernel shape]. */
const OTHER_ADJOINTS: readonly [string, IRNode, Shape[], Shape?][] = [
  ['conv2dTranspose 3x3 stride 2 same', node('t', 'conv2dTranspose', { strides: [2, 2], padding: 'same' }, [8, 8, 3]), [[1, 4, 4, 2]], [3, 3, 3, 2]],
  ['conv2dTranspose 3x3 stride 2 valid', node('t', 'conv2dTranspose', { strides: [2, 2], padding: 'valid' }, [9, 9, 1]), [[1, 4, 4, 2]], [3, 3, 1, 2]],
  ['depthwiseConv2d 3x3 stride 2 same', node('d', 'depthwiseConv2d', { strides: [2, 2], padding: 'same', dilations: [1, 1] }, [3, 3, 4]), [[1, 6, 6, 2]], [3, 3, 2, 2]],
  ['depthwiseConv2d 3x3 valid', node('d', 'depthwiseConv2d', { strides: [1, 1], padding: 'valid', dilations: [1, 1] }, [4, 4, 2]), [[1, 6, 6, 2]], [3, 3, 2, 1]],
  ['dense', node('f', 'dense', {}, [3]), [[2, 5]], [5, 3]],
  ['batchNorm', node('b', 'batchNorm', {}, [2, 2, 3]), [[1, 2, 2, 3]], [3]],
  ['avgPool2d 3x3/2 same', node('p', 'avgPool2d', { poolSize: [3, 3], strides: [2, 2], padding: 'same' }, [4, 3, 2]), [[1, 7, 6, 2]]],
  ['avgPool2d 3x3/2 valid', node('p', 'avgPool2d', { poolSize: [3, 3], strides: [2, 2], padding: 'valid' }, [3, 2, 2]), [[1, 7, 6, 2]]],
  ['globalAvgPool2d', node('g', 'globalAvgPool2d', { keepDims: false }, [2]), [[2, 3, 4, 2]]],
  ['zeroPadding2d', node('z', 'zeroPadding2d', { padding: [[1, 2], [3, 0]] }, [6, 7, 2]), [[1, 3, 4, 2]]],
  ['upSampling2d', node('u', 'upSampling2d', { size: [2, 3] }, [6, 12, 2]), [[1, 3, 4, 2]]],
  ['concat', node('c', 'concat', { axis: 3 }, [3, 4, 5], ['a', 'b']), [[1, 3, 4, 2], [1, 3, 4, 3]]],
  ['add', node('a', 'add', {}, [3, 4, 2], ['a', 'b']), [[1, 3, 4, 2], [1, 3, 4, 2]]],
  ['flatten', node('f', 'flatten', {}, [24]), [[2, 3, 4, 2]]],
  ['reshape', node('r', 'reshape', { targetShape: [6, 4] }, [6, 4]), [[2, 3, 4, 2]]],
];

/** Hand-made max-pool cases: input, pool, expected forward, seed, expected routed relevance. */
const MAX_POOL_CASES = [
  {
    name: 'max-pool routing 2x2/2 valid (first maximum wins, remainder gets nothing)',
    x: [1, 2, 0, 0, 9, 3, 1, 0, 0, 9, 5, 5, 4, 1, 9, 5, 2, 2, 4, 9, 9, 9, 9, 9, 9],
    size: 5,
    pool: 2,
    stride: 2,
    y: [3, 0, 5, 4],
    r: [0, 0, 2, 0, 0, 1, 0, 0, 0, 0, 3, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
  },
  {
    name: 'max-pool routing 3x3/1 valid (overlapping windows sum)',
    x: [1, 9, 2, 3, 4, 5, 6, 7, 8, 0, 1, 2, 9, 9, 0, 1],
    size: 4,
    pool: 3,
    stride: 1,
    y: [9, 9, 9, 9],
    r: [0, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 4, 0, 0],
  },
] as const;

const sameArray = (a: ArrayLike<number>, b: readonly number[]) => a.length === b.length && b.every((v, i) => a[i] === v);

/**
 * Runs the conformance suite on `backend` (set up first). Returns the report; throws an
 * `AssertionError` naming every failing check unless `throwOnFailure: false`.
 */
export async function runConformanceSuite(backend: Backend, options: ConformanceOptions): Promise<ConformanceReport> {
  const tolerance = options.tolerance ?? 1e-4;
  const adjointTolerance = options.adjointTolerance ?? 1e-5;
  const support = await backend.isSupported();
  if (!support.supported) throw new Error(`backend '${backend.id}' is not supported here: ${support.reason}`);
  await backend.setup();
  if (tf.getBackend() !== backend.id) throw new Error(`backend '${backend.id}' set up, but tfjs runs on '${tf.getBackend()}'`);
  const checks: ConformanceCheck[] = [];
  const before = tf.memory().numTensors;

  const check = async (name: string, limit: number, run: () => number | Promise<number>) => {
    try {
      const error = await run();
      const ok = Number.isFinite(error) && error <= limit;
      checks.push(ok ? { name, error, ok } : { name, error, ok, message: `error ${error} > ${limit}` });
    } catch (e) {
      checks.push({ name, error: null, ok: false, message: e instanceof Error ? e.message : String(e) });
    }
    options.onCheck?.(checks[checks.length - 1]!);
  };

  // 1. Adjoints, and the fast transposed convolution against tfjs.
  for (const c of CONV_CASES) {
    const outShape = tf.tidy(() => tf.conv2d(tf.zeros(c.x) as tf.Tensor4D, tf.zeros(c.k) as tf.Tensor4D, c.strides, c.padding, 'NHWC', c.dilations).shape.slice(1));
    const n = node('c', 'conv2d', { strides: c.strides, padding: c.padding, dilations: c.dilations }, outShape);
    await check(`adjoint conv2d ${c.name}`, adjointTolerance, () => adjointGap(n, [c.x], c.k));
    // tf.conv2dTranspose has no dilations.
    if (c.dilations[0] === 1 && c.dilations[1] === 1) {
      await check(`conv2dBackwardInput = tf.conv2dTranspose, ${c.name}`, adjointTolerance, async () => {
        const [fast, slow] = tf.tidy(() => {
          const kernel = tf.randomUniform(c.k, -1, 1, 'float32', 2) as tf.Tensor4D;
          const dy = tf.randomUniform([c.x[0], ...outShape] as Shape4, -1, 1, 'float32', 9) as tf.Tensor4D;
          return [conv2dBackwardInput(dy, kernel, [c.x[1], c.x[2]], c.strides, c.padding), tf.conv2dTranspose(dy, kernel, c.x, c.strides, c.padding)];
        });
        const shapes = `${fast!.shape} ≠ ${slow!.shape}`;
        const sameShape = fast!.shape.join() === slow!.shape.join();
        const [f, s] = await readAll([fast!, slow!]);
        if (!sameShape) throw new Error(`shape ${shapes}`);
        return maxRelativeError(f!, s!);
      });
    }
  }
  for (const [name, n, shapes, kernel] of OTHER_ADJOINTS) {
    await check(`adjoint ${name}`, adjointTolerance, () => adjointGap(n, shapes, kernel));
  }

  // 2. Max-pool routing.
  for (const c of MAX_POOL_CASES) {
    await check(c.name, 0, async () => {
      const [yT, rT] = tf.tidy(() => {
        const x = tf.tensor4d([...c.x], [1, c.size, c.size, 1]);
        const side = Math.floor((c.size - c.pool) / c.stride) + 1;
        const n = node('m', 'maxPool2d', { poolSize: [c.pool, c.pool], strides: [c.stride, c.stride], padding: 'valid' }, [side, side, 1]);
        const y = OPS.maxPool2d.forward(n, [x], undefined);
        return [y, OPS.maxPool2d.vjp(n, tf.tensor4d([1, 2, 3, 4], [1, side, side, 1]), [x], y, undefined)[0]!];
      });
      const [y, r] = await readAll([yT!, rT!]);
      if (!sameArray(y!, c.y)) throw new Error(`forward ${Array.from(y!)} ≠ ${c.y}`);
      if (!sameArray(r!, c.r)) throw new Error(`routed ${Array.from(r!)} ≠ ${c.r}`);
      return 0;
    });
  }

  // 3. The golden fixtures.
  const registry = createRegistry([...options.plugins]);
  for (const caseName of options.fixtures ?? listFixtureCases()) {
    const fixture = loadFixtureCase(caseName);
    const graph = await loadGraph(fixture.modelPath);
    const input = tf.tensor(fixture.input.data, [...fixture.input.shape]);
    try {
      for (const explanation of fixture.expected.explanations) {
        for (const [methodName, method] of Object.entries(explanation.methods)) {
          await check(`fixture ${caseName} / ${explanation.id} / ${methodName}`, tolerance, async () => {
            const spec = methodSpec(methodName, method, fixture.expected);
            const explainer = createExplainer({
              graph,
              registry,
              composite: spec.composite,
              options: spec.options,
              ...(options.checkFinite === false ? { checkFinite: false } : {}),
            });
            try {
              const record = Object.keys(method.relevance_files).filter((l) => l !== 'input');
              const result = explainer.explain(input, {
                target: { layer: explanation.target.layer, indices: explanation.target.indices },
                conditions: (spec.conditions ?? []).map((c) => ({ layer: c.layer, channels: c.channels })),
                record,
              });
              try {
                let worst = 0;
                for (const [layer, file] of Object.entries(method.relevance_files)) {
                  const actual = layer === 'input' ? result.input : result.layers[layer];
                  if (!actual) throw new Error(`layer ${layer} was not recorded`);
                  const expected = fixture.array(file);
                  if (actual.shape.join() !== expected.shape.join()) throw new Error(`${layer}: shape ${actual.shape} ≠ ${expected.shape}`);
                  worst = Math.max(worst, maxRelativeError(await actual.data(), expected.data));
                }
                return worst;
              } finally {
                result.dispose();
              }
            } finally {
              explainer.dispose();
            }
          });
        }
      }
    } finally {
      input.dispose();
    }
  }

  // 4. Leaks over the whole suite.
  const leaked = tf.memory().numTensors - before;
  checks.push(leaked === 0 ? { name: 'no tensor leaks', error: leaked, ok: true } : { name: 'no tensor leaks', error: leaked, ok: false, message: `${leaked} tensors left` });

  const report: ConformanceReport = { backend: backend.id, checks, ok: checks.every((c) => c.ok) };
  if (!report.ok && options.throwOnFailure !== false) {
    const failed = checks.filter((c) => !c.ok);
    throw new AssertionError({
      message: `backend '${backend.id}' failed ${failed.length} conformance check(s):\n${failed.map((c) => `  ${c.name}: ${c.message ?? ''}`).join('\n')}`,
      actual: failed.map((c) => c.name),
      expected: [],
      operator: 'conformance',
    });
  }
  return report;
}
