#!/usr/bin/env node
/**
 * LRP benchmark: Keras VGG16 topology (random, seeded weights) built with tfjs-layers, translated
 * to NRM's graph, and timed on one backend: the forward, the `gradient` composite and the LRP
 * composites, each explaining the argmax logit of one random input in [-1, 1] (batch 1).
 *
 *   node bench/lrp.mjs [--model vgg16] [--size 224] [--backend wasm|cpu] [--runs 3]
 *                      [--composites gradient,epsilon,...] [--seed 42] [--json out.json]
 *                      [--profile]
 *
 * Prints one JSON object on stdout (progress goes to stderr); see bench/README.md for the fields.
 * Plain ESM, no build step: it imports the workspace packages' dist/ (run `pnpm build` first).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';

import * as tf from '@tensorflow/tfjs-core';
import { createExplainer, createRegistry, uploadGraph } from '@nrm/core';
import { buildResNet50, buildVgg16, graphFromLayersModel, tfjsLayers } from '@nrm/graph';
import { lrp } from '@nrm/rules-lrp';
import { gradientMethods } from '@nrm/rules-gradient';
import { cpu } from '@nrm/backend-cpu';
import { createWasmBackend, wasm, wasmThreadsReport } from '@nrm/backend-wasm';

const MODELS = ['vgg16', 'resnet50'];
const BACKENDS = ['cpu', 'wasm'];
/** Everything this bench can time besides the forward, in the order it runs them. */
const ALL_METHODS = ['gradient', 'epsilon', 'epsilon-plus-flat', 'epsilon-gamma-box', 'epsilon-alpha2-beta1'];
/** Options handed to each composite. */
const COMPOSITE_OPTIONS = { 'epsilon-gamma-box': { low: -1, high: 1 } };

const USAGE = `Usage: node bench/lrp.mjs [options]
  --model vgg16|resnet50   model topology (Keras layer names, random seeded weights)
  --size N                 input height and width (default 224; at least 32)
  --backend cpu|wasm       tfjs backend (default wasm)
  --runs N                 timed runs per measurement, after one warm-up (default 3)
  --composites a,b         subset of: ${ALL_METHODS.join(', ')}, run in the order given
                           (default: all, in that order)
  --seed N                 seed of the weights and of the input (default 42)
  --json PATH              also write the JSON result to PATH
  --profile                after timing, profile one explanation per composite with tf.profile
                           (kernel time by kernel name; slows that one run, not the timed ones)
  --crp N                  also time N CRP channel conditions (channels 0..N-1) at --crp-layer with
                           epsilon-plus-flat: batched (one backward walk, N rows, --crp-chunk rows
                           at a time) against one by one (default 0: skip)
  --crp-layer NAME         condition layer (default block4_conv3)
  --crp-chunk N            rows per chunk of the batched walk (default 8)
  --leak-runs N            after timing, run N more explanations (cycling through the composites)
                           and report the tensors left behind (default 0: only the timed runs)
  --threads N              wasm threads (default 1; more starts tfjs's threaded SIMD binary in Node,
                           see @nrm/backend-wasm)
  --batch N                images per explanation (default 1: single-image latency; more: throughput,
                           also reported as ms per image)
  --no-rss-probe           skip the peak-RSS probes (by default each composite's peak RSS of one
                           explanation is measured in a fresh child process: load, upload the
                           weights without a host copy, explain once)
  --help`;

function fail(message) {
  process.stderr.write(`lrp bench: ${message}\n\n${USAGE}\n`);
  process.exit(2);
}

