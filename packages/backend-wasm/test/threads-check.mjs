// Run by src/threads.test.ts in a plain Node process (as the CLI and the bench run): starts the
// wasm backend with the threads asked for on the command line, then prints what it got and a
// convolution's result next to the cpu backend's.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { createWasmBackend, wasmThreadsReport } from '../dist/index.js';

const threads = Number(process.argv[2] ?? 2);
await tf.setBackend('cpu');
const x = tf.randomNormal([1, 20, 20, 16], 0, 1, 'float32', 1);
const w = tf.randomNormal([3, 3, 16, 24], 0, 1, 'float32', 2);
const xs = await x.data();
const ws = await w.data();
const expected = await tf.conv2d(x, w, 1, 'same').data();
await createWasmBackend({ threads }).setup();
const y = tf.conv2d(tf.tensor4d(xs, [1, 20, 20, 16]), tf.tensor4d(ws, [3, 3, 16, 24]), 1, 'same');
const got = await y.data();
let worst = 0;
for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(got[i] - expected[i]));
process.stdout.write(`${JSON.stringify({ backend: tf.getBackend(), report: wasmThreadsReport(), worst })}\n`);
// No process.exit(): the pthread workers must not keep Node alive.
