// Explains the ground-truth shapes model with epsilon-plus-flat and checks the
// heatmaps against the object masks.
//
//   node examples/ground-truth-shapes/explain.mjs        # after train.mjs (or with the committed model)
//   node examples/ground-truth-shapes/explain.mjs --count 1000 --out /tmp/shapes.png
//
// 1. Writes a PNG grid of the committed test samples (model/test-samples.json),
//    one row each: image | mask | epsilon-plus-flat heatmap of the predicted
//    class's logit (red = evidence for, blue = against; symmetric colour scale
//    per tile). Rows are labelled `<true class>><predicted class>`.
// 2. Prints, over the first --count test images of generateShapes({ seed: 2 }),
//    two simple localisation scores of those heatmaps:
//    - relevance mass accuracy: positive relevance inside the mask / all positive relevance
//      (also with the mask grown by 1 px, since the Flat rule on the first 3x3
//      conv spreads relevance one pixel around what it reaches);
//    - pointing game: the share of images whose most relevant pixel is in the mask;
//    next to what a uniform heatmap would score (the mask's share of the image).
//    (@nrm/eval's own metrics are the reference implementation; these few lines keep
//    the example self-contained.)

import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import * as tf from '@tensorflow/tfjs-core';
import { createExplainer, createRegistry } from '@nrm/core';
import { generateShapes } from '@nrm/eval';
import { loadGraph, tfjsLayers } from '@nrm/graph';
import { lrp } from '@nrm/rules-lrp';
import { wasm } from '@nrm/backend-wasm';
import { encodePng, heatmapGrid, heatmapToRgba, imageToRgba } from '@nrm/viz';

const here = dirname(fileURLToPath(import.meta.url));
const { values: args } = parseArgs({
  options: {
    model: { type: 'string', default: join(here, 'model', 'model.json') },
    out: { type: 'string', default: join(here, 'explanations.png') },
    composite: { type: 'string', default: 'epsilon-plus-flat' },
    count: { type: 'string', default: '2000' },
    'batch-size': { type: 'string', default: '100' },
  },
});
const modelPath = resolve(args.model);
const COUNT = Number(args.count);
const BATCH = Number(args['batch-size']);

const registry = createRegistry([tfjsLayers, lrp, wasm]);
await registry.backend('wasm').setup();
const graph = await loadGraph(modelPath);
const [H, W] = graph.nodes.find((n) => n.id === graph.input).outputShape;
const P = H * W;
const outputLayer = Object.entries(graph.layers).find(([, id]) => id === graph.outputs[0])?.[0] ?? graph.outputs[0];
const explainer = createExplainer({ graph, registry, composite: args.composite, inputNonNegative: true });

/** Predicted classes and input relevance (Float32Array [n * H * W]) of the predicted logit, for `n` images. */
async function explainBatch(pixels, n) {
  const x = tf.tensor4d(pixels, [n, H, W, 1]);
  const logits = explainer.forward(x);
  const argMax = tf.argMax(logits, -1);
  const predicted = Array.from(await argMax.data());
  tf.dispose([logits, argMax]);
  const e = explainer.explain(x, { target: { layer: outputLayer, indices: predicted.map((p) => [p]) } });
  const relevance = await e.input.data();
  e.dispose();
  x.dispose();
  return { predicted, relevance };
}

// 1. The grid of the committed samples.
const samplesPath = join(dirname(modelPath), 'test-samples.json');
const { samples, classNames } = JSON.parse(readFileSync(samplesPath, 'utf8'));
const samplePixels = Float32Array.from(samples.flatMap((s) => s.pixels));
const { predicted: samplePred, relevance: sampleRel } = await explainBatch(samplePixels, samples.length);
const tile = (rgba) => ({ rgba, width: W, height: H });
const rows = samples.map((s, i) => [
  tile(imageToRgba(samplePixels.subarray(i * P, (i + 1) * P), [H, W, 1], { vmin: 0, vmax: 1 })),
  tile(imageToRgba(Float32Array.from(s.mask), [H, W, 1], { vmin: 0, vmax: 1 })),
  tile(heatmapToRgba(sampleRel.subarray(i * P, (i + 1) * P), H, W)),
]);
const grid = heatmapGrid(rows, {
  scale: 4,
  gap: 4,
  labelScale: 2,
  labels: { columns: ['image', 'mask', args.composite === 'epsilon-plus-flat' ? 'eps+flat' : args.composite], rows: samples.map((s, i) => `${classNames[s.label]}>${classNames[samplePred[i]]}`) },
});
writeFileSync(resolve(args.out), encodePng(grid.rgba, grid.width, grid.height));

