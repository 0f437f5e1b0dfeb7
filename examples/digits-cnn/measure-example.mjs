#!/usr/bin/env node
/**
 * The worked example of the normalized relevance measure (docs/guide/measure.md): on the trained
 * digits CNN, the relevance flows through conv2 → conv3 → conv4 for one test digit (SVG), the
 * input heatmaps conditioned on the top three channel walks (PNG), and the same flows on the
 * Keras VGG16 topology (random weights, 64×64 input) through block3_conv3 → block4_conv3 →
 * block5_conv3 (SVG). Writes into docs/measure/ and prints the numbers it drew.
 *
 *   pnpm build && node examples/digits-cnn/measure-example.mjs
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { createExplainer, createRegistry } from '@nrm/core';
import { graphFromLayersModel, loadGraph, tfjsLayers } from '@nrm/graph';
import { lrp } from '@nrm/rules-lrp';
import { wasm } from '@nrm/backend-wasm';
import { createMeasure } from '@nrm/measure';
import { encodePng, flowDiagramSvg, heatmapGrid, heatmapToRgba, imageToRgba } from '@nrm/viz';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, '..', '..', 'docs', 'measure');
mkdirSync(out, { recursive: true });
const registry = createRegistry([tfjsLayers, lrp, wasm]);
await registry.backend('wasm').setup();

/** Flows + walks of one measure as a diagram input (sample 0). */
function diagram(data, title) {
  const marginals = new Map();
  for (const p of data.pairs) {
    marginals.set(p.lower, p.lowerMarginal[0]);
    marginals.set(p.upper, p.upperMarginal[0]);
  }
  return flowDiagramSvg(
    {
      title,
      layers: data.layers.map((name) => ({ name, channels: marginals.get(name).map((value, index) => ({ index, value })) })),
      flows: data.pairs.flatMap((p) => p.J[0].flatMap((row, a) => row.map((value, b) => ({ lower: p.lower, upper: p.upper, from: a, to: b, value })))),
      walks: data.walks[0].map((w) => ({ channels: [...w.channels], value: w.joint })),
    },
    { maxChannelsPerLayer: 10, minShare: 0.02 },
  );
}

// 1. The trained digits CNN, test digit "3" (the fourth committed test digit).
const digits = JSON.parse(readFileSync(join(here, 'model', 'test-digits.json'), 'utf8'));
const digit = digits.find((d) => d.label === 3);
const graph = await loadGraph(join(here, 'model', 'model.json'));
const explainer = createExplainer({ graph, registry, composite: 'epsilon-plus-flat', inputNonNegative: true });
const x = tf.tensor4d(Float32Array.from(digit.pixels), [1, 28, 28, 1]);
const logits = explainer.forward(x);
const predicted = (await tf.argMax(logits, -1).data())[0];
const measure = createMeasure(explainer, x, { layer: 'logits', indices: [[predicted]] });
const flows = measure.flows(['conv2', 'conv3', 'conv4'], { topK: 3 });
const data = await flows.read();
flows.dispose();
writeFileSync(join(out, 'digits-flows.svg'), diagram(data, `Digit ${digit.label} (predicted ${predicted}): flows conv2 → conv3 → conv4, epsilon-plus-flat`));

const tiles = [[{ rgba: imageToRgba(Float32Array.from(digit.pixels), [28, 28, 1], { vmin: 0, vmax: 1 }), width: 28, height: 28 }]];
const plain = measure.conditionalHeatmap([]);
const plainData = await plain.read();
plain.dispose();
tiles[0].push({ rgba: heatmapToRgba(plainData.heatmap, 28, 28), width: 28, height: 28 });
const labels = ['input', 'all walks'];
const walkRows = [];
for (const [k, walk] of data.walks[0].entries()) {
  const h = measure.walkHeatmap(walk);
  const hd = await h.read();
  h.dispose();
  tiles[0].push({ rgba: heatmapToRgba(hd.heatmap, 28, 28), width: 28, height: 28 });
  labels.push(`walk ${k + 1}`);
  walkRows.push({ rank: k + 1, channels: walk.channels, score: walk.score, joint: walk.joint, mass: hd.mass[0], given: hd.given[0] });
}
const grid = heatmapGrid(tiles, { scale: 5, gap: 6, labelScale: 2, labels: { columns: labels } });
writeFileSync(join(out, 'digits-walk-heatmaps.png'), encodePng(grid.rgba, grid.width, grid.height));
measure.dispose();
explainer.dispose();
tf.dispose([x, logits]);