function parseOptions(argv) {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        model: { type: 'string', default: 'vgg16' },
        size: { type: 'string', default: '224' },
        backend: { type: 'string', default: 'wasm' },
        runs: { type: 'string', default: '3' },
        composites: { type: 'string' },
        seed: { type: 'string', default: '42' },
        json: { type: 'string' },
        profile: { type: 'boolean', default: false },
        crp: { type: 'string', default: '0' },
        'crp-layer': { type: 'string', default: 'block4_conv3' },
        'crp-chunk': { type: 'string', default: '8' },
        'leak-runs': { type: 'string', default: '0' },
        threads: { type: 'string', default: '1' },
        batch: { type: 'string', default: '1' },
        'rss-probe': { type: 'string' },
        'no-rss-probe': { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    fail(error.message);
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const int = (name, min) => {
    const raw = values[name];
    const n = Number(raw);
    if (!/^\d+$/.test(raw) || !Number.isSafeInteger(n) || n < min) fail(`--${name} must be an integer ≥ ${min}, got '${raw}'.`);
    return n;
  };
  if (!MODELS.includes(values.model)) fail(`unknown --model '${values.model}': use one of ${MODELS.join(', ')}.`);
  if (!BACKENDS.includes(values.backend)) fail(`unknown --backend '${values.backend}': use one of ${BACKENDS.join(', ')}.`);
  // Five 2×2 max-pools: below 32 pixels a block would pool an empty map.
  const size = int('size', 32);
  const runs = int('runs', 1);
  const seed = int('seed', 0);
  let methods = ALL_METHODS;
  if (values.composites !== undefined) {
    const asked = values.composites.split(',').map((s) => s.trim()).filter(Boolean);
    const unknown = asked.filter((m) => !ALL_METHODS.includes(m));
    if (unknown.length) fail(`unknown --composites ${unknown.map((u) => `'${u}'`).join(', ')}: choose from ${ALL_METHODS.join(', ')}.`);
    if (!asked.length) fail('--composites is empty.');
    methods = [...new Set(asked)]; // in the order given
  }
  const crp = int('crp', 0);
  const crpChunk = int('crp-chunk', 1);
  const leakRuns = int('leak-runs', 0);
  const threads = int('threads', 1);
  const batch = int('batch', 1);
  if (batch > 1 && values.crp !== '0') fail('--crp needs --batch 1.');
  const rssProbe = values['rss-probe'];
  if (rssProbe !== undefined && !ALL_METHODS.includes(rssProbe)) fail(`unknown --rss-probe '${rssProbe}'`);
  return { model: values.model, size, backend: values.backend, runs, seed, methods, json: values.json, profile: values.profile, crp, crpLayer: values['crp-layer'], crpChunk, leakRuns, rssProbe, noRssProbe: values['no-rss-probe'], threads, batch };
}

const log = (message) => process.stderr.write(`[lrp bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
const mb = (bytes) => Math.round((bytes / 2 ** 20) * 10) / 10;
const round = (x, digits = 1) => (x === null || x === undefined ? null : Math.round(x * 10 ** digits) / 10 ** digits);
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/**
 * Peak-RSS sampler. The explanations are synchronous (a VGG16 explanation blocks the main thread
 * for seconds), so a `setInterval` on the main thread would never fire during one; the sampler
 * runs on a worker thread instead (RSS is per process) and keeps the maximum in shared memory.
 */
function startRssSampler(intervalMs = 50) {
  const shared = new Float64Array(new SharedArrayBuffer(8));
  const code = `
    const { workerData } = require('node:worker_threads');
    const peak = new Float64Array(workerData.buffer);
    const sample = () => { const r = process.memoryUsage.rss(); if (r > peak[0]) peak[0] = r; };
    sample();
    setInterval(sample, workerData.intervalMs);
  `;
  const worker = new Worker(code, { eval: true, workerData: { buffer: shared.buffer, intervalMs } });
  worker.unref();
  const sampleHere = () => {
    const r = process.memoryUsage.rss();
    if (r > shared[0]) shared[0] = r;
  };
  sampleHere();
  return {
    sample: sampleHere,
    peak: () => (sampleHere(), shared[0]),
    stop: () => worker.terminate(),
  };
}

function gitCommit() {
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], { cwd: dirname(new URL(import.meta.url).pathname), stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim();
  } catch {
    return null;
  }
}

/**
 * Wall and CPU time of `f`, which computes and reads its result (so that an async backend is
 * measured fully); the result is disposed after the clock stops. CPU time is the whole process'
 * (user + system): on an idle machine it is ≈ the wall time (tfjs' wasm backend is single-threaded
 * in Node); much less than the wall time means the process waited for a CPU (a busy machine).
 */
async function timed(f) {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const result = await f();
  const ms = performance.now() - t0;
  const c = process.cpuUsage(c0);
  result.dispose();
  return { ms, cpu: (c.user + c.system) / 1000 };
}

/**
 * Times `once`: one warm-up, then `runs` timed calls. With `pair`, each timed call is preceded by
 * one timed `pair()` (the forward), so that each run has a reference measured under the same
 * machine load (`pairedMs`).
 */
async function timeRuns(label, runs, once, sampler, pair) {
  const warm = await once();
  log(`${label}: warm-up ${warm.ms.toFixed(0)} ms`);
  sampler.sample();
  const times = [];
  const paired = [];
  for (let i = 0; i < runs; i++) {
    if (pair) paired.push((await pair()).ms);
    times.push(await once());
    sampler.sample();
  }
  const ms = times.map((t) => t.ms);
  const cpu = times.map((t) => t.cpu);
  const pairs = pair ? `; paired forwards ${paired.map((t) => t.toFixed(0)).join(', ')} ms` : '';
  log(`${label}: runs ${ms.map((t) => t.toFixed(0)).join(', ')} ms (cpu ${cpu.map((t) => t.toFixed(0)).join(', ')} ms); median ${median(ms).toFixed(0)} ms${pairs}`);
  return { ms, cpu, warmup: warm.ms, pairedMs: paired };
}

/** One `tf.profile` of `f`: kernel wall time summed by kernel name, largest first. */
async function profileKernels(f) {
  const info = await tf.profile(f);
  const byKernel = new Map();
  let total = 0;
  for (const k of info.kernels) {
    const ms = typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : (k.kernelTimeMs?.error ? 0 : Number(k.kernelTimeMs) || 0);
    const entry = byKernel.get(k.name) ?? { kernel: k.name, calls: 0, ms: 0 };
    entry.calls++;
    entry.ms += ms;
    total += ms;
    byKernel.set(k.name, entry);
  }
  const kernels = [...byKernel.values()].sort((a, b) => b.ms - a.ms).map((e) => ({ ...e, ms: round(e.ms) }));
  return { total_kernel_ms: round(total), kernels: kernels.slice(0, 12), peak_bytes: info.peakBytes };
}

/** The plugins of the bench, with the wasm backend started on `threads` threads. */
function benchRegistry(opts) {
  const wasmPlugin = opts.threads > 1 ? { specificationVersion: 'v1', name: '@nrm/backend-wasm', backends: [createWasmBackend({ threads: opts.threads })] } : wasm;
  return createRegistry([tfjsLayers, lrp, gradientMethods, cpu, wasmPlugin]);
}

/**
 * `--rss-probe <composite>` (run in a child process by the main bench): what a user does for one
 * explanation — build the model, translate it, upload the weights without keeping a host copy,
 * explain once — and print the process' peak RSS as JSON.
 */
async function rssProbe(opts) {
  const registry = benchRegistry(opts);
  await registry.backend(opts.backend).setup();
  const build = opts.model === 'resnet50' ? buildResNet50 : buildVgg16;
  const model = build({ size: opts.size, seed: opts.seed, zeroBiases: true });
  // As loadGraph does: the tfjs model is disposed as soon as the graph holds the weights.
  let graph = graphFromLayersModel(model);
  model.dispose();
  const device = uploadGraph(graph, { dropHostParams: true });
  graph = undefined;
  const rssBeforeExplain = process.memoryUsage.rss();
  const input = tf.randomUniform([opts.batch, opts.size, opts.size, 3], -1, 1, 'float32', opts.seed);
  const explainer = createExplainer({ graph: device, registry, composite: opts.rssProbe, options: COMPOSITE_OPTIONS[opts.rssProbe] });
  // The same target as the timed runs: the argmax logit.
  const logits = explainer.forward(input);
  const best = Array.from(await tf.argMax(logits, -1).data());
  logits.dispose();
  const explanation = explainer.explain(input, { target: { layer: 'predictions', indices: best.map((b) => [b]) } });
  await explanation.input.data();
  explanation.dispose();
  explainer.dispose();
  device.dispose();
  input.dispose();
  const heap = opts.backend === 'wasm' ? tf.backend().wasm?.HEAPU8?.buffer?.byteLength : undefined;
  process.stdout.write(
    `${JSON.stringify({ composite: opts.rssProbe, peak_rss_mb: mb(process.resourceUsage().maxRSS * 1024), rss_before_explain_mb: mb(rssBeforeExplain), wasm_heap_mb: heap === undefined ? null : mb(heap) })}\n`,
  );
}

async function main() {
  const opts = parseOptions(process.argv.slice(2));
  if (opts.rssProbe) return rssProbe(opts);
  const sampler = startRssSampler(50);
  const registry = benchRegistry(opts);
  await registry.backend(opts.backend).setup();
  log(`backend ${tf.getBackend()}, tfjs ${tf.version_core}, node ${process.version}, model ${opts.model} @ ${opts.size}, runs ${opts.runs}`);

  // Build the model, copy it into NRM's graph (host arrays), and free the tfjs model at once: from
  // here on the weights live once on the host (the graph) and once on the device (one explainer).
  let t0 = performance.now();
  // Keras' topologies (logits instead of softmax), seeded glorot-uniform kernels, zero biases.
  const build = opts.model === 'resnet50' ? buildResNet50 : buildVgg16;
  const model = build({ size: opts.size, seed: opts.seed, zeroBiases: true });
  const params = model.countParams();
  const buildMs = performance.now() - t0;
  t0 = performance.now();
  const graph = graphFromLayersModel(model);
  const translateMs = performance.now() - t0;
  model.dispose();
  sampler.sample();
  const rssAfterGraph = process.memoryUsage.rss();
  log(`built ${params.toLocaleString('en')} params (${mb(params * 4)} MB f32) in ${buildMs.toFixed(0)} ms, graph (${graph.nodes.length} nodes) in ${translateMs.toFixed(0)} ms; rss ${mb(process.memoryUsage.rss())} MB`);

  const input = tf.randomUniform([opts.batch, opts.size, opts.size, 3], -1, 1, 'float32', opts.seed);
  const target = { layer: 'predictions' };
  const before = tf.memory().numTensors;
  // The weights go to the device once; every composite's explainer shares them (and the kernels
  // derived from them, such as the flipped conv kernels of the transposed convs).
  const device = uploadGraph(graph);

  const result = {
    backend: opts.backend,
    threads: opts.backend === 'wasm' ? (wasmThreadsReport()?.threads ?? 1) : null,
    batch: opts.batch,
    model: opts.model,
    size: opts.size,
    runs: opts.runs,
    forward_ms: null,
    gradient_ms: null,
    composites: {},
    ratios: {},
    ratios_of_medians: {},
    peak_rss_mb: null,
    leaked_tensors: null,
    node: process.version,
    tfjs: tf.version_core,
    date: new Date().toISOString(),
    commit: gitCommit(),
    // Extras, beyond the required fields.
    params,
    argmax: null,
    build_ms: round(buildMs),
    translate_ms: round(translateMs),
    explainer_ms: {},
    warmup_ms: {},
    runs_ms: {},
    paired_forward_ms: {},
    cpu_ms: {},
    max_rss_kernel_mb: null,
    rss_after_graph_mb: mb(rssAfterGraph),
    wasm_heap_mb: null,
  };
  const profiles = {};

  for (const [i, method] of opts.methods.entries()) {
    t0 = performance.now();
    const explainer = createExplainer({ graph: device, registry, composite: method, options: COMPOSITE_OPTIONS[method] });
    result.explainer_ms[method] = round(performance.now() - t0);
    const forward = () =>
      timed(async () => {
        const y = explainer.forward(input);
        await y.data();
        return y;
      });
    try {
      if (i === 0) {
        // The forward (the same for every explainer), and the target: the argmax logit.
        const times = await timeRuns('forward', opts.runs, forward, sampler);
        result.forward_ms = round(median(times.ms));
        result.runs_ms.forward = times.ms.map((t) => round(t));
        result.cpu_ms.forward = round(median(times.cpu));
        result.warmup_ms.forward = round(times.warmup);
        const logits = explainer.forward(input);
        const best = tf.argMax(logits, -1);
        const argmaxes = Array.from(await best.data());
        result.argmax = opts.batch === 1 ? argmaxes[0] : argmaxes;
        tf.dispose([logits, best]);
        target.indices = argmaxes.map((a) => [a]);
      }
      const explain = () =>
        timed(async () => {
          const explanation = explainer.explain(input, { target });
          await explanation.input.data();
          return explanation;
        });
      // The warm-up includes the one-off work (modified weights computed and cached).
      // Each run is paired with a forward timed just before it: the ratio is the median of the
      // per-run ratios, so a burst of load on this shared machine hits both sides of a ratio.
      const times = await timeRuns(method, opts.runs, explain, sampler, forward);
      result.runs_ms[method] = times.ms.map((t) => round(t));
      result.paired_forward_ms[method] = times.pairedMs.map((t) => round(t));
      result.cpu_ms[method] = round(median(times.cpu));
      result.warmup_ms[method] = round(times.warmup);
      const ms = round(median(times.ms));
      if (method === 'gradient') result.gradient_ms = ms;
      else result.composites[method] = ms;
      result.ratios[method] = round(median(times.ms.map((t, k) => t / times.pairedMs[k])), 2);
      result.ratios_of_medians[method] = round(median(times.ms) / result.forward_ms, 2);
      if (opts.profile) {
        profiles[method] = await profileKernels(async () => {
          const explanation = explainer.explain(input, { target });
          await explanation.input.data();
          explanation.dispose();
        });
      }
    } finally {
      explainer.dispose();
      sampler.sample();
    }
  }
  if (opts.batch > 1) {
    result.per_image_ms = { forward: round(result.forward_ms / opts.batch) };
    if (result.gradient_ms !== null) result.per_image_ms.gradient = round(result.gradient_ms / opts.batch);
    for (const [k, v] of Object.entries(result.composites)) result.per_image_ms[k] = round(v / opts.batch);
  }
  if (opts.crp > 0) {
    // CRP: N channel conditions at one layer, batched as N rows of one backward walk (the part
    // above the layer runs once) against N separate conditional explanations.
    const explainer = createExplainer({ graph: device, registry, composite: 'epsilon-plus-flat' });
    try {
      if (!target.indices) {
        const logits = explainer.forward(input);
        const best = tf.argMax(logits, -1);
        result.argmax = (await best.data())[0];
        tf.dispose([logits, best]);
        target.indices = [[result.argmax]];
      }
      const channels = graph.nodes.find((n) => n.id === graph.layers[opts.crpLayer])?.outputShape.at(-1);
      if (channels === undefined) throw new Error(`--crp-layer '${opts.crpLayer}' is not a layer of the model`);
      const n = Math.min(opts.crp, channels);
      const masks = tf.tidy(() => tf.cast(tf.reshape(tf.oneHot(tf.range(0, n, 1, 'int32'), channels), [n, 1, 1, channels]), 'float32'));
      const one = await timeRuns('crp: one conditional heatmap', 1, () =>
        timed(async () => {
          const e = explainer.explain(input, { target, conditions: [{ layer: opts.crpLayer, channels: [[0]] }] });
          await e.input.data();
          return e;
        }), sampler);
      const batched = await timeRuns(`crp: ${n} conditions batched (chunk ${opts.crpChunk})`, 1, () =>
        timed(async () => {
          const e = explainer.explain(input, { target, conditions: [{ layer: opts.crpLayer, expand: masks }], chunkSize: opts.crpChunk });
          await e.input.data();
          return e;
        }), sampler);
      const serial = await timed(async () => {
        const parts = [];
        for (let c = 0; c < n; c++) {
          const e = explainer.explain(input, { target, conditions: [{ layer: opts.crpLayer, channels: [[c]] }] });
          await e.input.data();
          e.dispose();
        }
        return { dispose() {} };
      });
      log(`crp: ${n} conditions one by one: ${serial.ms.toFixed(0)} ms`);
      sampler.sample();
      masks.dispose();
      result.crp = { layer: opts.crpLayer, conditions: n, chunk: opts.crpChunk, one_ms: round(one.ms[0]), batched_ms: round(batched.ms[0]), serial_ms: round(serial.ms), batched_over_one: round(batched.ms[0] / one.ms[0], 2), serial_over_batched: round(serial.ms / batched.ms[0], 2) };
      result[`crp${n}_batched_ms`] = round(batched.ms[0]);
      result[`crp${n}_serial_ms`] = round(serial.ms);
    } finally {
      explainer.dispose();
    }
  }
  if (opts.profile) {
    const explainer = createExplainer({ graph: device, registry, composite: opts.methods[0], options: COMPOSITE_OPTIONS[opts.methods[0]] });
    profiles.forward = await profileKernels(async () => {
      const y = explainer.forward(input);
      await y.data();
      y.dispose();
    });
    explainer.dispose();
  }

  if (opts.leakRuns > 0) {
    // Many more explanations, cycling through the composites, each with a fresh explainer every
    // tenth run (so that explainer set-up and disposal are checked too).
    let explainer;
    for (let k = 0; k < opts.leakRuns; k++) {
      const method = opts.methods[k % opts.methods.length];
      if (k % 10 === 0 || explainer?.composite.id !== method) {
        explainer?.dispose();
        explainer = createExplainer({ graph: device, registry, composite: method, options: COMPOSITE_OPTIONS[method] });
      }
      const e = explainer.explain(input, { target });
      await e.input.data();
      e.dispose();
      sampler.sample();
    }
    explainer?.dispose();
    log(`leak check: ${opts.leakRuns} more explanations`);
    result.leak_runs = opts.leakRuns;
  }
  device.dispose();
  result.leaked_tensors = tf.memory().numTensors - before;
  input.dispose();
  result.peak_rss_mb = mb(sampler.peak());
  result.max_rss_kernel_mb = mb(process.resourceUsage().maxRSS * 1024);
  // The wasm heap only grows: its final size is its peak (tensors, XNNPACK's packed weights, caches).
  const heap = opts.backend === 'wasm' ? tf.backend().wasm?.HEAPU8?.buffer?.byteLength : undefined;
  result.wasm_heap_mb = heap === undefined ? null : mb(heap);
  await sampler.stop();
  if (opts.profile) result.profile = profiles;
  // This process held the graph on the host and ran every composite; a user's single explanation
  // is measured in fresh child processes (see rssProbe).
  result.process_peak_rss_mb = result.peak_rss_mb;
  if (!opts.noRssProbe) {
    result.rss_probe = {};
    for (const method of opts.methods) {
      const args = [fileURLToPath(import.meta.url), '--rss-probe', method, '--model', opts.model, '--size', String(opts.size), '--backend', opts.backend, '--seed', String(opts.seed), '--threads', String(opts.threads), '--batch', String(opts.batch)];
      const child = spawnSync(process.execPath, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
      if (child.status !== 0) throw new Error(`the RSS probe of ${method} failed (exit ${child.status})`);
      result.rss_probe[method] = JSON.parse(child.stdout.trim().split('\n').at(-1));
      log(`rss probe ${method}: ${result.rss_probe[method].peak_rss_mb} MB`);
    }
    result.peak_rss_mb = Math.max(...Object.values(result.rss_probe).map((p) => p.peak_rss_mb));
  }

  const text = `${JSON.stringify(result, null, 2)}\n`;
  process.stdout.write(text);
  if (opts.json) {
    const path = resolve(process.cwd(), opts.json);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
    log(`wrote ${path}`);
  }
}

main().catch((error) => {
  process.stderr.write(`lrp bench failed: ${error?.stack ?? error}\n`);
  process.exit(1);
});
