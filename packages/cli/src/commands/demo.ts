import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { createExplainer, InvalidArgumentError, ModelLoadError, type Registry } from '@nrm/core';
import { loadGraph } from '@nrm/graph';
import { encodePng, heatmapGrid, imageToRgba, writeFileAtomic, type GridTile } from '@nrm/viz';
import { useBackend } from '../backend.js';
import type { CliIo } from '../cli-io.js';
import { heatmapTiles } from '../heatmap-png.js';

export const DEMO_USAGE = `nrm demo [--model examples/digits-cnn/model/model.json] [--out demo-output] [--backend wasm|cpu|webgpu|a,b]
  explains 12 test digits (prediction as target) with epsilon-plus-flat, epsilon-gamma-box and
  epsilon-alpha2-beta1; writes <out>/digits-heatmaps.png, <out>/summary.txt and <out>/summary.json`;

const DEMO_COMPOSITES = [
  { id: 'epsilon-plus-flat', label: 'eps+flat', options: {} },
  { id: 'epsilon-gamma-box', label: 'eps-g-box', options: { low: 0, high: 1 } },
  { id: 'epsilon-alpha2-beta1', label: 'alpha2b1', options: {} },
] as const;

interface TestDigit {
  readonly index: number;
  readonly label: number;
  readonly pixels: readonly number[];
}

/** The demo model: `--model`, else `examples/digits-cnn/model` found from the cwd or this package upwards. */
function findDemoModel(given: string | undefined): string {
  if (given) return resolve(given);
  const starts = [process.cwd(), dirname(fileURLToPath(import.meta.url))];
  for (const start of starts) {
    let dir = start;
    for (;;) {
      const candidate = join(dir, 'examples', 'digits-cnn', 'model', 'model.json');
      if (existsSync(candidate)) return candidate;
      const parent = dirname(dir);
      if (parent === dir) break;
      dir = parent;
    }
  }
  throw new ModelLoadError('Cannot find examples/digits-cnn/model/model.json; run the demo from the NRM repository or pass --model.');
}

/** `nrm demo`: the main job — a trained digits CNN explained with three composites. */
export async function demoCommand(argv: readonly string[], registry: Registry, io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      model: { type: 'string' },
      out: { type: 'string', default: 'demo-output' },
      backend: { type: 'string', default: 'wasm' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    io.stdout(DEMO_USAGE);
    return 0;
  }
  const modelPath = findDemoModel(values.model);
  const digitsPath = join(dirname(modelPath), 'test-digits.json');
  const digits = JSON.parse(await readFile(digitsPath, 'utf8')) as TestDigit[];
  if (!Array.isArray(digits) || digits.length === 0) throw new InvalidArgumentError(`${digitsPath} holds no digits.`);
  await useBackend(registry, values.backend ?? 'wasm', (line) => io.stderr(`nrm: ${line}`));
  const graph = await loadGraph(modelPath);
  const inputShape = graph.nodes.find((n) => n.id === graph.input)!.outputShape as number[];
  const size = inputShape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(digits.length * size);
  digits.forEach((d, i) => data.set(d.pixels, i * size));
  const input = tf.tensor(data, [digits.length, ...inputShape]);
  const outputLayer = Object.entries(graph.layers).find(([, id]) => id === graph.outputs[0])?.[0] ?? graph.outputs[0]!;

  const started = performance.now();
  const columns: GridTile[][] = [];
  const sums: Record<string, number[]> = {};
  let predictions: number[] = [];
  let logits: number[] = [];
  try {
    for (const [k, { id, options }] of DEMO_COMPOSITES.entries()) {
      const explainer = createExplainer({ graph, registry, composite: id, options, inputNonNegative: true });
      try {
        if (k === 0) {
          const out = explainer.forward(input);
          const rows = (await out.array()) as number[][];
          out.dispose();
          predictions = rows.map((r) => r.indexOf(Math.max(...r)));
          logits = rows.map((r, i) => r[predictions[i]!]!);
        }
        const explanation = explainer.explain(input, { target: { layer: outputLayer, indices: predictions.map((p) => [p]) } });
        const relevance = { shape: explanation.input.shape, data: (await explanation.input.data()) as Float32Array };
        const perSample = tf.tidy(() => tf.sum(explanation.input, [1, 2, 3]));
        sums[id] = Array.from(await perSample.data());
        perSample.dispose();
        explanation.dispose();
        columns.push(heatmapTiles(relevance, 'bwr'));
      } finally {
        explainer.dispose();
      }
    }
  } finally {
    input.dispose();
  }
  const seconds = (performance.now() - started) / 1000;

  const [h, w] = inputShape as [number, number];
  const rows = digits.map((d, i) => [
    { rgba: imageToRgba(data.subarray(i * size, (i + 1) * size), [h, w, 1], { vmin: 0, vmax: 1 }), width: w, height: h },
    ...columns.map((col) => col[i]!),
  ]);
  const grid = heatmapGrid(rows, {
    scale: 4,
    gap: 4,
    labelScale: 2,
    labels: {
      columns: ['input', ...DEMO_COMPOSITES.map((c) => c.label)],
      rows: digits.map((d, i) => `${d.label}>${predictions[i]}`),
    },
  });
  const lines = [
    `NRM demo: ${digits.length} test digits, model ${modelPath}, backend ${tf.getBackend()}`,
    `target: the predicted class's logit; heatmaps: red = evidence for, blue = against`,
    '',
    ['digit', 'label', 'pred', 'logit', ...DEMO_COMPOSITES.map((c) => `sum R ${c.id}`)].join('\t'),
    ...digits.map((d, i) =>
      [d.index, d.label, predictions[i], logits[i]!.toFixed(3), ...DEMO_COMPOSITES.map((c) => sums[c.id]![i]!.toFixed(3))].join('\t'),
    ),
    '',
    `correct: ${digits.filter((d, i) => d.label === predictions[i]).length}/${digits.length}; explanations took ${seconds.toFixed(2)} s`,
  ];
  const outDir = values.out ?? 'demo-output';
  await mkdir(outDir, { recursive: true });
  const pngPath = join(outDir, 'digits-heatmaps.png');
  await writeFileAtomic(pngPath, encodePng(grid.rgba, grid.width, grid.height));
  await writeFileAtomic(join(outDir, 'summary.txt'), new TextEncoder().encode(`${lines.join('\n')}\n`));
  const summary = {
    model: modelPath,
    backend: tf.getBackend(),
    composites: DEMO_COMPOSITES.map((c) => c.id),
    digits: digits.map((d, i) => ({
      index: d.index,
      label: d.label,
      prediction: predictions[i],
      logit: logits[i],
      relevanceSums: Object.fromEntries(DEMO_COMPOSITES.map((c) => [c.id, sums[c.id]![i]])),
    })),
    seconds,
  };
  await writeFileAtomic(join(outDir, 'summary.json'), new TextEncoder().encode(`${JSON.stringify(summary, null, 2)}\n`));
  for (const line of lines) io.stdout(line);
  io.stdout(`wrote ${pngPath}, ${join(outDir, 'summary.txt')}, ${join(outDir, 'summary.json')}`);
  return 0;
}