// 2. Localisation scores over COUNT test images, overall and per class.
const blank = () => ({ mass: 0, massGrown: 0, pointing: 0, area: 0, n: 0, correct: 0 });
const totals = blank();
const perClass = classNames.map(blank);
function add(label, image) {
  for (const sink of [totals, perClass[label]]) for (const key of Object.keys(image)) sink[key] += image[key];
}

/** The scores of one image: its relevance (H*W values) against its mask. */
function scoreImage(relevance, mask) {
  const grown = new Uint8Array(P);
  for (let p = 0; p < P; p++) {
    if (!mask[p]) continue;
    const y = Math.floor(p / W);
    const x = p % W;
    for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) {
      const yy = y + dy;
      const xx = x + dx;
      if (yy >= 0 && xx >= 0 && yy < H && xx < W) grown[yy * W + xx] = 1;
    }
  }
  let pos = 0, inside = 0, insideGrown = 0, best = 0, area = 0;
  for (let p = 0; p < P; p++) {
    const r = relevance[p];
    area += mask[p];
    if (r > relevance[best]) best = p;
    if (r <= 0) continue;
    pos += r;
    if (mask[p]) inside += r;
    if (grown[p]) insideGrown += r;
  }
  return { mass: pos > 0 ? inside / pos : 0, massGrown: pos > 0 ? insideGrown / pos : 0, pointing: mask[best], area: area / P, n: 1 };
}

const test = generateShapes({ count: COUNT, seed: 2, size: H });
const t0 = performance.now();
for (let start = 0; start < COUNT; start += BATCH) {
  const n = Math.min(BATCH, COUNT - start);
  const { predicted, relevance } = await explainBatch(test.images.subarray(start * P, (start + n) * P), n);
  for (let i = 0; i < n; i++) {
    const label = test.labels[start + i];
    add(label, {
      ...scoreImage(relevance.subarray(i * P, (i + 1) * P), test.masks.subarray((start + i) * P, (start + i + 1) * P)),
      correct: predicted[i] === label ? 1 : 0,
    });
  }
}
const seconds = (performance.now() - t0) / 1000;
explainer.dispose();

const pct = (v) => `${(100 * v).toFixed(1)}%`;
console.log(`model ${modelPath}, composite ${args.composite}, backend ${tf.getBackend()}`);
console.log(`samples: ${samples.map((s, i) => `${classNames[s.label]}>${classNames[samplePred[i]]}`).join(' ')}`);
console.log(`wrote ${resolve(args.out)} (image | mask | heatmap, ${samples.length} rows)`);
console.log(`first ${totals.n} test images (seed 2): accuracy ${pct(totals.correct / totals.n)}; explained in ${seconds.toFixed(1)} s`);
console.log(`  relevance mass accuracy ${pct(totals.mass / totals.n)} (mask grown by 1 px: ${pct(totals.massGrown / totals.n)})`);
console.log(`  pointing game ${pct(totals.pointing / totals.n)}`);
console.log(`  a uniform heatmap would score ${pct(totals.area / totals.n)} on both (the mask's mean share of the image)`);
console.log('  per class: relevance mass accuracy (grown mask) / pointing game / uniform');
perClass.forEach((t, k) =>
  console.log(`    ${classNames[k].padEnd(8)} ${pct(t.mass / t.n)} (${pct(t.massGrown / t.n)}) / ${pct(t.pointing / t.n)} / ${pct(t.area / t.n)}  [${t.n} images]`),
);
