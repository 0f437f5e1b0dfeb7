#!/usr/bin/env node
/**
 * Regenerates the pictures of docs/gallery/ from the shipped models (examples/digits-cnn,
 * examples/digits-resnet, examples/digits-autoencoder) and prints the numbers the gallery page
 * quotes. Deterministic: the models and their test digits are committed, the wasm backend is used.
 *
 *   pnpm build && node scripts/gallery.mjs [--out docs/gallery]
 *
 * The workspace packages are not dependencies of the repository root, so they are imported from
 * their built `dist/` (and tfjs-core as the cli package resolves it: one tfjs instance).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const workspace = (pkg) => import(pathToFileURL(join(root, 'packages', pkg, 'dist', 'index.js')).href);
const tf = await import(pathToFileURL(createRequire(join(root, 'packages', 'cli', 'package.json')).resolve('@tensorflow/tfjs-core')).href);
const { createExplainer, createRegistry } = await workspace('core');
const { loadGraph, tfjsLayers } = await workspace('graph');
const { lrp } = await workspace('rules-lrp');
const { gradientMethods } = await workspace('rules-gradient');
const { wasm } = await workspace('backend-wasm');
const { encodePng, heatmapGrid, heatmapToRgba, imageToRgba } = await workspace('viz');

const { values: args } = parseArgs({ options: { out: { type: 'string', default: join(root, 'docs', 'gallery') } } });
const OUT = resolve(args.out);
mkdirSync(OUT, { recursive: true });

const registry = createRegistry([tfjsLayers, lrp, gradientMethods, wasm]);
await registry.backend('wasm').setup();

const PIXELS = 784;
const COMPOSITES = [
  { id: 'gradient', label: 'grad', options: {} },
  { id: 'gradient-x-input', label: 'gxi', options: {} },
  { id: 'epsilon', label: 'eps', options: { epsilon: 0.25 } },
  { id: 'epsilon-plus-flat', label: 'eps+flat', options: {} },
  { id: 'epsilon-gamma-box', label: 'g-box', options: { low: 0, high: 1 } },
  { id: 'epsilon-alpha2-beta1', label: 'a2b1', options: {} },
];

const tile = (rgba) => ({ rgba, width: 28, height: 28 });
const slice = (data, i) => data.subarray(i * PIXELS, (i + 1) * PIXELS);
const inputTile = (pixels) => tile(imageToRgba(Float32Array.from(pixels), [28, 28, 1], { vmin: 0, vmax: 1 }));
const fmt = (v) => v.toFixed(3);
/** Σ over `axes`, read back, no tensor left behind. */
async function sums(t, axes) {
  const s = tf.sum(t, axes);
  const values = await s.array();
  s.dispose();
  return values;
}

function save(name, rows, labels) {
  const grid = heatmapGrid(rows, { scale: 3, gap: 3, labelScale: 1, labels });
  const path = join(OUT, name);
  const png = encodePng(grid.rgba, grid.width, grid.height);
  writeFileSync(path, png);
  console.log(`wrote ${relative(root, path)} (${grid.width}x${grid.height}, ${(png.length / 1024).toFixed(1)} KB)`);
}

async function loadModel(example, count) {
  const dir = join(root, 'examples', example, 'model');
  const graph = await loadGraph(join(dir, 'model.json'));
  const digits = JSON.parse(readFileSync(join(dir, 'test-digits.json'), 'utf8')).slice(0, count);
  const x = tf.tensor4d(Float32Array.from(digits.flatMap((d) => d.pixels)), [digits.length, 28, 28, 1]);
  return { graph, digits, x };
}

async function predict(graph, x) {
  const probe = createExplainer({ graph, registry, composite: 'epsilon' });
  const logits = probe.forward(x);
  const rows = await logits.array();
  logits.dispose();
  probe.dispose();
  return rows.map((r) => ({ predicted: r.indexOf(Math.max(...r)), logit: Math.max(...r) }));
}

/** Every composite side by side on a classifier's test digits; the target is the predicted logit. */
async function compositesGrid(example, name) {
  const { graph, digits, x } = await loadModel(example, 8);
  const preds = await predict(graph, x);
  const target = { layer: 'logits', indices: preds.map((p) => [p.predicted]) };
  const columns = [];
  console.log(`${example}: ${digits.length} test digits, target = predicted logit`);
  for (const c of COMPOSITES) {
    const explainer = createExplainer({ graph, registry, composite: c.id, options: c.options, inputNonNegative: true });
    const e = explainer.explain(x, { target });
    const data = await e.input.data();
    const total = await sums(e.input, [1, 2, 3]);
    e.dispose();
    explainer.dispose();
    columns.push(digits.map((_, i) => tile(heatmapToRgba(slice(data, i), 28, 28))));
    console.log(`  ${c.id}${c.id === 'epsilon' ? ' (0.25)' : ''}: input relevance sums ${total.map(fmt).join(' ')}`);
  }
  console.log(`  logits ${preds.map((p) => fmt(p.logit)).join(' ')}; labels>predicted ${digits.map((d, i) => `${d.label}>${preds[i].predicted}`).join(' ')}`);
  const rows = digits.map((d, i) => [inputTile(d.pixels), ...columns.map((col) => col[i])]);
  save(name, rows, { columns: ['input', ...COMPOSITES.map((c) => c.label)], rows: digits.map((d, i) => `${d.label}>${preds[i].predicted}`) });
  x.dispose();
}

