// Loads model/model.json with NRM's loader (BatchNormalization folded into the
// convolutions, Add as a two-input node), explains 4 test digits with
// `epsilon-plus-flat` for the predicted logit, and prints the input relevance
// sum next to the explained logit. Exits 1 if any relevance is not finite.
//
//   pnpm build && node examples/digits-resnet/check.mjs

import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { createExplainer, createRegistry } from '@nrm/core';
import { loadGraph, tfjsLayers } from '@nrm/graph';
import { lrp } from '@nrm/rules-lrp';
import { wasm } from '@nrm/backend-wasm';

const here = dirname(fileURLToPath(import.meta.url));
const registry = createRegistry([tfjsLayers, lrp, wasm]);
await registry.backend('wasm').setup();
const modelDir = process.argv[2] ?? join(here, 'model');
const graph = await loadGraph(join(modelDir, 'model.json'));
const digits = JSON.parse(readFileSync(join(modelDir, 'test-digits.json'), 'utf8')).slice(0, 4);
const x = tf.tensor4d(Float32Array.from(digits.flatMap((d) => d.pixels)), [digits.length, 28, 28, 1]);

const explainer = createExplainer({ graph, registry, composite: 'epsilon-plus-flat', inputNonNegative: true });
const logits = await explainer.forward(x).array();
const predicted = logits.map((row) => row.indexOf(Math.max(...row)));
const e = explainer.explain(x, { target: { layer: 'logits', indices: predicted.map((p) => [p]) } });
const sums = Array.from(await tf.sum(e.input, [1, 2, 3]).data());
const all = await e.input.data();
let ok = all.every(Number.isFinite);
digits.forEach((d, i) => {
  const logit = logits[i][predicted[i]];
  ok &&= Number.isFinite(sums[i]);
  console.log(`digit ${i} label ${d.label} predicted ${predicted[i]}: logit ${logit.toFixed(3)}  input relevance sum ${sums[i].toFixed(3)}  (ratio ${(sums[i] / logit).toFixed(3)})`);
});
console.log(`graph nodes: ${graph.nodes.map((n) => `${n.name ?? n.id}:${n.op ?? n.kind}`).join(' ')}`);
e.dispose();
explainer.dispose();
x.dispose();
console.log(ok ? 'OK: all relevances finite' : 'FAIL: non-finite relevance');
process.exit(ok ? 0 : 1);
