import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { InvalidArgumentError, type Registry } from '@nrm/core';
import {
  createMeasure,
  criticalPaths,
  optimizeSelection,
  pathHeatmap,
  relevanceGraph,
  selectionHeatmap,
  selectLayers,
  type CurvePoint,
  type OptimizeResult,
  type PathHeatmapData,
  type RelevanceGraph,
  type SelectionMetric,
  type SelectSpec,
} from '@nrm/measure';
import { createRgbaImage, drawText, encodePng, flowDiagramSvg, formatSignificant, measureText, writeFileAtomic, type Rgba, type RgbaImage } from '@nrm/viz';
import { joinNegativeNumbers } from '../args/join-negative-numbers.js';
import { parseNumber } from '../args/parse-number.js';
import { UsageError } from '../args/usage-error.js';
import type { CliIo } from '../cli-io.js';
import { EXPLANATION_OPTIONS, NUMBER_FLAGS, openExplanation, parseExplanationSpec, required } from '../explanation-options.js';
import { heatmapPng } from '../heatmap-png.js';
import { jsonNumbers } from './measure.js';

/** Usage of `nrm paths`. */
export const PATHS_USAGE = `nrm paths --model M --input X --composite C --target <layer>:<i,…> --layers a,b,c [--select topk:K|fraction:P|threshold:T]
    [--top-k K] [--optimize mse|smape --tolerance T [--k-values auto|1,2,4]] [--chunk N] [--json paths.json] [--svg graph.svg] [--png-dir heatmaps/]
  keeps the selected channels (default topk:5) at each layer, builds the relevance graph (nodes:
  selected channels with μ; edges: J[a][b] = μ(a@lower, b@upper) between selected channels of
  adjacent layers) and its top-K critical paths, scored μ(c_L) · Π μ(c_j | c_j+1) (the product of
  the conditionals from the output down); --optimize sweeps topk (every k up to the widest layer by
  default), compares each selection's input heatmap with the full one (both summed to 1) by MSE and
  SMAPE (%), and uses the smallest k whose error ≤ T (else --select). --svg draws sample 0's graph
  with the paths; --png-dir gets selection.png, path-<rank>.png and error-curve.png`;

/** Parses `--select topk:K | fraction:P | threshold:T` (channels). */
function parseSelect(text: string): SelectSpec {
  const match = /^(topk|fraction|threshold):(.+)$/.exec(text.trim());
  if (!match) throw new UsageError(`--select '${text}' must be topk:<k>, fraction:<p> or threshold:<τ>.`);
  const select = match[1] as SelectSpec['select'];
  const value = parseNumber('--select', match[2]!)!;
  if (select === 'topk' && !(Number.isInteger(value) && value >= 1)) throw new UsageError(`--select topk:<k> needs an integer k ≥ 1, got '${match[2]}'.`);
  if (select === 'fraction' && !(value > 0 && value <= 1)) throw new UsageError(`--select fraction:<p> needs p in (0, 1], got '${match[2]}'.`);
  return { select, value, unit: 'channel' };
}

function positiveInteger(flag: string, text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new UsageError(`${flag} '${text}' must be a positive integer.`);
  return value;
}

/** What `--optimize` asks for, validated before anything is loaded. */
interface OptimizeSpec {
  readonly metric: SelectionMetric;
  readonly tolerance: number;
  readonly values: number[] | 'auto';
}

function parseOptimize(values: Record<string, string | boolean | string[] | undefined>): OptimizeSpec | undefined {
  const metric = values['optimize'] as string | undefined;
  const tolerance = parseNumber('--tolerance', values['tolerance'] as string | undefined);
  const kValues = values['k-values'] as string | undefined;
  if (metric === undefined) {
    if (tolerance !== undefined || kValues !== undefined) throw new UsageError('--tolerance and --k-values go with --optimize mse|smape.');
    return undefined;
  }
  if (metric !== 'mse' && metric !== 'smape') throw new UsageError(`--optimize '${metric}' must be mse or smape.`);
  if (tolerance === undefined || tolerance < 0) throw new UsageError('--optimize needs --tolerance <t ≥ 0> (MSE of sum-1 heatmaps, or SMAPE in percent).');
  const ks = kValues === undefined || kValues === 'auto' ? 'auto' : kValues.split(',').map((k) => positiveInteger('--k-values', k.trim()));
  return { metric, tolerance, values: ks };
}

/** Raw heatmaps `[N, ...]` as one PNG (a tile per sample), or an error for inputs that are not images. */
function heatmapFile(shape: readonly number[], data: Float32Array): Uint8Array {
  if (shape.length !== 4 && shape.length !== 2) {
    throw new InvalidArgumentError(`--png-dir needs an image input ([N, H, W, C]); this input has shape [${shape.join(', ')}].`);
  }
  return heatmapPng({ shape: [...shape], data }, 'bwr');
}

