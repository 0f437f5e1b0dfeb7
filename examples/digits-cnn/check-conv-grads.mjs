// Checks wasm-conv2d-grads.mjs against the reference Conv2D gradient kernels of
// @tensorflow/tfjs-backend-cpu (a dependency of tfjs-backend-wasm, resolved
// through it), for the model's four conv shapes and a few other strides,
// paddings and kernel sizes, and checks no wasm buffers leak. Then compares the
// full loss gradient of the digits CNN (every weight) on one batch of 64 real
// digits, cpu vs wasm.
//
//   node examples/digits-cnn/check-conv-grads.mjs      # exits 1 on a mismatch

import { createRequire } from 'node:module';

import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-layers'; // registers the gradients
import '@tensorflow/tfjs-backend-wasm';

import { loadDigitsSplit, mulberry32 } from './split.mjs';
import { buildModel } from './train.mjs';
import { registerWasmConv2DGradients } from './wasm-conv2d-grads.mjs';

const require = createRequire(import.meta.url);
createRequire(require.resolve('@tensorflow/tfjs-backend-wasm'))('@tensorflow/tfjs-backend-cpu');

await tf.setBackend('wasm');
registerWasmConv2DGradients();

const TOLERANCE = 1e-4; // max |diff| / max |reference|
const cases = [
  { x: [64, 28, 28, 1], f: [3, 3, 1, 8], s: 1, pad: 'same' }, // conv1
  { x: [64, 28, 28, 8], f: [3, 3, 8, 8], s: 1, pad: 'same' }, // conv2
  { x: [64, 14, 14, 8], f: [3, 3, 8, 16], s: 1, pad: 'same' }, // conv3
  { x: [64, 14, 14, 16], f: [3, 3, 16, 16], s: 1, pad: 'same' }, // conv4
  { x: [2, 9, 9, 3], f: [3, 3, 3, 4], s: 1, pad: 'valid' },
  { x: [2, 10, 10, 2], f: [5, 4, 2, 3], s: 1, pad: 'same' },
  { x: [2, 10, 10, 2], f: [5, 5, 2, 3], s: 1, pad: 2 },
  { x: [2, 10, 12, 2], f: [3, 3, 2, 3], s: 1, pad: [[0, 0], [0, 2], [1, 0], [0, 0]] },
  { x: [2, 9, 11, 3], f: [3, 2, 3, 5], s: 2, pad: 'same' },
  { x: [2, 9, 11, 3], f: [3, 3, 3, 4], s: [2, 1], pad: 'valid' },
  { x: [2, 11, 12, 2], f: [3, 3, 2, 3], s: 3, pad: 'valid' },
];

const rng = mulberry32(1);
const rand = (shape) => Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng() * 2 - 1);
const relErr = (ref, got) => {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < ref.length; i++) {
    diff = Math.max(diff, Math.abs(ref[i] - got[i]));
    scale = Math.max(scale, Math.abs(ref[i]));
  }
  return diff / scale;
};

let failures = 0;
for (const c of cases) {
  const xData = rand(c.x);
  const wData = rand(c.f);
  const out = {};
  let dyData;
  for (const backend of ['cpu', 'wasm']) {
    await tf.setBackend(backend);
    const x = tf.tensor4d(xData, c.x);
    const w = tf.tensor4d(wData, c.f);
    const yShape = tf.conv2d(x, w, c.s, c.pad).shape;
    dyData ??= rand(yShape);
    const dy = tf.tensor4d(dyData, yShape);
    const before = tf.engine().backend.numDataIds();
    const dw = tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { strides: c.s, pad: c.pad, dataFormat: 'NHWC', filterShape: c.f });
    const dx = tf.engine().runKernel('Conv2DBackpropInput', { dy, filter: w }, { strides: c.s, pad: c.pad, dataFormat: 'NHWC', inputShape: c.x });
    out[backend] = {
      dw: dw.dataSync(), dx: dx.dataSync(), dwShape: String(dw.shape), dxShape: String(dx.shape),
      leaked: tf.engine().backend.numDataIds() - before - 2,
    };
    tf.dispose([x, w, dy, dw, dx]);
  }
  const eW = relErr(out.cpu.dw, out.wasm.dw);
  const eX = relErr(out.cpu.dx, out.wasm.dx);
  const ok = eW < TOLERANCE && eX < TOLERANCE && out.wasm.leaked === 0 &&
    out.cpu.dwShape === out.wasm.dwShape && out.cpu.dxShape === out.wasm.dxShape;
  if (!ok) failures++;
  console.log(
    `${ok ? 'ok  ' : 'FAIL'} x=[${c.x}] filter=[${c.f}] strides=${JSON.stringify(c.s)} pad=${JSON.stringify(c.pad)}  ` +
      `dW rel.err ${eW.toExponential(1)}  dx rel.err ${eX.toExponential(1)}  leaked buffers ${out.wasm.leaked}`,
  );
}
// Whole-model gradient, one batch, same initial weights on both backends.
{
  const { train } = loadDigitsSplit({ seed: 42, trainCount: 64, testCount: 0 });
  const grads = {};
  for (const backend of ['cpu', 'wasm']) {
    await tf.setBackend(backend);
    const model = buildModel(42);
    const x = tf.tensor4d(train.images, [64, 28, 28, 1]);
    const y = tf.oneHot(tf.tensor1d(train.labels, 'int32'), 10);
    const { grads: g } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true })));
    grads[backend] = Object.fromEntries(Object.entries(g).map(([k, t]) => [k.replace(/_\d+$/, ''), t.dataSync()]));
    tf.dispose([x, y, ...Object.values(g)]);
    model.dispose();
  }
  for (const name of Object.keys(grads.cpu)) {
    const e = relErr(grads.cpu[name], grads.wasm[name]);
    const ok = e < TOLERANCE;
    if (!ok) failures++;
    console.log(`${ok ? 'ok  ' : 'FAIL'} model gradient ${name.padEnd(14)} rel.err ${e.toExponential(1)}`);
  }
}

console.log(failures ? `${failures} case(s) failed` : `all kernel cases and model gradients match tfjs-backend-cpu (tolerance ${TOLERANCE})`);
process.exit(failures ? 1 : 0);
