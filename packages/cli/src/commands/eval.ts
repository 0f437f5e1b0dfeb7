/**
 * `nrm eval`: measures explanation quality — conservation, pixel flipping, region perturbation,
 * localisation against ground-truth masks, parameter randomisation, sparseness — for several
 * composites (and amplitude-filtered variants) on one or more model / data pairs, and writes a
 * JSON report, a self-contained HTML report and Markdown tables.
 */
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import type { Registry } from '@nrm/core';
import { loadGraph } from '@nrm/graph';
import { writeFileAtomic } from '@nrm/viz';
import { joinNegativeNumbers } from '../args/join-negative-numbers.js';
import { parseNumber } from '../args/parse-number.js';
import { UsageError } from '../args/usage-error.js';
import { useBackend } from '../backend.js';
import type { CliIo } from '../cli-io.js';
import { checkDataSource, loadEvalData, parseDataSource } from './eval-data.js';
import { renderEvalHtml } from './eval-html.js';
import { renderEvalMarkdown } from './eval-markdown.js';
import { parseMetrics, parseReplacement, parseVariants, splitList } from './eval-options.js';
import type { EvalReport } from './eval-report.js';
import { runEvaluation, type EvalSettings, type RunExamples, type RunReport } from './eval-run.js';

export const EVAL_USAGE = `nrm eval --model <dir>/model.json --data <source> [--model … --data …] --composites <a,b,…> [--metrics <m,…>] --json|--html|--md <file> [...]
  measures explanation quality of each composite (and filtered variant) on each model/data pair
  --data <folder>                     PNG images (sorted; <name>.mask.png beside an image is its mask), or
                                      images.npy [N,H,W,C] with optional masks.npy [N,H,W] and labels.npy [N]
  --data generator:shapes[:n[:seed]]  the seeded ground-truth shapes of @nrm/eval, with masks (default 64 images, seed 0)
  --data digits[:n]                   the first n digits of the demo model's test split (default 100)
  --composites a,b,…                  e.g. gradient,gradient-x-input,epsilon,epsilon-plus-flat,epsilon-gamma-box,
                                      epsilon-alpha2-beta1,relative
  --filter [<composite>=]<spec>[;<spec>…]  adds an amplitude-filtered variant of that composite (or of every one),
                                      e.g. --filter epsilon-plus-flat=clamp:0,0.2@conv3,conv4 (repeatable)
  --controls random,edges             also score heatmaps that ignore the model (seeded noise; a Sobel edge detector)
  --metrics m,…|all                   completeness, pixel-flipping, region-perturbation, mass-accuracy, pointing-game,
                                      coverage, mse, smape, sparseness, mprt (default all: the five mask metrics then
                                      run only on data with masks; named one by one, they must run)
  --target label|predicted            explained output (default: the label when the data has labels)
  --steps <n>                         perturbation steps (default 20)      --patch <px>  region size (default 4)
  --replacement constant[:v]|mean|noise[:lo,hi]|blur[:sigma]   what removed pixels become (default constant:0);
                                      repeat it to compute the perturbation metrics with each
  --seed <n>                          random order, noise, randomised weights, random control (default 0)
  --tolerance <px>                    pointing-game tolerance (default 0)  --coverage-threshold <τ>  (default 0.5)
  --mprt-samples <n>                  images re-explained per randomised layer (default 16)
  --examples <n>                      example images in the HTML report (default 4)
  --batch-size <n>                    perturbed images per model call (default 256)
  --epsilon <e>  --low <l> --high <h> composite options (ZBox bounds for epsilon-gamma-box)
  --backend NAME[,NAME…]             wasm (default), cpu, webgpu, tensorflow; a list: first supported
  --json <file>  --html <file>  --md <file>   outputs (at least one); each written atomically`;

