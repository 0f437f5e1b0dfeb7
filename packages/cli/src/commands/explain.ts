import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { createExplainer, InvalidArgumentError, type Condition, type NpyArray, type Registry } from '@nrm/core';
import { loadGraph } from '@nrm/graph';
import { getColormap, writeFileAtomic } from '@nrm/viz';
import { joinNegativeNumbers } from '../args/join-negative-numbers.js';
import { groupByLayer } from '../args/parse-layer-list.js';
import { parseNumber } from '../args/parse-number.js';
import { UsageError } from '../args/usage-error.js';
import { useBackend } from '../backend.js';
import { heatmapPng } from '../heatmap-png.js';
import { readNpyFile, toNpy, writeNpyFile } from '../io.js';
import type { CliIo } from '../cli-io.js';

export const EXPLAIN_USAGE = `nrm explain --model <dir>/model.json --input <x.npy> --composite <name> --target <layer>:<i,j,k> [...]
  --target <layer>:<i,…>     NHWC index in that layer's output (no batch axis); repeat per sample or give one
  --composite <name>         gradient | gradient-x-input | epsilon | epsilon-plus-flat | epsilon-gamma-box | epsilon-alpha2-beta1
  --epsilon <e>              ε of the Epsilon rules (default 1e-6)
  --low <l> --high <h>       input bounds for ZBox (epsilon-gamma-box)
  --condition <layer>:<c,…>  keep only these channels of that layer's relevance; repeat per sample
  --record <a,b,…> --record-dir <dir>   write the relevance at each layer's output to <dir>/<layer>.npy
  --backend cpu|wasm         default wasm
  --out <relevance.npy>      relevance at the input, the input's shape
  --png <heatmap.png> [--cmap bwr|coldnhot|seismic|gray]   also write a heatmap (summed over channels)`;

/** What one explain run produced, before anything is written. */
interface Outputs {
  readonly files: { path: string; bytes: () => Promise<void> }[];
}

function required(values: Record<string, unknown>, name: string): string {
  const v = values[name];
  if (typeof v !== 'string' || v.length === 0) throw new UsageError(`explain needs --${name}; see 'nrm explain --help'.`);
  return v;
}

/** `nrm explain`: one explanation, written as .npy (and optionally PNG). */
export async function explainCommand(argv: readonly string[], registry: Registry, io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args: joinNegativeNumbers(argv, ['--low', '--high', '--epsilon']),
    options: {
      model: { type: 'string' },
      input: { type: 'string' },
      composite: { type: 'string' },
      target: { type: 'string', multiple: true },
      epsilon: { type: 'string' },
      low: { type: 'string' },
      high: { type: 'string' },
      condition: { type: 'string', multiple: true },
      record: { type: 'string', multiple: true },
      'record-dir': { type: 'string' },
      backend: { type: 'string', default: 'wasm' },
      out: { type: 'string' },
      png: { type: 'string' },
      cmap: { type: 'string', default: 'bwr' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) {
    io.stdout(EXPLAIN_USAGE);
    return 0;
  }
  const modelPath = required(values, 'model');
  const inputPath = required(values, 'input');
  const compositeName = required(values, 'composite');
  const outPath = required(values, 'out');
  const targets = groupByLayer('--target', values.target ?? []);
  if (targets.size !== 1) {
    throw new UsageError(targets.size === 0 ? 'explain needs --target <layer>:<i,…>.' : 'All --target flags must name the same layer.');
  }
  const [[targetLayer, indices]] = [...targets] as [[string, number[][]]];
  const record = (values.record ?? []).flatMap((r) => r.split(',')).filter((r) => r.length > 0);
  if (record.length > 0 && !values['record-dir']) throw new UsageError('--record needs --record-dir <dir>.');
  const epsilon = parseNumber('--epsilon', values.epsilon);
  const low = parseNumber('--low', values.low);
  const high = parseNumber('--high', values.high);
  if ((low === undefined) !== (high === undefined)) throw new UsageError('--low and --high go together.');
  if (values.png) getColormap(values.cmap ?? 'bwr');

  // Validate names before the (slow) model load and backend start.
  const composite = registry.composite(compositeName);
  if (composite.needsBounds && low === undefined) {
    throw new UsageError(`Composite '${compositeName}' needs the input bounds: --low <l> --high <h> (e.g. --low -1 --high 1).`);
  }
  await useBackend(registry, values.backend ?? 'wasm');
  const graph = await loadGraph(modelPath);
  for (const w of graph.warnings) io.stderr(`nrm: warning: ${w}`);
  const inputArray = await readNpyFile(inputPath);
  const conditions: Condition[] = [...groupByLayer('--condition', values.condition ?? [])].map(([layer, channels]) => ({ layer, channels }));

  const explainer = createExplainer({ graph, registry, composite, options: { epsilon, low, high } });
  const input = tf.tensor(inputArray.data, inputArray.shape as number[]);
  const pending: Outputs['files'] = [];
  try {
    const explanation = explainer.explain(input, { target: { layer: targetLayer, indices }, conditions, record });
    try {
      const relevance = await toNpy(explanation.input);
      const layers: [string, NpyArray][] = [];
      for (const [name, t] of Object.entries(explanation.layers)) layers.push([name, await toNpy(t)]);
      pending.push({ path: outPath, bytes: () => writeNpyFile(outPath, relevance) });
      const recordDir = values['record-dir'];
      if (recordDir) {
        for (const [name, array] of layers) {
          const path = join(recordDir, `${name.replaceAll('/', '_')}.npy`);
          pending.push({ path, bytes: () => writeNpyFile(path, array) });
        }
      }
      const pngPath = values.png;
      if (pngPath) {
        if (relevance.shape.length !== 4 && relevance.shape.length !== 2) {
          throw new InvalidArgumentError(`--png needs an image input ([N, H, W, C]); this input has shape [${relevance.shape.join(', ')}].`);
        }
        const png = heatmapPng(relevance, values.cmap ?? 'bwr');
        pending.push({ path: pngPath, bytes: () => writeFileAtomic(pngPath, png) });
      }
    } finally {
      explanation.dispose();
    }
  } finally {
    input.dispose();
    explainer.dispose();
  }
  // Everything is computed: only now touch the file system (each file atomically).
  for (const dir of new Set(pending.map((f) => dirname(f.path)))) await mkdir(dir, { recursive: true });
  for (const file of pending) await file.bytes();
  io.stdout(`wrote ${pending.map((f) => f.path).join(', ')}`);
  return 0;
}
