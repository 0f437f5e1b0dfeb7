// The WebGPU-in-Node checks of src/webgpu-conformance.test.ts, run in their own Node process:
// Dawn (the `webgpu` package) may crash while the process tears down, after the work is done, and
// a crash there would take a test worker down with it. Prints one JSON line with every result,
// then exits explicitly (as PLATFORM.md advises for Dawn in Node).
import * as tf from '@tensorflow/tfjs-core';
import { cpuBackend } from '@nrm/backend-cpu';
import { createWebGpuBackend, webgpuBackend } from '@nrm/backend-webgpu';
import { BackendLimitError, createExplainer, createRegistry } from '@nrm/core';
import { loadGraph } from '@nrm/graph';
import { gradientMethods } from '@nrm/rules-gradient';
import { lrp } from '@nrm/rules-lrp';
import { loadFixtureCase, runConformanceSuite } from '@nrm/testkit';

const out = { done: false };
const report = await webgpuBackend.isSupported();
out.supported = report.supported;
if (!report.supported) {
  out.reason = report.reason;
} else {
  // 1. The conformance suite (the engine's NaN/Inf check reads synchronously, which WebGPU in Node cannot).
  const started = performance.now();
  const result = await runConformanceSuite(webgpuBackend, { plugins: [lrp, gradientMethods], checkFinite: false });
  out.conformance = {
    backend: result.backend,
    checks: result.checks.length,
    failed: result.checks.filter((c) => !c.ok).map((c) => c.name ?? JSON.stringify(c)),
    adapter: webgpuBackend.adapterSummary()?.name,
    seconds: (performance.now() - started) / 1000,
  };
  await webgpuBackend.dispose();

  // 2. Data moved from another backend is checked before it gets a GPU buffer.
  await cpuBackend.setup();
  const onCpu = tf.tensor1d(new Float32Array(2000).fill(1)); // 8000 bytes on the cpu backend
  const small = createWebGpuBackend({ maxBindingBytes: 4096 });
  await small.setup();
  const before = tf.memory().numTensors;
  try {
    tf.tidy(() => tf.mul(onCpu, 2));
    out.moved = { threw: null };
  } catch (e) {
    out.moved = { threw: e instanceof BackendLimitError ? 'BackendLimitError' : String(e) };
  }
  out.moved.leaked = tf.memory().numTensors - before;
  out.moved.survived = (await onCpu.data()).every((v) => v === 1);
  onCpu.dispose();
  await small.dispose();

  // 3. A parameter above the limit is refused while the explainer uploads it; nothing leaks.
  // vgg_tiny's dense1 kernel, [256, 32] = 32768 bytes, plays VGG16's 411 MB dense kernel.
  await cpuBackend.setup();
  const graph = await loadGraph(loadFixtureCase('vgg_tiny').modelPath);
  const tiny = createWebGpuBackend({ maxBindingBytes: 16384 });
  await tiny.setup();
  const memory = tf.memory();
  try {
    createExplainer({ graph, registry: createRegistry([lrp]), composite: 'epsilon', checkFinite: false }).dispose();
    out.explainer = { threw: null };
  } catch (e) {
    out.explainer = {
      threw: e instanceof BackendLimitError ? 'BackendLimitError' : String(e),
      shape: e?.shape,
      message: e?.message,
    };
  }
  out.explainer.leakedTensors = tf.memory().numTensors - memory.numTensors;
  out.explainer.leakedBuffers = tf.memory().numDataBuffers - memory.numDataBuffers;
  await tiny.dispose();
}
out.done = true;
process.stdout.write(`${JSON.stringify(out)}\n`, () => process.exit(0));
