import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { InvalidArgumentError, type Condition, type NpyArray, type Registry } from '@nrm/core';
import { getColormap, writeFileAtomic } from '@nrm/viz';
import { joinNegativeNumbers } from '../args/join-negative-numbers.js';
import { groupByLayer } from '../args/parse-layer-list.js';
import { UsageError } from '../args/usage-error.js';
import { EXPLANATION_OPTIONS, NUMBER_FLAGS, openExplanation, parseExplanationSpec, required } from '../explanation-options.js';
import { heatmapPng } from '../heatmap-png.js';
import { toNpy, writeNpyFile } from '../io.js';
import type { CliIo } from '../cli-io.js';

export const EXPLAIN_USAGE = `nrm explain --model <dir>/model.json --input <x.npy> --composite <name> --target <layer>:<i,j,k> [...]
  --target <layer>:<i,…>     NHWC index in that layer's output (no batch axis); repeat per sample or give one
  --composite <name>         gradient | gradient-x-input | deconvnet | guided-backprop | epsilon | epsilon-plus-flat |
                             epsilon-gamma-box | epsilon-alpha2-beta1 | relative (R-LRP)
  --epsilon <e>              ε of the Epsilon rules (default 1e-6)
  --low <l> --high <h>       input bounds for ZBox (epsilon-gamma-box)
  --condition <layer>:<c,…>  keep only these channels of that layer's relevance; repeat per sample
  --record <a,b,…> --record-dir <dir>   write the relevance at each layer's output to <dir>/<layer>.npy
  --filter <op>:<a1>,<a2>@<layer,…>   amplitude filter (clamp|pass|amplify) on the relevance leaving
                             those layers, repeatable (e.g. --filter clamp:0,0.2@conv3,conv4)
  --backend NAME[,NAME…]     wasm (default), cpu, webgpu (needs the webgpu package), tensorflow
                             (needs tfjs-node); a comma list picks the first supported one
  --out <relevance.npy>      relevance at the input, the input's shape
  --png <heatmap.png> [--cmap bwr|coldnhot|seismic|gray]   also write a heatmap (summed over channels)`;

/** What one explain run produced, before anything is written. */
interface Outputs {
  readonly files: { path: string; bytes: () => Promise<void> }[];
}

/** `nrm explain`: one explanation, written as .npy (and optionally PNG). */
export async function explainCommand(argv: readonly string[], registry: Registry, io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args: joinNegativeNumbers(argv, NUMBER_FLAGS),
    options: {
      ...EXPLANATION_OPTIONS,
      condition: { type: 'string', multiple: true },
      record: { type: 'string', multiple: true },
      'record-dir': { type: 'string' },
      out: { type: 'string' },
      png: { type: 'string' },
      cmap: { type: 'string', default: 'bwr' },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) {
    io.stdout(EXPLAIN_USAGE);
    return 0;
  }
  // Validate everything before the (slow) model load and backend start.
  const spec = parseExplanationSpec('explain', values, registry);
  const outPath = required('explain', values, 'out');
  const record = (values.record ?? []).flatMap((r) => r.split(',')).filter((r) => r.length > 0);
  if (record.length > 0 && !values['record-dir']) throw new UsageError('--record needs --record-dir <dir>.');
  if (values.png) getColormap(values.cmap ?? 'bwr');
  const conditions: Condition[] = [...groupByLayer('--condition', values.condition ?? [])].map(([layer, channels]) => ({ layer, channels }));

  const context = await openExplanation(spec, registry, io);
  const { explainer, input } = context;
  const pending: Outputs['files'] = [];
  try {
    const explanation = explainer.explain(input, { target: context.target, conditions, record });
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
    context.dispose();
  }
  // Everything is computed: only now touch the file system (each file atomically).
  for (const dir of new Set(pending.map((f) => dirname(f.path)))) await mkdir(dir, { recursive: true });
  for (const file of pending) await file.bytes();
  io.stdout(`wrote ${pending.map((f) => f.path).join(', ')}`);
  return 0;
}
