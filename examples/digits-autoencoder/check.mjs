// Loads model/model.json with NRM's loader and explains, with `epsilon`, on 2
// test digits:
//   1. a latent unit: the most active of the 7x7x4 `latent` units of each digit;
//   2. a region of the reconstruction: seed = reconstruction ⊙ a 7x7 mask
//      (rows/cols 10..16, the centre of the image).
// Prints the input relevance sums next to the explained outputs and writes
// `explanations.png` (input | reconstruction | latent-unit heatmap | region
// heatmap, one row per digit; red = positive, blue = negative relevance).
// Exits 1 if any relevance is not finite.
//
//   pnpm build && node examples/digits-autoencoder/check.mjs

import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { createExplainer, createRegistry } from '@nrm/core';
import { loadGraph, tfjsLayers } from '@nrm/graph';
import { lrp } from '@nrm/rules-lrp';
import { wasm } from '@nrm/backend-wasm';
import { encodePng, heatmapGrid, heatmapToRgba, imageToRgba } from '@nrm/viz';

const here = dirname(fileURLToPath(import.meta.url));
const modelDir = process.argv[2] ?? join(here, 'model');
const REGION = { top: 10, left: 10, size: 7 };

const registry = createRegistry([tfjsLayers, lrp, wasm]);
await registry.backend('wasm').setup();
const graph = await loadGraph(join(modelDir, 'model.json'));
const digits = JSON.parse(readFileSync(join(modelDir, 'test-digits.json'), 'utf8')).slice(0, 2);
const n = digits.length;
const x = tf.tensor4d(Float32Array.from(digits.flatMap((d) => d.pixels)), [n, 28, 28, 1]);
const explainer = createExplainer({ graph, registry, composite: 'epsilon', inputNonNegative: true });

// 1. The most active latent unit of each digit.
const latentT = explainer.forward(x, 'latent');
const latent = await latentT.data();
const per = latent.length / n; // 7*7*4
const latentIdx = [];
const latentVal = [];
for (let i = 0; i < n; i++) {
  let best = 0;
  for (let j = 1; j < per; j++) if (latent[i * per + j] > latent[i * per + best]) best = j;
  latentIdx.push([Math.floor(best / 28), Math.floor(best / 4) % 7, best % 4]);
  latentVal.push(latent[i * per + best]);
}
latentT.dispose();
const eLatent = explainer.explain(x, { target: { layer: 'latent', indices: latentIdx } });
const latentHeat = await eLatent.input.data();
const latentSums = Array.from(await tf.sum(eLatent.input, [1, 2, 3]).data());
eLatent.dispose();

// 2. A 7x7 region of the reconstruction.
const recon = explainer.forward(x, 'reconstruction');
const reconData = await recon.data();
const mask = new Float32Array(n * 784);
for (let i = 0; i < n; i++)
  for (let r = REGION.top; r < REGION.top + REGION.size; r++)
    for (let c = REGION.left; c < REGION.left + REGION.size; c++) mask[i * 784 + r * 28 + c] = 1;
const seed = tf.mul(recon, tf.tensor4d(mask, [n, 28, 28, 1]));
const seedSums = Array.from(await tf.sum(seed, [1, 2, 3]).data());
const eRegion = explainer.explain(x, { target: { layer: 'reconstruction', seed } });
const regionHeat = await eRegion.input.data();
const regionSums = Array.from(await tf.sum(eRegion.input, [1, 2, 3]).data());
eRegion.dispose();

let ok = latentHeat.every(Number.isFinite) && regionHeat.every(Number.isFinite);
digits.forEach((d, i) => {
  console.log(
    `digit ${i} (label ${d.label}): latent unit [row ${latentIdx[i][0]}, col ${latentIdx[i][1]}, ch ${latentIdx[i][2]}] = ${latentVal[i].toFixed(3)}, ` +
      `input relevance sum ${latentSums[i].toFixed(3)}; region rows/cols ${REGION.top}..${REGION.top + REGION.size - 1} seed sum ${seedSums[i].toFixed(3)}, ` +
      `input relevance sum ${regionSums[i].toFixed(3)}`,
  );
});

// PNG grid.
const tile = (rgba) => ({ rgba, width: 28, height: 28 });
const rows = digits.map((d, i) => {
  const sl = (a) => a.subarray(i * 784, (i + 1) * 784);
  return [
    tile(imageToRgba(Float32Array.from(d.pixels), [28, 28, 1], { vmin: 0, vmax: 1 })),
    tile(imageToRgba(sl(reconData), [28, 28, 1], { vmin: 0, vmax: 1 })),
    tile(heatmapToRgba(sl(latentHeat), 28, 28)),
    tile(heatmapToRgba(sl(regionHeat), 28, 28)),
  ];
});
const grid = heatmapGrid(rows, {
  scale: 5, gap: 4, labelScale: 2,
  labels: { columns: ['input', 'recon', 'latent', 'region'], rows: digits.map((d) => String(d.label)) },
});
const png = join(here, 'explanations.png');
writeFileSync(png, encodePng(grid.rgba, grid.width, grid.height));
console.log(`wrote ${png}`);
tf.dispose([recon, seed, x]);
explainer.dispose();
console.log(ok ? 'OK: all relevances finite' : 'FAIL: non-finite relevance');
process.exit(ok ? 0 : 1);