/** Options of {@link evalCommand} beyond the command line (tests inject the progress writer). */
export interface EvalCommandOptions {
  /** Writes progress text without a newline; default: `process.stderr` when it is a TTY, else nothing. */
  readonly progress?: ((text: string) => void) | undefined;
}

function integer(flag: string, text: string | undefined, fallback: number, min: number): number {
  if (text === undefined) return fallback;
  const value = parseNumber(flag, text) as number;
  if (!Number.isInteger(value) || value < min) throw new UsageError(`${flag} '${text}' must be an integer ≥ ${min}.`);
  return value;
}

/** `--replacement` values (repeatable; default `constant:0`), each once. */
function splitReplacements(values: readonly string[] | undefined): string[] {
  const texts = (values ?? []).map((v) => v.trim()).filter((v) => v.length > 0);
  if (texts.length === 0) return ['constant:0'];
  if (new Set(texts).size !== texts.length) throw new UsageError('--replacement lists a replacement twice.');
  return texts;
}

/** `nrm eval`: evaluates composites with quality metrics and writes the reports. */
export async function evalCommand(argv: readonly string[], registry: Registry, io: CliIo, options: EvalCommandOptions = {}): Promise<number> {
  const { values } = parseArgs({
    args: joinNegativeNumbers(argv, ['--low', '--high', '--epsilon']),
    options: {
      model: { type: 'string', multiple: true },
      data: { type: 'string', multiple: true },
      composites: { type: 'string', multiple: true },
      filter: { type: 'string', multiple: true },
      controls: { type: 'string', multiple: true },
      metrics: { type: 'string', multiple: true },
      target: { type: 'string', default: 'auto' },
      steps: { type: 'string' },
      patch: { type: 'string' },
      replacement: { type: 'string', multiple: true },
      seed: { type: 'string' },
      tolerance: { type: 'string' },
      'coverage-threshold': { type: 'string' },
      'mprt-samples': { type: 'string' },
      examples: { type: 'string' },
      'batch-size': { type: 'string' },
      epsilon: { type: 'string' },
      low: { type: 'string' },
      high: { type: 'string' },
      backend: { type: 'string', default: 'wasm' },
      json: { type: 'string' },
      html: { type: 'string' },
      md: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) {
    io.stdout(EVAL_USAGE);
    return 0;
  }
  // Everything is validated before the backend starts or a model loads.
  const models = values.model ?? [];
  const dataTexts = values.data ?? [];
  if (models.length === 0) throw new UsageError("eval needs --model <model.json>; see 'nrm eval --help'.");
  if (dataTexts.length !== models.length) {
    throw new UsageError(`eval takes one --data per --model (in order); got ${models.length} --model and ${dataTexts.length} --data.`);
  }
  if (!values.json && !values.html && !values.md) throw new UsageError('eval writes nothing without --json <file>, --html <file> or --md <file>.');
  const compositeIds = splitList(values.composites);
  const controls = splitList(values.controls);
  if (compositeIds.length === 0 && controls.length === 0) throw new UsageError("eval needs --composites <a,b,…>; see 'nrm eval --help'.");
  const { metrics, explicit: explicitMetrics } = parseMetrics(values.metrics);
  const variants = parseVariants(compositeIds, values.filter ?? [], controls, registry);
  const epsilon = parseNumber('--epsilon', values.epsilon);
  const low = parseNumber('--low', values.low);
  const high = parseNumber('--high', values.high);
  if ((low === undefined) !== (high === undefined)) throw new UsageError('--low and --high go together.');
  for (const v of variants) {
    if (v.kind === 'composite' && v.composite.needsBounds && low === undefined) {
      throw new UsageError(`Composite '${v.composite.id}' needs the input bounds: --low <l> --high <h> (e.g. --low 0 --high 1).`);
    }
  }
  const target = values.target ?? 'auto';
  if (target !== 'auto' && target !== 'label' && target !== 'predicted') throw new UsageError(`--target must be label or predicted; got '${target}'.`);
  const coverageThreshold = parseNumber('--coverage-threshold', values['coverage-threshold']) ?? 0.5;
  if (!(coverageThreshold > 0 && coverageThreshold <= 1)) throw new UsageError(`--coverage-threshold must be in (0, 1]; got ${coverageThreshold}.`);
  const replacementTexts = splitReplacements(values.replacement);
  const settings: EvalSettings = {
    metrics,
    explicitMetrics,
    variants,
    target,
    steps: integer('--steps', values.steps, 20, 1),
    patchSize: integer('--patch', values.patch, 4, 1),
    replacements: replacementTexts.map((text) => ({ text, value: parseReplacement(text) })),
    seed: integer('--seed', values.seed, 0, 0),
    tolerance: integer('--tolerance', values.tolerance, 0, 0),
    coverageThreshold,
    batchSize: integer('--batch-size', values['batch-size'], 256, 1),
    explainBatch: 32,
    mprtSamples: integer('--mprt-samples', values['mprt-samples'], 16, 1),
    examples: integer('--examples', values.examples, 4, 0),
    compositeOptions: { epsilon, low, high },
  };
  const sources = dataTexts.map((text) => parseDataSource(text));
  for (const [i, source] of sources.entries()) await checkDataSource(source, dataTexts[i]!);

  await useBackend(registry, values.backend ?? 'wasm', (line) => io.stderr(`nrm: ${line}`));
  const progress = options.progress ?? (process.stderr.isTTY ? (text: string) => void process.stderr.write(text) : undefined);
  const runs: RunReport[] = [];
  const examples: RunExamples[] = [];
  try {
    for (const [i, modelPath] of models.entries()) {
      const graph = await loadGraph(modelPath);
      for (const w of graph.warnings) io.stderr(`nrm: warning: ${w}`);
      const input = graph.nodes.find((n) => n.id === graph.input)!.outputShape;
      const data = await loadEvalData(sources[i]!, dataTexts[i]!, input);
      const result = await runEvaluation({
        modelPath,
        graph,
        registry,
        data,
        settings,
        progress: progress && ((what) => progress(`\r[${i + 1}/${models.length}] ${dataTexts[i]}: ${what}\x1b[K`)),
      });
      runs.push(result.report);
      examples.push(result.examples);
    }
  } finally {
    progress?.('\r\x1b[K');
  }
  const report: EvalReport = {
    tool: 'nrm eval',
    version: 1,
    backend: tf.getBackend(),
    settings: {
      metrics: explicitMetrics ? metrics.join(',') : 'all',
      target,
      steps: settings.steps,
      patch: settings.patchSize,
      replacements: replacementTexts.join(' '),
      seed: settings.seed,
      tolerance: settings.tolerance,
      coverageThreshold,
      mprtSamples: settings.mprtSamples,
      ...(epsilon !== undefined ? { epsilon } : {}),
      ...(low !== undefined ? { low, high } : {}),
    },
    runs,
  };
  // Render everything first, then write: a failure while rendering leaves no file behind.
  const outputs: [string, string][] = [];
  if (values.json) outputs.push([values.json, `${JSON.stringify(report, null, 2)}\n`]);
  if (values.html) outputs.push([values.html, renderEvalHtml(report, examples)]);
  if (values.md) outputs.push([values.md, renderEvalMarkdown(report)]);
  for (const [path, text] of outputs) {
    await mkdir(dirname(path), { recursive: true });
    await writeFileAtomic(path, new TextEncoder().encode(text));
  }
  const counts = runs.map((r) => `${r.data} (${r.count} images)`).join(', ');
  io.stdout(`evaluated ${variants.length} variant${variants.length === 1 ? '' : 's'} with ${metrics.length} metric${metrics.length === 1 ? '' : 's'} on ${counts}; wrote ${outputs.map(([p]) => p).join(', ')}`);
  return 0;
}
