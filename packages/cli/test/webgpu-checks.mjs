// One of the WebGPU-in-Node checks of src/webgpu-conformance.test.ts (argv[2]: conformance, moved
// or explainer), run in its own Node process with one Dawn instance that is never torn down before
// the result is out: Dawn (the `webgpu` package) has crashed here while devices were destroyed and
// re-created, and while a process tore down. Prints one JSON line, then exits explicitly (as
// PLATFORM.md advises for Dawn in Node).
import * as tf from '@tensorflow/tfjs-core';
import { cpuBackend } from '@nrm/backend-cpu';
import { createWebGpuBackend, webgpuBackend } from '@nrm/backend-webgpu';
import { BackendLimitError, createExplainer, createRegistry } from '@nrm/core';
import { loadGraph } from '@nrm/graph';
import { gradientMethods } from '@nrm/rules-gradient';
import { lrp } from '@nrm/rules-lrp';
import { loadFixtureCase, runConformanceSuite } from '@nrm/testkit';

const part = process.argv[2] ?? 'conformance';
const out = { done: false, part };
const report = await webgpuBackend.isSupported();
out.supported = report.supported;
if (!report.supported) {
  out.reason = report.reason;
} else if (part === 'conformance') {
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
} else if (part === 'moved') {
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
} else if (part === 'explainer') {
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
} else {
  throw new Error(`unknown part '${part}'`);
}
out.done = true;
process.stdout.write(`${JSON.stringify(out)}\n`, () => process.exit(0));
