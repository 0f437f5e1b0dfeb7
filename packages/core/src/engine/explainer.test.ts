import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Composite, Plugin, Rule } from '../contracts.js';
import {
  InvalidArgumentError,
  NonFiniteInputError,
  ShapeMismatchError,
  TargetOutOfRangeError,
  UnknownLayerError,
  UnknownRegistryItemError,
} from '../errors.js';
import type { Graph, IRNode } from '../ir.js';
import { createRegistry } from '../registry.js';
import { uploadGraph } from './device-graph.js';
import { createExplainer } from './explainer.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const host = (shape: number[], values: number[]) => ({ shape, data: Float32Array.from(values) });

/**
 * x (2) → a = affine(x) → relu r → d = dense(r) (2) ; s = add(d, x) : a residual block whose skip
 * path bypasses `r`.
 */
function residual(): Graph {
  const nodes: IRNode[] = [
    { id: 'x', op: 'input', inputs: [], attrs: { shape: [2] }, outputShape: [2] },
    { id: 'a', op: 'dense', inputs: ['x'], attrs: {}, outputShape: [2], params: { kernel: host([2, 2], [1, 2, -1, 1]) } },
    { id: 'r', op: 'relu', inputs: ['a'], attrs: {}, outputShape: [2] },
    { id: 'd', op: 'dense', inputs: ['r'], attrs: {}, outputShape: [2], params: { kernel: host([2, 2], [1, 0, 1, 1]) } },
    { id: 's', op: 'add', inputs: ['d', 'x'], attrs: {}, outputShape: [2] },
  ];
  return { nodes, input: 'x', outputs: ['s'], layers: Object.fromEntries(nodes.map((n) => [n.id, n.id])), warnings: [] };
}

/** LRP-0 written out for this tiny net, with the plain gradient everywhere else. */
const lrp0: Rule = {
  specificationVersion: 'v1',
  id: 'test/lrp0',
  meta: { name: 'LRP-0', description: 'x ⊙ Wᵀ(R/z)', appliesTo: ['dense', 'add'], defaultOptions: {} },
  create: () => ({ branches: [{}], mapSeed: (r, [z]) => [tf.div(r, z!)] }),
};
const passRule: Rule = {
  specificationVersion: 'v1',
  id: 'test/pass',
  meta: { name: 'Pass', description: 'R', appliesTo: ['relu'], defaultOptions: {} },
  create: () => 'pass',
};
const composite: Composite = {
  specificationVersion: 'v1',
  id: 'lrp0',
  description: 'LRP-0',
  rules: [
    { match: { op: ['dense', 'add'] }, use: 'test/lrp0' },
    { match: { op: 'relu' }, use: 'test/pass' },
  ],
};
const plugin: Plugin = { specificationVersion: 'v1', name: 'test', rules: [lrp0, passRule], composites: [composite] };

function setup() {
  const registry = createRegistry([plugin]);
  return createExplainer({ graph: residual(), registry, composite: 'lrp0' });
}

/** x [4, 4, 2] → conv `c` 3×3 (3 channels, bias, stride 1 or 2, same padding). */
const kernel = Array.from({ length: 3 * 3 * 2 * 3 }, (_, i) => ((i * 7) % 11) / 10 - 0.4);
const convNet = (stride: number): Graph => {
  const out = stride === 1 ? 4 : 2;
  const nodes: IRNode[] = [
    { id: 'x', op: 'input', inputs: [], attrs: { shape: [4, 4, 2] }, outputShape: [4, 4, 2] },
    {
      id: 'c',
      op: 'conv2d',
      inputs: ['x'],
      attrs: { strides: [stride, stride], padding: 'same', dilations: [1, 1] },
      outputShape: [out, out, 3],
      params: { kernel: host([3, 3, 2, 3], kernel), bias: host([3], [0.1, -0.2, 0.3]) },
    },
  ];
  return { nodes, input: 'x', outputs: ['c'], layers: { x: 'x', c: 'c' }, warnings: [] };
};