console.log(`digits CNN, digit ${digit.label} (index ${digit.index}), predicted ${predicted}`);
for (const p of data.pairs) {
  const J = p.J[0];
  let best = [0, 0, -Infinity];
  J.forEach((row, a) => row.forEach((v, b) => v > best[2] && (best = [a, b, v])));
  console.log(`  ${p.lower} → ${p.upper}: largest flow J[${best[0]}][${best[1]}] = ${best[2].toFixed(4)}; Σ J = ${J.flat().reduce((s, v) => s + v, 0).toFixed(4)}`);
}
for (const w of walkRows) console.log(`  walk ${w.rank}: channels ${w.channels.join(' → ')}  score ${w.score.toFixed(4)}  exact joint ${w.joint.toFixed(4)}  heatmap mass ${w.mass.toFixed(4)} (μ(walk) ${w.given.toFixed(4)})`);

// 2. The Keras VGG16 topology (random, seeded weights; 64×64 so that it runs in seconds here).
const size = 64;
let seed = 1;
const input = tfl.input({ shape: [size, size, 3], name: 'input_1' });
let h = input;
for (const [b, f, n] of [[1, 64, 2], [2, 128, 2], [3, 256, 3], [4, 512, 3], [5, 512, 3]]) {
  for (let c = 1; c <= n; c++) {
    h = tfl.layers.conv2d({ name: `block${b}_conv${c}`, filters: f, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: tfl.initializers.glorotUniform({ seed: seed++ }) }).apply(h);
  }
  h = tfl.layers.maxPooling2d({ name: `block${b}_pool`, poolSize: 2 }).apply(h);
}
h = tfl.layers.flatten({ name: 'flatten' }).apply(h);
for (const [name, units] of [['fc1', 4096], ['fc2', 4096]]) h = tfl.layers.dense({ name, units, activation: 'relu', kernelInitializer: tfl.initializers.glorotUniform({ seed: seed++ }) }).apply(h);
h = tfl.layers.dense({ name: 'predictions', units: 1000, kernelInitializer: tfl.initializers.glorotUniform({ seed: seed++ }) }).apply(h);
const vgg = tfl.model({ inputs: input, outputs: h });
const vggGraph = graphFromLayersModel(vgg);
vgg.dispose();
const vggExplainer = createExplainer({ graph: vggGraph, registry, composite: 'epsilon-plus-flat' });
const image = tf.randomUniform([1, size, size, 3], -1, 1, 'float32', 42);
const y = vggExplainer.forward(image);
const top = (await tf.argMax(y, -1).data())[0];
const vggMeasure = createMeasure(vggExplainer, image, { layer: 'predictions', indices: [[top]] }, { chunkSize: 64 });
const started = performance.now();
const vggFlows = vggMeasure.flows(['block3_conv3', 'block4_conv3', 'block5_conv3'], { topK: 3 });
const vggData = await vggFlows.read();
const seconds = (performance.now() - started) / 1000;
vggFlows.dispose();
writeFileSync(join(out, 'vgg16-flows.svg'), diagram(vggData, `VGG16 topology (random weights, ${size}×${size}): block3_conv3 → block4_conv3 → block5_conv3`));
console.log(`VGG16 topology at ${size}: flows over 256×512 and 512×512 channel pairs in ${seconds.toFixed(1)} s (wasm)`);
for (const w of vggData.walks[0]) console.log(`  walk: ${w.channels.join(' → ')}  score ${w.score.toExponential(3)}  exact joint ${w.joint.toExponential(3)}`);
vggMeasure.dispose();
vggExplainer.dispose();
tf.dispose([image, y]);
console.log(`wrote ${out}/digits-flows.svg, digits-walk-heatmaps.png, vgg16-flows.svg`);