const INK: Rgba = [0, 0, 0, 255];
const CURVE: Rgba = [31, 95, 191, 255];
const TOLERANCE: Rgba = [214, 39, 40, 255];
const CHOSEN: Rgba = [26, 152, 80, 255];

function dot(image: RgbaImage, x: number, y: number, color: Rgba, radius = 0): void {
  for (let dy = -radius; dy <= radius; dy++) {
    for (let dx = -radius; dx <= radius; dx++) {
      const px = Math.round(x) + dx;
      const py = Math.round(y) + dy;
      if (px < 0 || py < 0 || px >= image.width || py >= image.height) continue;
      image.rgba.set(color, (py * image.width + px) * 4);
    }
  }
}

/** A straight line (one pixel per step along the longer axis); `dash` > 0 draws `dash` on, `dash` off. */
function line(image: RgbaImage, x0: number, y0: number, x1: number, y1: number, color: Rgba, dash = 0, radius = 0): void {
  const steps = Math.max(1, Math.ceil(Math.max(Math.abs(x1 - x0), Math.abs(y1 - y0))));
  for (let i = 0; i <= steps; i++) {
    if (dash > 0 && Math.floor(i / dash) % 2 === 1) continue;
    dot(image, x0 + ((x1 - x0) * i) / steps, y0 + ((y1 - y0) * i) / steps, color, radius);
  }
}

/**
 * The optimizer's error curve as a small PNG line chart (a few lines of rasterizing into an RGBA
 * image): the chosen metric against k (blue, a square per point; NaN points are left out), the
 * tolerance (dashed red) and the chosen k (green), with the axis ranges written in the corners.
 */
export function errorCurvePng(result: Pick<OptimizeResult, 'curve' | 'metric' | 'tolerance' | 'k'>): Uint8Array {
  const [width, height, left, right, top, bottom] = [360, 220, 44, 14, 24, 30];
  const image = createRgbaImage(width, height);
  const points = result.curve.filter((p: CurvePoint) => Number.isFinite(p[result.metric]));
  const ks = result.curve.map((p) => p.k);
  const [kMin, kMax] = [Math.min(...ks), Math.max(...ks)];
  const yMax = Math.max(result.tolerance, ...points.map((p) => p[result.metric])) * 1.05 || 1;
  const x = (k: number) => left + ((k - kMin) / (kMax - kMin || 1)) * (width - left - right);
  const y = (v: number) => height - bottom - (v / yMax) * (height - top - bottom);
  line(image, left, top, left, height - bottom, INK);
  line(image, left, height - bottom, width - right, height - bottom, INK);
  line(image, left, y(result.tolerance), width - right, y(result.tolerance), TOLERANCE, 4);
  if (result.k !== null) line(image, x(result.k), top, x(result.k), height - bottom, CHOSEN, 3);
  points.forEach((p, i) => {
    const next = points[i + 1];
    if (next) line(image, x(p.k), y(p[result.metric]), x(next.k), y(next[result.metric]), CURVE, 0, 1);
    dot(image, x(p.k), y(p[result.metric]), CURVE, 2);
  });
  const name = result.metric.toUpperCase();
  drawText(image, `${name} vs k, tol ${formatSignificant(result.tolerance)}, k = ${result.k ?? 'none'}`, left, 8);
  drawText(image, formatSignificant(yMax), 2, top);
  drawText(image, '0', left - 10, height - bottom - 7);
  drawText(image, String(kMin), left, height - bottom + 6);
  drawText(image, String(kMax), width - right - measureText(String(kMax)).width, height - bottom + 6);
  drawText(image, 'k', (left + width - right) / 2, height - bottom + 16);
  return encodePng(image.rgba, image.width, image.height);
}

/**
 * `nrm paths`: neuron (channel) selection at chosen layers, the relevance graph of the selection,
 * its critical paths and their heatmaps, and optionally the selection optimizer (paper 001).
 * Everything is computed before any file is written; usage errors are {@link UsageError}s.
 */