describe('createExplainer', () => {
  it('propagates by hand-checkable numbers and splits the residual sum', () => {
    const explainer = setup();
    const x = tf.tensor2d([[1, 2]]);
    // a = x·[[1,2],[-1,1]] = [1-2, 2+2] = [-1, 4]; r = [0, 4]; d = r·[[1,0],[1,1]] = [4, 4]; s = d + x = [5, 6]
    const out = explainer.forward(x);
    expect(Array.from(out.dataSync())).toEqual([5, 6]);
    const e = explainer.explain(x, { target: { layer: 's', indices: [[1]] }, record: ['d', 'r'] });
    // seed [0, 6]; add: R_d = d ⊙ R/s = [0, 4], R_x(skip) = [0, 2]
    expect(Array.from(e.layers['d']!.dataSync())).toEqual([0, 4]);
    // dense d: R_r = r ⊙ W (R_d/d) = [0·…, 4·1·(4/4)] → r = [0, 4]: R_r = [0, 4]
    expect(Array.from(e.layers['r']!.dataSync())).toEqual([0, 4]);
    // dense a: s_a = R_a / a = [0/-1, 4/4] = [0, 1]; R_x = x ⊙ W s = [1·(2·1), 2·(1·1)] = [2, 2]; plus skip [0, 2]
    expect(Array.from(e.input.dataSync())).toEqual([2, 4]);
    e.dispose();
    tf.dispose([x, out]);
    explainer.dispose();
  });

  it('excludes relevance that bypasses a conditioned layer (the residual skip)', () => {
    const explainer = setup();
    const x = tf.tensor2d([[1, 2]]);
    const e = explainer.explain(x, { target: { layer: 's', indices: [[1]] }, conditions: [{ layer: 'r', channels: [[0, 1]] }] });
    // Keeping every channel of r still drops the skip path's [0, 2].
    expect(Array.from(e.input.dataSync())).toEqual([2, 2]);
    e.dispose();
    const masked = explainer.explain(x, { target: { layer: 's', indices: [[1]] }, conditions: [{ layer: 'r', channels: [[0]] }] });
    expect(Array.from(masked.input.dataSync())).toEqual([0, 0]);
    masked.dispose();
    tf.dispose(x);
    explainer.dispose();
  });

  it('batched (expanding) conditions equal the conditions one by one, in any chunk size', () => {
    const explainer = setup();
    const x = tf.tensor2d([[1, 2], [-0.5, 3]]);
    const target = { layer: 's', indices: [[1], [0]] };
    const masks = tf.tensor2d([[1, 0], [0, 1], [1, 1]]);
    explainer.explain(x, { target }).dispose(); // caches the transposed Dense kernels (kept by the explainer)
    const before = tf.memory().numTensors;
    for (const chunkSize of [1, 2, 3]) {
      const batched = explainer.explain(x, { target, conditions: [{ layer: 'r', expand: masks }], record: ['r', 'd', 'a'], chunkSize });
      expect(batched.input.shape).toEqual([6, 2]);
      expect(batched.layers['r']!.shape).toEqual([6, 2]);
      expect(batched.layers['a']!.shape).toEqual([6, 2]);
      expect(batched.layers['d']!.shape).toEqual([2, 2]); // above the expansion: one row per sample
      const rows = batched.input.arraySync() as number[][];
      const recordedA = batched.layers['a']!.arraySync() as number[][];
      [[0], [1], [0, 1]].forEach((channels, k) => {
        const single = explainer.explain(x, { target, conditions: [{ layer: 'r', channels: [channels] }], record: ['a'] });
        const expected = single.input.arraySync() as number[][];
        const expectedA = single.layers['a']!.arraySync() as number[][];
        for (let n = 0; n < 2; n++) {
          expect(rows[n * 3 + k]).toEqual(expected[n]);
          expect(recordedA[n * 3 + k]).toEqual(expectedA[n]);
        }
        single.dispose();
      });
      batched.dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
    expect(() => explainer.explain(x, { target, conditions: [{ layer: 'r', expand: tf.zeros([2, 3]) }] })).toThrow(ShapeMismatchError);
    tf.dispose([x, masks]);
    explainer.dispose();
  });

  it('batched conditions share the modified forwards of each sample across chunks without changing results', () => {
    const zPlusLike: Rule = {
      specificationVersion: 'v1',
      id: 'test/zplus',
      meta: { name: 'z+', description: 'x⁺ ⊙ W⁺ᵀ(R/z⁺)', appliesTo: ['dense'], defaultOptions: {} },
      create: () => ({
        branches: [{ input: 'positive', param: (p) => tf.relu(p) }],
        mapSeed: (r, [z]) => [tf.div(r, tf.add(z!, 1e-6))],
      }),
    };
    const registry = createRegistry([{ ...plugin, rules: [lrp0, passRule, zPlusLike] }]);
    const zp: Composite = { ...composite, id: 'zp', rules: [{ match: { op: 'dense' }, use: 'test/zplus' }, ...composite.rules] };
    const explainer = createExplainer({ graph: residual(), registry, composite: zp });
    const x = tf.tensor2d([[1, 2], [0.5, 3]]);
    const target = { layer: 's', indices: [[1], [0]] };
    const masks = tf.tensor2d([[1, 0], [0, 1], [1, 1]]);
    explainer.explain(x, { target }).dispose(); // caches W⁺ of both Dense nodes (kept by the explainer)
    const before = tf.memory().numTensors;
    const batched = explainer.explain(x, { target, conditions: [{ layer: 'r', expand: masks }], chunkSize: 2 });
    const rows = batched.input.arraySync() as number[][];
    [[0], [1], [0, 1]].forEach((channels, k) => {
      const single = explainer.explain(x, { target, conditions: [{ layer: 'r', channels: [channels] }] });
      const expected = single.input.arraySync() as number[][];
      for (let n = 0; n < 2; n++) for (let i = 0; i < 2; i++) expect(rows[n * 3 + k]![i]).toBeCloseTo(expected[n]![i]!, 6);
      single.dispose();
    });
    batched.dispose();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, masks]);
    explainer.dispose();
  });

  it('applies outgoing transforms to the relevance leaving a layer, and collects what rules report', () => {
    const reporting: Rule = {
      specificationVersion: 'v1',
      id: 'test/reporting-pass',
      meta: { name: 'Pass+', description: 'R, reporting ΣR', appliesTo: ['relu'], defaultOptions: {} },
      create: () => ({
        propagate: (r, ctx) => {
          ctx.report('sum', tf.sum(r, -1));
          return [tf.clone(r)];
        },
      }),
    };
    const registry = createRegistry([{ ...plugin, rules: [lrp0, passRule, reporting] }]);
    const withReport: Composite = { ...composite, id: 'rep', rules: [{ match: { op: 'relu' }, use: 'test/reporting-pass' }, ...composite.rules] };
    const explainer = createExplainer({ graph: residual(), registry, composite: withReport, outgoing: [{ layer: 'd', transform: (r) => tf.mul(r, 2) }] });
    const x = tf.tensor2d([[1, 2]]);
    explainer.explain(x, { target: { layer: 's', indices: [[1]] } }).dispose(); // fills the explainer's kernel caches
    const before = tf.memory().numTensors;
    const e = explainer.explain(x, { target: { layer: 's', indices: [[1]] } });
    // The path through d doubles ([2, 2] → [4, 4]); the skip keeps its [0, 2].
    expect(Array.from(e.input.dataSync())).toEqual([4, 6]);
    expect(Array.from(e.reports['r']!['sum']!.dataSync())).toEqual([8]);
    e.dispose();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose(x);
    explainer.dispose();
  });

  it('can stop the walk at the lowest recorded layer', () => {
    const explainer = setup();
    const x = tf.tensor2d([[1, 2]]);
    const full = explainer.explain(x, { target: { layer: 's', indices: [[1]] }, record: ['r'] });
    const stopped = explainer.explain(x, { target: { layer: 's', indices: [[1]] }, record: ['r'], stopAtRecorded: true });
    expect(stopped.input.shape).toEqual([0]);
    expect(Array.from(stopped.layers['r']!.dataSync())).toEqual(Array.from(full.layers['r']!.dataSync()));
    const masks = tf.tensor2d([[1, 0], [0, 1]]);
    const expanded = explainer.explain(x, { target: { layer: 's', indices: [[1]] }, conditions: [{ layer: 'r', expand: masks }], record: ['a'], stopAtRecorded: true });
    expect(expanded.input.shape).toEqual([0]);
    expect(expanded.layers['a']!.shape).toEqual([2, 2]);
    tf.dispose([x, masks]);
    full.dispose();
    stopped.dispose();
    expanded.dispose();
    explainer.dispose();
  });

  it('leaves no tensor behind, also when it throws', () => {
    const x = tf.tensor2d([[1, 2], [3, -1]]);
    const initially = tf.memory().numTensors;
    const explainer = setup();
    // The first explanation caches derived kernels (kept until the explainer is disposed).
    explainer.explain(x, { target: { layer: 's', indices: [[0], [1]] } }).dispose();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) explainer.explain(x, { target: { layer: 's', indices: [[0], [1]] }, record: ['d'] }).dispose();
    expect(() => explainer.explain(x, { target: { layer: 's', indices: [[5]] } })).toThrow(TargetOutOfRangeError);
    expect(() => explainer.explain(x, { target: { layer: 's', indices: [[0]] }, conditions: [{ layer: 'r', channels: [[9]] }] })).toThrow(InvalidArgumentError);
    expect(tf.memory().numTensors).toBe(before);
    explainer.dispose();
    expect(tf.memory().numTensors).toBe(initially);
    tf.dispose(x);
  });

  it('shares one device graph between explainers, also without host parameters, and frees it once', () => {
    const registry = createRegistry([plugin]);
    const x = tf.tensor2d([[1, 2], [3, -1]]);
    const initially = tf.memory().numTensors;
    const plain = createExplainer({ graph: residual(), registry, composite: 'lrp0' });
    const expected = plain.explain(x, { target: { layer: 's', indices: [[0], [1]] } });
    const device = uploadGraph(residual(), { dropHostParams: true });
    expect(device.graph.nodes.every((n) => n.params === undefined)).toBe(true);
    const uploaded = tf.memory().numTensors;
    const a = createExplainer({ graph: device, registry, composite: 'lrp0' });
    const b = createExplainer({ graph: device, registry, composite: 'lrp0' });
    // No second upload: the explainers use the device graph's tensors.
    expect(tf.memory().numTensors).toBe(uploaded);
    for (const explainer of [a, b]) {
      const e = explainer.explain(x, { target: { layer: 's', indices: [[0], [1]] } });
      expect(Array.from(e.input.dataSync())).toEqual(Array.from(expected.input.dataSync()));
      e.dispose();
    }
    a.dispose();
    // Disposing one explainer leaves the shared parameters to the other.
    const again = b.explain(x, { target: { layer: 's', indices: [[0], [1]] } });
    again.dispose();
    b.dispose();
    device.dispose();
    expect(() => createExplainer({ graph: device, registry, composite: 'lrp0' })).toThrow(InvalidArgumentError);
    expected.dispose();
    plain.dispose();
    expect(tf.memory().numTensors).toBe(initially);
    tf.dispose(x);
  });

  it('rejects bad inputs and targets with typed errors that say what is wrong', () => {
    const explainer = setup();
    const x = tf.tensor2d([[1, 2]]);
    expect(() => explainer.explain(tf.zeros([1, 3]), { target: { layer: 's', indices: [[0]] } })).toThrow(ShapeMismatchError);
    expect(() => explainer.explain(tf.zeros([1, 3]), { target: { layer: 's', indices: [[0]] } })).toThrow('[1, 3] but [N, 2]');
    expect(() => explainer.explain(tf.tensor2d([[NaN, 1]]), { target: { layer: 's', indices: [[0]] } })).toThrow(NonFiniteInputError);
    expect(() => explainer.explain(tf.tensor2d([[1, Infinity]]), { target: { layer: 's', indices: [[0]] } })).toThrow(/first at flat index 1/);
    expect(() => explainer.explain(x, { target: { layer: 's', indices: [[2]] } })).toThrow(/out of range for layer 's' with output shape \[2\]/);
    expect(() => explainer.explain(x, { target: { layer: 's', indices: [[0, 0]] } })).toThrow(TargetOutOfRangeError);
    expect(() => explainer.explain(x, { target: { layer: 's', indices: [[0], [1]] } })).toThrow(/2 target indices given for a batch of 1/);
    expect(() => explainer.explain(x, { target: { layer: 'nope', indices: [[0]] } })).toThrow(UnknownLayerError);
    expect(() => explainer.explain(x, { target: { layer: 's', indices: [[0]] }, record: ['nope'] })).toThrow(/the model has: x, a, r, d, s/);
    expect(() => explainer.explain(x, { target: { layer: 'd', indices: [[0]] }, conditions: [{ layer: 's', channels: [[0]] }] })).toThrow(/not below the target/);
    expect(() => explainer.explain(x, { target: { layer: 's', seed: tf.zeros([1, 3]) } })).toThrow(ShapeMismatchError);
    explainer.dispose();
    expect(() => explainer.explain(x, { target: { layer: 's', indices: [[0]] } })).toThrow(/disposed/);
    tf.dispose(x);
  });

  it('names the package of a composite or rule that is not registered', () => {
    const registry = createRegistry([plugin]);
    expect(() => createExplainer({ graph: residual(), registry, composite: 'epsilon' })).toThrow(UnknownRegistryItemError);
    expect(() => createExplainer({ graph: residual(), registry, composite: 'epsilon' })).toThrow(/@nrm\/rules-lrp/);
    const bad: Composite = { ...composite, id: 'bad', rules: [{ match: { op: 'dense' }, use: 'lrp/gamma' }] };
    expect(() => createExplainer({ graph: residual(), registry, composite: bad })).toThrow(/Unknown rule 'lrp\/gamma'.*@nrm\/rules-lrp/);
    const misbound: Composite = { ...composite, id: 'misbound', rules: [{ match: { op: 'dense' }, use: 'test/pass' }] };
    expect(() => createExplainer({ graph: residual(), registry, composite: misbound })).toThrow(/applies only to: relu/);
  });

  it('binds first/last positions and reports the rule of every node', () => {
    const registry = createRegistry([plugin]);
    const positional: Composite = {
      ...composite,
      id: 'positional',
      rules: [{ match: { op: 'dense', position: 'first' }, use: 'test/lrp0' }, ...composite.rules.slice(1)],
    };
    const explainer = createExplainer({ graph: residual(), registry, composite: positional });
    expect(explainer.rules).toEqual({ x: 'builtin/pass', a: 'test/lrp0', r: 'test/pass', d: 'builtin/gradient', s: 'builtin/gradient' });
    explainer.dispose();
  });

  it('frees a modified kernel that only a transposed map uses, keeping the flipped kernel that map reads', () => {
    // On `convNet`: a rule whose one branch scales W by 2 for its transposed map only
    // (`forward: false`): R_in = x ⊙ (2W)ᵀ(R ⊘ z).
    const doubledTransposeOnly: Rule = {
      specificationVersion: 'v1',
      id: 'test/doubled',
      meta: { name: 'Doubled', description: 'x ⊙ (2W)ᵀ(R/z)', appliesTo: ['conv2d'], defaultOptions: {} },
      create: () => ({ branches: [{ param: (p) => tf.mul(p, 2), forward: false }], mapSeed: (r, [z]) => [tf.div(r, z!)] }),
    };
    const doubled: Composite = { specificationVersion: 'v1', id: 'doubled', description: '', rules: [{ match: { op: 'conv2d' }, use: 'test/doubled' }] };
    const registry = createRegistry([{ specificationVersion: 'v1', name: 'test', rules: [doubledTransposeOnly], composites: [doubled] }]);
    const x = tf.tensor4d(Array.from({ length: 32 }, (_, i) => ((i * 5) % 9) / 4 - 1), [1, 4, 4, 2]);
    const kernelBytes = kernel.length * 4;
    for (const stride of [1, 2]) {
      const graph = convNet(stride);
      const device = uploadGraph(graph);
      const explainer = createExplainer({ graph: device, registry, composite: 'doubled', inputNonNegative: false });
      const bytesBefore = tf.memory().numBytes;
      const tensorsBefore = tf.memory().numTensors;
      const explanation = explainer.explain(x, { target: { layer: 'c', indices: [[1, 1, 2]] } });
      // By hand: the seed is z at the target, so R ⊘ z is one-hot there; R_in = x ⊙ (2W)ᵀ·onehot.
      const expected = tf.tidy(() => {
        const out = stride === 1 ? 4 : 2;
        const onehot = tf.reshape(tf.cast(tf.oneHot([(1 * out + 1) * 3 + 2], out * out * 3), 'float32'), [1, out, out, 3]) as tf.Tensor4D;
        const w2 = tf.mul(device.params.get('c')!.kernel, 2) as tf.Tensor4D;
        return tf.mul(x, tf.conv2dTranspose(onehot, w2, [1, 4, 4, 2], stride, 'same'));
      });
      expect(Array.from(explanation.input.dataSync())).toEqual(Array.from(expected.dataSync()).map((v) => expect.closeTo(v, 5)));
      tf.dispose([explanation, expected]);
      // What the explainer keeps after its first explanation: stride 1, the flipped 2W only (2W
      // itself is freed); stride 2 (stride phases, which read the kernel), 2W and its phase kernels.
      const keptTensors = tf.memory().numTensors - tensorsBefore;
      const keptBytes = tf.memory().numBytes - bytesBefore;
      if (stride === 1) {
        expect(keptTensors).toBe(1);
        expect(keptBytes).toBe(kernelBytes);
      } else {
        expect(keptTensors).toBeGreaterThan(1);
        expect(keptBytes).toBeGreaterThan(kernelBytes);
      }
      explainer.dispose();
      device.dispose();
    }
    x.dispose();
  });

  it('gives branches that pass the same modifier one modified kernel (and one derived kernel)', () => {
    // R_in = x ⊙ ((2W)ᵀ(R ⊘ z₂) − ½(2W)ᵀ(R ⊘ z₂)) with z₂ = 2Wx + 2b, by a forward branch and a
    // transpose-only branch: with one modifier they share 2W and its flip.
    const ruleWith = (id: string, first: (p: tf.Tensor) => tf.Tensor, second: (p: tf.Tensor) => tf.Tensor): Rule => ({
      specificationVersion: 'v1',
      id,
      meta: { name: id, description: '', appliesTo: ['conv2d'], defaultOptions: {} },
      create: () => ({
        branches: [{ param: first }, { param: second, forward: false, coefficient: -0.5 }],
        mapSeed: (r, [z2]) => {
          const s = tf.div(r, z2!);
          return [s, s];
        },
      }),
    });
    const double = (p: tf.Tensor) => tf.mul(p, 2);
    const shared = ruleWith('test/shared', double, double);
    const separate = ruleWith('test/separate', double, (p) => tf.mul(p, 2));
    const composites: Composite[] = ['shared', 'separate'].map((id) => ({ specificationVersion: 'v1', id, description: '', rules: [{ match: { op: 'conv2d' }, use: `test/${id}` }] }));
    const registry = createRegistry([{ specificationVersion: 'v1', name: 'test', rules: [shared, separate], composites }]);
    const x = tf.tensor4d(Array.from({ length: 32 }, (_, i) => ((i * 5) % 9) / 4 - 1), [1, 4, 4, 2]);
    const device = uploadGraph(convNet(1));
    const results: number[][] = [];
    const kept: number[] = [];
    for (const composite of ['shared', 'separate']) {
      const explainer = createExplainer({ graph: device, registry, composite });
      const before = tf.memory().numTensors;
      const explanation = explainer.explain(x, { target: { layer: 'c', indices: [[1, 1, 2]] } });
      results.push(Array.from(explanation.input.dataSync()));
      explanation.dispose();
      kept.push(tf.memory().numTensors - before);
      explainer.dispose();
    }
    // Shared: 2W, 2b and the flipped 2W. Separate: the second branch's own flipped 2W besides.
    expect(kept).toEqual([3, 4]);
    expect(results[0]).toEqual(results[1]!.map((v) => expect.closeTo(v, 6)));
    device.dispose();
    x.dispose();
  });
});
