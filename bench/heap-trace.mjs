#!/usr/bin/env node
/**
 * Where the wasm heap of one explanation goes: what `--rss-probe` of `lrp.mjs` does (build the
 * model, upload its weights, one forward, one explanation), with the wasm backend's allocations
 * watched from JS.
 *
 *   node bench/heap-trace.mjs [--model vgg16|resnet50] [--composite epsilon-gamma-box] [--size 224]
 *
 * Prints JSON lines: per phase the wasm heap's size, the bytes of tensor data alive in it, the
 * process RSS and `process.memoryUsage()`; every growth of the heap during the explanation with the
 * kernel that was running (the allocation that did not fit); the peak of tensor bytes and where it
 * was; the process' peak RSS; the largest mappings of `/proc/self/smaps` (the wasm memory is the
 * big anonymous one).
 *
 * Tensor bytes are counted by wrapping the backend's `_malloc`/`_free` (tfjs-backend-wasm 4.x
 * allocates every tensor through them). XNNPACK's packed weights are allocated inside the wasm
 * module and are not seen: the heap minus the tensor bytes is those, free space and fragmentation.
 * This leans on tfjs-backend-wasm internals (`Module.asm.malloc`); a diagnostic, not a benchmark.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { createExplainer, createRegistry, uploadGraph } from '@nrm/core';
import { buildResNet50, buildVgg16, graphFromLayersModel, tfjsLayers } from '@nrm/graph';
import { lrp } from '@nrm/rules-lrp';
import { gradientMethods } from '@nrm/rules-gradient';
import { wasm } from '@nrm/backend-wasm';

const { values } = parseArgs({
  options: {
    model: { type: 'string', default: 'vgg16' },
    composite: { type: 'string', default: 'epsilon-gamma-box' },
    size: { type: 'string', default: '224' },
  },
});
const size = Number(values.size);
const registry = createRegistry([tfjsLayers, lrp, gradientMethods, wasm]);
await registry.backend('wasm').setup();

const mib = (bytes) => Math.round((bytes / 2 ** 20) * 10) / 10;
const print = (o) => process.stdout.write(`${JSON.stringify(o)}\n`);
const module_ = tf.backend().wasm;
const heapBytes = () => module_.HEAPU8.buffer.byteLength;

// Tensor bytes alive in the heap, by wrapping the module's allocator as the backend calls it.
const sizes = new Map();
let tensorBytes = 0;
let running = '';
let lastHeap = heapBytes();
let tracing = false;
const growth = [];
const peak = { bytes: 0, at: '' };
const noteGrowth = () => {
  const h = heapBytes();
  if (h > lastHeap && tracing) growth.push({ grew_to_mb: mib(h), by_mb: mib(h - lastHeap), during: running, tensor_mb: mib(tensorBytes) });
  lastHeap = h;
};
const malloc = module_.asm.malloc;
const free = module_.asm.free;
module_._malloc = (n) => {
  const p = malloc(n);
  sizes.set(p, n);
  tensorBytes += n;
  noteGrowth();
  return p;
};
module_._free = (p) => {
  tensorBytes -= sizes.get(p) ?? 0;
  sizes.delete(p);
  free(p);
};
// The kernel running (innermost), for the growth and peak records.
const engine = tf.engine();
const runKernel = engine.runKernel.bind(engine);
engine.runKernel = (name, inputs, attrs) => {
  const outer = running;
  running = `${name} ${Object.values(inputs).map((t) => t?.shape?.join('x')).join(', ')}`;
  try {
    const out = runKernel(name, inputs, attrs);
    noteGrowth();
    if (tracing && tensorBytes > peak.bytes) Object.assign(peak, { bytes: tensorBytes, at: running });
    return out;
  } finally {
    running = outer;
  }
};
const phase = (name) => { const m = process.memoryUsage(); print({ phase: name, heap_mb: mib(heapBytes()), tensor_mb: mib(tensorBytes), rss_mb: mib(m.rss), js_heap_used_mb: mib(m.heapUsed), js_heap_total_mb: mib(m.heapTotal), external_mb: mib(m.external), array_buffers_mb: mib(m.arrayBuffers) }); };

phase('start');
const model = (values.model === 'resnet50' ? buildResNet50 : buildVgg16)({ size, seed: 42, zeroBiases: true });
let graph = graphFromLayersModel(model);
model.dispose();
const device = uploadGraph(graph, { dropHostParams: true });
graph = undefined;
phase('weights uploaded');
const input = tf.randomUniform([1, size, size, 3], -1, 1, 'float32', 42);
const options = values.composite === 'epsilon-gamma-box' ? { low: -1, high: 1 } : undefined;
const explainer = createExplainer({ graph: device, registry, composite: values.composite, options });
const logits = explainer.forward(input);
const best = Array.from(await tf.argMax(logits, -1).data());
logits.dispose();
phase('forward');
tracing = true;
const explanation = explainer.explain(input, { target: { layer: 'predictions', indices: best.map((b) => [b]) } });
await explanation.input.data();
tracing = false;
phase('explained');
for (const g of growth) print({ heap_growth: g });
print({ peak_tensor_mb: mib(peak.bytes), during: peak.at });
explanation.dispose();
explainer.dispose();
device.dispose();
input.dispose();
print({ peak_rss_mb: mib(process.resourceUsage().maxRSS * 1024) });
const mappings = [];
for (const line of readFileSync('/proc/self/smaps', 'utf8').split('\n')) {
  if (/^[0-9a-f]+-[0-9a-f]+ /.test(line)) mappings.push({ mapping: line.replace(/\s+/g, ' ').trim(), rss_mb: 0 });
  else if (line.startsWith('Rss:') && mappings.length) mappings.at(-1).rss_mb = mib(Number(line.split(/\s+/)[1]) * 1024);
}
for (const m of mappings.sort((a, b) => b.rss_mb - a.rss_mb).slice(0, 4)) print({ smaps: m });
