#!/usr/bin/env node
/**
 * Pictures of the seeds' methods on the trained digits CNN, for the method docs: amplitude
 * filters, R-LRP next to LRP-0 and ε, and deconvnet / guided-backprop projections. Writes PNGs
 * into docs/methods/ and prints what it drew.
 *
 *   pnpm build && node examples/digits-cnn/methods-gallery.mjs
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { createExplainer, createRegistry } from '@nrm/core';
import { loadGraph, tfjsLayers } from '@nrm/graph';
import { lrp } from '@nrm/rules-lrp';
import { gradientMethods, projectFeatureMap } from '@nrm/rules-gradient';
import { relative } from '@nrm/rules-relative';
import { withFilters } from '@nrm/rules-filter';
import { wasm } from '@nrm/backend-wasm';
import { encodePng, heatmapGrid, heatmapToRgba, imageToRgba } from '@nrm/viz';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, '..', '..', 'docs', 'methods');
mkdirSync(out, { recursive: true });
const registry = createRegistry([tfjsLayers, lrp, gradientMethods, relative, wasm]);
await registry.backend('wasm').setup();
const graph = await loadGraph(join(here, 'model', 'model.json'));
const digits = JSON.parse(readFileSync(join(here, 'model', 'test-digits.json'), 'utf8')).slice(0, 6);
const x = tf.tensor4d(Float32Array.from(digits.flatMap((d) => d.pixels)), [digits.length, 28, 28, 1]);
const probe = createExplainer({ graph, registry, composite: 'epsilon' });
const logits = probe.forward(x);
const predicted = Array.from(await tf.argMax(logits, -1).data());
probe.dispose();
logits.dispose();
const target = { layer: 'logits', indices: predicted.map((p) => [p]) };
const inputTiles = digits.map((d) => ({ rgba: imageToRgba(Float32Array.from(d.pixels), [28, 28, 1], { vmin: 0, vmax: 1 }), width: 28, height: 28 }));

/** Heatmap tiles (channel sum = the single channel) of one explainer configuration. */
async function column(composite, options = {}, outgoing) {
  const explainer = createExplainer({ graph, registry, composite, options, outgoing, inputNonNegative: true });
  const e = explainer.explain(x, { target });
  const data = await e.input.data();
  const sums = Array.from(await tf.sum(e.input, [1, 2, 3]).data());
  e.dispose();
  explainer.dispose();
  return { tiles: digits.map((_, i) => ({ rgba: heatmapToRgba(data.subarray(i * 784, (i + 1) * 784), 28, 28), width: 28, height: 28 })), sums };
}

function save(name, columns, labels) {
  const rows = digits.map((d, i) => [inputTiles[i], ...columns.map((c) => c.tiles[i])]);
  const grid = heatmapGrid(rows, { scale: 4, gap: 4, labelScale: 2, labels: { columns: ['input', ...labels], rows: digits.map((d, i) => `${d.label}>${predicted[i]}`) } });
  writeFileSync(join(out, name), encodePng(grid.rgba, grid.width, grid.height));
  console.log(`${name}: ${labels.join(', ')}`);
  columns.forEach((c, k) => console.log(`  ${labels[k]}: input relevance sums ${c.sums.map((s) => s.toFixed(2)).join(' ')}`));
}

// 1. Amplitude filters on the upper layers (not the two nearest the input), epsilon-plus-flat.
const upper = 'conv3,conv4,fc1';
save(
  'amplitude-filters.png',
  [
    await column('epsilon-plus-flat'),
    await column('epsilon-plus-flat', {}, withFilters([`clamp:0,0.2@${upper}`], graph)),
    await column('epsilon-plus-flat', {}, withFilters([`pass:0,0.05@${upper}`], graph)),
    await column('epsilon-plus-flat', {}, withFilters([`amplify:0.5,2@${upper}`], graph)),
  ],
  ['eps+flat', 'clamp .2', 'pass .05', 'amp .5x2'],
);

// 2. R-LRP next to LRP-0 (epsilon 1e-6) and LRP-epsilon (0.25).
save('relative.png', [await column('epsilon', { epsilon: 1e-6 }), await column('epsilon', { epsilon: 0.25 }), await column('relative')], ['lrp-0', 'eps .25', 'r-lrp']);

// 3. Deconvnet and guided backprop: the strongest activation of a few conv4 channels, first digit.
const tiles = [];
const labels = [];
for (const method of ['deconvnet', 'guided-backprop']) {
  const explainer = createExplainer({ graph, registry, composite: method });
  const row = [];
  for (const channel of [0, 3, 7, 12]) {
    const p = projectFeatureMap(explainer, tf.slice(x, [0], [1]), { layer: 'conv4', channel });
    const v = await p.input.data();
    const m = v.reduce((a, b) => Math.max(a, Math.abs(b)), 0) || 1;
    row.push({ rgba: imageToRgba(v, [28, 28, 1], { vmin: -m, vmax: m }), width: 28, height: 28 });
    if (method === 'deconvnet') labels.push(`c${channel}`);
    p.dispose();
  }
  tiles.push([inputTiles[0], ...row]);
  explainer.dispose();
}
const grid = heatmapGrid(tiles, { scale: 4, gap: 4, labelScale: 2, labels: { columns: ['input', ...labels], rows: ['deconv', 'guided'] } });
writeFileSync(join(out, 'deconvnet.png'), encodePng(grid.rgba, grid.width, grid.height));
console.log(`deconvnet.png: conv4 channels ${labels.join(', ')} of digit ${digits[0].label}`);
x.dispose();