export async function pathsCommand(argv: readonly string[], registry: Registry, io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args: joinNegativeNumbers(argv, [...NUMBER_FLAGS, '--tolerance']),
    options: {
      ...EXPLANATION_OPTIONS,
      layers: { type: 'string' },
      select: { type: 'string', default: 'topk:5' },
      'top-k': { type: 'string', default: '5' },
      optimize: { type: 'string' },
      tolerance: { type: 'string' },
      'k-values': { type: 'string' },
      chunk: { type: 'string', default: '16' },
      json: { type: 'string' },
      svg: { type: 'string' },
      'png-dir': { type: 'string' },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) {
    io.stdout(PATHS_USAGE);
    return 0;
  }
  const spec = parseExplanationSpec('paths', values, registry);
  const layers = required('paths', values, 'layers').split(',').map((l) => l.trim()).filter(Boolean);
  if (layers.length === 0) throw new UsageError('--layers needs at least one layer, e.g. --layers conv1,conv2,conv3.');
  const select = parseSelect(values.select);
  const topK = positiveInteger('--top-k', values['top-k']);
  const chunk = positiveInteger('--chunk', values.chunk);
  const optimize = parseOptimize(values);
  const pngDir = values['png-dir'];
  if (!values.json && !values.svg && !pngDir) throw new UsageError('paths needs --json <file>, --svg <file> and/or --png-dir <dir>.');

  const context = await openExplanation(spec, registry, io);
  const files: { path: string; bytes: Uint8Array }[] = [];
  let measure: ReturnType<typeof createMeasure> | undefined;
  try {
    measure = createMeasure(context.explainer, context.input, context.target, { chunkSize: chunk, layers: ['input', ...layers] });
    const optimized = optimize ? await optimizeSelection(measure, layers, { select: 'topk', ...optimize }) : undefined;
    const used = optimized && optimized.k !== null ? { select: 'topk' as const, value: optimized.k, unit: 'channel' as const } : select;
    const selections = await selectLayers(measure, layers, used);
    const graph = await relevanceGraph(measure, layers, selections, { chunkSize: chunk });
    const paths = criticalPaths(graph, topK);
    const heat = await selectionHeatmap(measure, selections);
    const ranks = Math.max(0, ...paths.map((p) => p.length));
    const pathHeats: PathHeatmapData[] = [];
    for (let r = 0; r < ranks; r++) pathHeats.push(await pathHeatmap(measure, paths.map((p) => p[r] ?? null)));
    const report = {
      target: context.target,
      composite: spec.composite.id,
      layers: graph.layers,
      select: { ...used, source: used === select ? 'select' : 'optimize' },
      selections: selections.map((s) => ({ layer: s.layer, spec: s.spec, unitCount: s.unitCount, units: s.units, values: s.values })),
      heatmap: { keptMass: heat.keptMass, given: heat.given, flags: heat.flags },
      graph,
      paths: paths.map((list, n) => list.map((p, r) => ({ channels: p.channels, score: p.score, joint: pathHeats[r]!.joint[n]! }))),
      ...(optimized ? { optimize: optimized } : {}),
    };
    if (values.json) files.push({ path: values.json, bytes: new TextEncoder().encode(`${JSON.stringify(report, jsonNumbers, 2)}\n`) });
    if (values.svg) {
      const what = `${context.target.layer}[${context.target.indices[0]!.join(',')}] (${spec.composite.id})`;
      files.push({ path: values.svg, bytes: new TextEncoder().encode(graphSvg(report, what)) });
    }
    if (pngDir) {
      files.push({ path: join(pngDir, 'selection.png'), bytes: heatmapFile(heat.shape, heat.raw) });
      pathHeats.forEach((h, r) => files.push({ path: join(pngDir, `path-${r + 1}.png`), bytes: heatmapFile(h.shape, h.raw) }));
      if (optimized) files.push({ path: join(pngDir, 'error-curve.png'), bytes: errorCurvePng(optimized) });
    }
  } finally {
    measure?.dispose();
    context.dispose();
  }
  // Everything is computed: only now touch the file system (each file atomically).
  for (const dir of new Set(files.map((f) => dirname(f.path)))) await mkdir(dir, { recursive: true });
  for (const file of files) await writeFileAtomic(file.path, file.bytes);
  io.stdout(`wrote ${files.map((f) => f.path).join(', ')}`);
  return 0;
}

const finite = (v: number) => (Number.isFinite(v) ? v : 0);

interface GraphReport {
  readonly graph: RelevanceGraph;
  readonly selections: readonly { readonly layer: string; readonly unitCount: number }[];
  readonly paths: readonly (readonly { readonly channels: readonly number[]; readonly score: number }[])[];
}

/** Sample 0's relevance graph (selected channels only) with its critical paths highlighted. */
function graphSvg(report: GraphReport, what: string): string {
  const sample = report.graph.samples[0]!;
  // Column headers say how many of the layer's channels are selected.
  const names = new Map(
    report.graph.layers.map((name, j) => {
      const of = report.selections.find((s) => s.layer === name)!.unitCount;
      return [name, `${name} (${sample.nodes[j]!.length} of ${of} selected)`];
    }),
  );
  const label = (layer: string) => names.get(layer)!;
  return flowDiagramSvg(
    {
      title: `Relevance graph of the selection and its critical paths, sample 0: ${what}`,
      layers: report.graph.layers.map((name, j) => ({
        name: label(name),
        channels: sample.nodes[j]!.map((node) => ({ index: node.channel, value: finite(node.value) })),
      })),
      flows: sample.edges.flat().map((e) => ({ lower: label(e.lower), upper: label(e.upper), from: e.from, to: e.to, value: finite(e.value) })),
      walks: (report.paths[0] ?? []).map((p) => ({ channels: [...p.channels], value: finite(p.score) })),
    },
    { maxChannelsPerLayer: Math.max(1, ...sample.nodes.map((n) => n.length)) },
  );
}