/** CRP: the heatmap of each of the 4 most relevant channels of a layer, per digit. */
async function conditionalGrid(example, layer, name) {
  const { graph, digits: all, x: xAll } = await loadModel(example, 12);
  xAll.dispose();
  const digits = [3, 7, 2].map((label) => all.find((d) => d.label === label));
  const x = tf.tensor4d(Float32Array.from(digits.flatMap((d) => d.pixels)), [digits.length, 28, 28, 1]);
  const preds = await predict(graph, x);
  const explainer = createExplainer({ graph, registry, composite: 'epsilon-plus-flat', inputNonNegative: true });
  const e = explainer.explain(x, { target: { layer: 'logits', indices: preds.map((p) => [p.predicted]) }, record: [layer] });
  const full = await e.input.data();
  const perChannel = await sums(e.layers[layer], [1, 2]); // [n, C]
  e.dispose();
  const K = 4;
  console.log(`${example}: conditional heatmaps on the ${K} most relevant channels of ${layer} (epsilon-plus-flat)`);
  const rows = [];
  for (const [i, d] of digits.entries()) {
    const total = perChannel[i].reduce((a, b) => a + b, 0);
    const top = perChannel[i].map((v, c) => [v, c]).sort((a, b) => b[0] - a[0]).slice(0, K).map(([, c]) => c);
    const xi = tf.tidy(() => tf.tile(tf.slice(x, [i, 0, 0, 0], [1, 28, 28, 1]), [K, 1, 1, 1]));
    const ec = explainer.explain(xi, {
      target: { layer: 'logits', indices: top.map(() => [preds[i].predicted]) },
      conditions: [{ layer, channels: top.map((c) => [c]) }],
    });
    const cond = await ec.input.data();
    const condSums = await sums(ec.input, [1, 2, 3]);
    ec.dispose();
    xi.dispose();
    // One colour scale per row: the unconditioned map's maximum, so that the parts compare.
    const vmax = Math.max(...Array.from(slice(full, i), Math.abs));
    rows.push([inputTile(d.pixels), tile(heatmapToRgba(slice(full, i), 28, 28, { vmax })), ...top.map((_, k) => tile(heatmapToRgba(slice(cond, k), 28, 28, { vmax })))]);
    console.log(
      `  digit ${d.label} (predicted ${preds[i].predicted}, logit ${fmt(preds[i].logit)}): channels ${top.join(', ')} hold ` +
        `${top.map((c) => `${((perChannel[i][c] / total) * 100).toFixed(1)}%`).join(', ')} of ${layer}'s relevance; conditional input sums ${condSums.map(fmt).join(' ')}`,
    );
  }
  explainer.dispose();
  x.dispose();
  save(name, rows, { columns: ['input', 'all', 'top 1', 'top 2', 'top 3', 'top 4'], rows: digits.map((d) => String(d.label)) });
}

/** The autoencoder: the most active latent unit, and a 7x7 region of the reconstruction. */
async function autoencoderGrid(name) {
  const { graph, digits, x } = await loadModel('digits-autoencoder', 6);
  const n = digits.length;
  const explainer = createExplainer({ graph, registry, composite: 'epsilon', inputNonNegative: true });
  const latentT = explainer.forward(x, 'latent');
  const [, lh, lw, lc] = latentT.shape;
  const latent = await latentT.data();
  latentT.dispose();
  const per = lh * lw * lc;
  const units = digits.map((_, i) => {
    let best = 0;
    for (let j = 1; j < per; j++) if (latent[i * per + j] > latent[i * per + best]) best = j;
    return [Math.floor(best / (lw * lc)), Math.floor(best / lc) % lw, best % lc];
  });
  const eLatent = explainer.explain(x, { target: { layer: 'latent', indices: units } });
  const latentHeat = await eLatent.input.data();
  eLatent.dispose();
  const recon = explainer.forward(x, 'reconstruction');
  const reconData = await recon.data();
  const mask = new Float32Array(n * PIXELS);
  for (let i = 0; i < n; i++) for (let r = 10; r < 17; r++) for (let c = 10; c < 17; c++) mask[i * PIXELS + r * 28 + c] = 1;
  const maskT = tf.tensor4d(mask, [n, 28, 28, 1]);
  const seed = tf.mul(recon, maskT);
  const eRegion = explainer.explain(x, { target: { layer: 'reconstruction', seed } });
  const regionHeat = await eRegion.input.data();
  eRegion.dispose();
  tf.dispose([recon, maskT, seed, x]);
  explainer.dispose();
  // The region itself, outlined on the reconstruction.
  const outlined = (i) => {
    const rgba = imageToRgba(slice(reconData, i), [28, 28, 1], { vmin: 0, vmax: 1 });
    for (let r = 9; r <= 17; r++) {
      for (let c = 9; c <= 17; c++) {
        if (r !== 9 && r !== 17 && c !== 9 && c !== 17) continue;
        rgba.set([0, 170, 0, 255], (r * 28 + c) * 4);
      }
    }
    return tile(rgba);
  };
  console.log(`digits-autoencoder (epsilon): most active latent unit [row, col, channel] per digit ${units.map((u) => `[${u.join(',')}]`).join(' ')}; region rows/cols 10..16`);
  const rows = digits.map((d, i) => [inputTile(d.pixels), outlined(i), tile(heatmapToRgba(slice(latentHeat, i), 28, 28)), tile(heatmapToRgba(slice(regionHeat, i), 28, 28))]);
  save(name, rows, { columns: ['input', 'recon', 'latent', 'region'], rows: digits.map((d) => String(d.label)) });
}

await compositesGrid('digits-cnn', 'digits-cnn-composites.png');
await compositesGrid('digits-resnet', 'digits-resnet-composites.png');
await conditionalGrid('digits-cnn', 'conv4', 'digits-cnn-conditional.png');
await conditionalGrid('digits-resnet', 'block2_out', 'digits-resnet-conditional.png');
await autoencoderGrid('digits-autoencoder.png');
console.log(`tensors left: ${tf.memory().numTensors}`);
