#!/usr/bin/env node
/**
 * Per-op micro-profile of what NRM's backward walk does on VGG16, with tf ops directly (no
 * explainer): for each VGG16 conv, its forward vs the engine's transposed map
 * (`conv2dBackwardInput`: reverse + transpose of the kernel, then a forward conv) and the pieces
 * of that map; for each Dense, forward vs the transposed matMul; for each max-pool, the forward vs
 * the engine's winner-take-all backward (`OPS.maxPool2d.vjp`).
 *
 *   node bench/profile-ops.mjs [--size 224] [--backend wasm|cpu] [--runs 3] [--json out.json]
 *
 * Every timing reads its result (dataSync) and is the median of `--runs` runs after one warm-up.
 */
import { writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { OPS, conv2dBackwardInput, createRegistry } from '@nrm/core';
import { cpu } from '@nrm/backend-cpu';
import { wasm } from '@nrm/backend-wasm';

const { values } = parseArgs({
  options: {
    size: { type: 'string', default: '224' },
    backend: { type: 'string', default: 'wasm' },
    runs: { type: 'string', default: '3' },
    json: { type: 'string' },
  },
});
const size = Number(values.size);
const runs = Number(values.runs);
if (!['cpu', 'wasm'].includes(values.backend)) throw new Error(`--backend cpu|wasm, got ${values.backend}`);
await createRegistry([cpu, wasm]).backend(values.backend).setup();

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const r1 = (x) => Math.round(x * 10) / 10;
/** Median wall time of `f` (which returns a tensor, read and disposed), after one warm-up. */
function time(f) {
  const once = () => {
    const t0 = performance.now();
    const y = f();
    y.dataSync();
    const ms = performance.now() - t0;
    y.dispose();
    return ms;
  };
  once();
  return median(Array.from({ length: runs }, once));
}

const CONVS = [
  ['block1_conv1', 1, 3, 64], ['block1_conv2', 1, 64, 64],
  ['block2_conv1', 2, 64, 128], ['block2_conv2', 2, 128, 128],
  ['block3_conv1', 4, 128, 256], ['block3_conv2', 4, 256, 256], ['block3_conv3', 4, 256, 256],
  ['block4_conv1', 8, 256, 512], ['block4_conv2', 8, 512, 512], ['block4_conv3', 8, 512, 512],
  ['block5_conv1', 16, 512, 512], ['block5_conv2', 16, 512, 512], ['block5_conv3', 16, 512, 512],
];
const rows = [];
const totals = {};
const add = (k, v) => (totals[k] = (totals[k] ?? 0) + v);
for (const [name, down, cin, cout] of CONVS) {
  const hw = Math.floor(size / down);
  const x = tf.randomUniform([1, hw, hw, cin], 0, 1, 'float32', 1);
  const dy = tf.randomUniform([1, hw, hw, cout], -1, 1, 'float32', 2);
  const w = tf.randomUniform([3, 3, cin, cout], -0.05, 0.05, 'float32', 3);
  const wFlipped = tf.tidy(() => tf.transpose(tf.reverse(w, [0, 1]), [0, 1, 3, 2]));
  const row = {
    conv: name,
    hw,
    cin,
    cout,
    forward: time(() => tf.conv2d(x, w, 1, 'same')),
    // What the engine runs for every transposed map (gradient, every LRP branch).
    engine_transpose: time(() => conv2dBackwardInput(dy, w, [hw, hw], [1, 1], 'same')),
    reverse_kernel: time(() => tf.reverse(w, [0, 1])),
    transpose_kernel: time(() => tf.transpose(w, [0, 1, 3, 2])),
    // The same map with the flipped kernel computed once and kept (XNNPACK's packed operator reused).
    flipped_kept: time(() => tf.conv2d(dy, wFlipped, 1, 'same')),
    // A fresh (but already flipped) kernel tensor each call: the XNNPACK operator is re-created and
    // the weights re-packed, without the reverse/transpose kernels.
    fresh_kernel_conv: time(() => tf.tidy(() => tf.conv2d(dy, tf.clone(wFlipped), 1, 'same'))),
    // tfjs' own input-gradient kernel.
    native_conv2dTranspose: time(() => tf.conv2dTranspose(dy, w, [1, hw, hw, cin], 1, 'same')),
  };
  for (const k of Object.keys(row)) if (typeof row[k] === 'number' && !['hw', 'cin', 'cout'].includes(k)) {
    row[k] = r1(row[k]);
    add(k, row[k]);
  }
  rows.push(row);
  process.stderr.write(`${JSON.stringify(row)}\n`);
  tf.dispose([x, dy, w, wFlipped]);
}

const flat = Math.floor(size / 32) ** 2 * 512;
const dense = [];
for (const [name, inF, outF] of [['fc1', flat, 4096], ['fc2', 4096, 4096], ['predictions', 4096, 1000]]) {
  const x = tf.randomUniform([1, inF], 0, 1, 'float32', 1);
  const s = tf.randomUniform([1, outF], -1, 1, 'float32', 2);
  const w = tf.randomUniform([inF, outF], -0.01, 0.01, 'float32', 3);
  const wT = tf.transpose(w);
  const row = {
    dense: name,
    inF,
    outF,
    forward: r1(time(() => tf.matMul(x, w))),
    engine_transpose: r1(time(() => tf.matMul(s, w, false, true))),
    // The same product with Wᵀ computed once and kept.
    transposed_kept: r1(time(() => tf.matMul(s, wT))),
  };
  add('dense_transposed_kept', row.transposed_kept);
  add('dense_forward', row.forward);
  add('dense_transpose', row.engine_transpose);
  dense.push(row);
  process.stderr.write(`${JSON.stringify(row)}\n`);
  tf.dispose([x, s, w, wT]);
}

const pools = [];
for (const [name, down, c] of [['block1_pool', 1, 64], ['block2_pool', 2, 128], ['block3_pool', 4, 256], ['block4_pool', 8, 512], ['block5_pool', 16, 512]]) {
  const hw = Math.floor(size / down);
  const node = { id: name, op: 'maxPool2d', inputs: [], outputShape: [hw >> 1, hw >> 1, c], attrs: { poolSize: [2, 2], strides: [2, 2], padding: 'valid' } };
  const x = tf.randomUniform([1, hw, hw, c], 0, 1, 'float32', 1);
  const y = tf.maxPool(x, 2, 2, 'valid');
  const s = tf.randomUniform(y.shape, -1, 1, 'float32', 2);
  const row = {
    pool: name,
    hw,
    c,
    forward: r1(time(() => tf.maxPool(x, 2, 2, 'valid'))),
    engine_vjp: r1(time(() => tf.tidy(() => OPS.maxPool2d.vjp(node, s, [x], y)[0]))),
    // tfjs' own kernel (ties: it routes to one maximum per window as well).
    native_maxPoolGrad: r1(time(() => tf.engine().runKernel('MaxPoolGrad', { dy: s, input: x, output: y }, { filterSize: 2, strides: 2, pad: 'valid' }))),
  };
  add('pool_native_grad', row.native_maxPoolGrad);
  add('pool_forward', row.forward);
  add('pool_vjp', row.engine_vjp);
  pools.push(row);
  process.stderr.write(`${JSON.stringify(row)}\n`);
  tf.dispose([x, y, s]);
}
for (const k of Object.keys(totals)) totals[k] = r1(totals[k]);
const out = { backend: values.backend, size, runs, totals, convs: rows, dense, pools, tensors_left: tf.memory().numTensors };
const text = `${JSON.stringify(out, null, 2)}\n`;
process.stdout.write(text);
if (values.json) writeFileSync(values.json, text);
