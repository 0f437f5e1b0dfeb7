/**
 * `nrm paths` on vgg_tiny (cpu): the JSON (selections, relevance graph, critical paths, optimizer
 * curve), the SVG of the graph, the PNG heatmaps and error curve, and usage errors that leave no
 * file behind.
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpuBackend } from '@nrm/backend-cpu';
import { NrmError } from '@nrm/core';
import { loadFixtureCase } from '@nrm/testkit';
import { decodePng } from '@nrm/viz';
import { UsageError } from '../args/usage-error.js';
import { defaultRegistry } from '../default-registry.js';
import { pathsCommand, PATHS_USAGE } from './paths.js';

const work = mkdtempSync(join(tmpdir(), 'nrm-paths-'));
let start = 0;
beforeAll(async () => {
  await cpuBackend.setup();
  start = tf.memory().numTensors;
});
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
  expect(tf.memory().numTensors).toBe(start);
});
const vgg = loadFixtureCase('vgg_tiny');
const common = ['--model', vgg.modelPath, '--input', vgg.inputPath, '--composite', 'epsilon-plus-flat', '--target', 'logits:7', '--backend', 'cpu'];

async function run(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await pathsCommand(argv, defaultRegistry(), { stdout: (l) => out.push(l), stderr: (l) => err.push(l) });
  return { code, out, err };
}

interface Node {
  channel: number;
  value: number;
}
interface Edge {
  from: number;
  to: number;
  value: number;
}

/** μ(c_L) · Π_j J[c_j][c_j+1] / μ(c_j+1) from the JSON graph of sample 0. */
function scoreOf(graph: { samples: { nodes: Node[][]; edges: Edge[][] }[] }, channels: number[]): number {
  const { nodes, edges } = graph.samples[0]!;
  const mu = (j: number, c: number) => nodes[j]!.find((n) => n.channel === c)!.value;
  let score = mu(channels.length - 1, channels[channels.length - 1]!);
  for (let j = channels.length - 2; j >= 0; j--) {
    score *= edges[j]!.find((e) => e.from === channels[j] && e.to === channels[j + 1])!.value / mu(j + 1, channels[j + 1]!);
  }
  return score;
}

describe('nrm paths', () => {
  it('writes the selections, the relevance graph, the critical paths, an SVG and PNG heatmaps', async () => {
    const json = join(work, 'a', 'paths.json');
    const svg = join(work, 'a', 'graph.svg');
    const pngDir = join(work, 'a', 'heatmaps');
    const r = await run([...common, '--layers', 'conv3,conv1,conv2', '--select', 'topk:3', '--top-k', '4', '--json', json, '--svg', svg, '--png-dir', pngDir]);
    expect(r.err).toEqual([]);
    expect(r.code).toBe(0);
    expect(r.out[0]).toMatch(/^wrote .*paths\.json/);
    const data = JSON.parse(readFileSync(json, 'utf8'));
    expect(data.layers).toEqual(['conv1', 'conv2', 'conv3']);
    expect(data.select).toEqual({ select: 'topk', value: 3, unit: 'channel', source: 'select' });
    expect(data.selections).toHaveLength(3);
    for (const s of data.selections) {
      expect(s.units[0]).toHaveLength(3);
      // Ranked by μ, highest first.
      expect([...s.values[0]].sort((a: number, b: number) => b - a)).toEqual(s.values[0]);
    }
    const sample = data.graph.samples[0];
    expect(sample.nodes.map((n: Node[]) => n.length)).toEqual([3, 3, 3]);
    expect(sample.edges.map((e: Edge[]) => e.length)).toEqual([9, 9]);
    // The nodes are the selected channels (conv1 is layer 0 once sorted).
    const byLayer = new Map(data.selections.map((s: { layer: string; units: number[][] }) => [s.layer, s.units[0]]));
    data.layers.forEach((layer: string, j: number) =>
      expect(sample.nodes[j].map((n: Node) => n.channel)).toEqual([...(byLayer.get(layer) as number[])].sort((a, b) => a - b)),
    );
    const paths = data.paths[0];
    expect(paths).toHaveLength(4);
    for (const [i, p] of paths.entries()) {
      expect(p.score).toBeCloseTo(scoreOf(data.graph, p.channels), 6);
      if (i > 0) expect(p.score).toBeLessThanOrEqual(paths[i - 1].score);
      expect(typeof p.joint).toBe('number');
    }
    expect(data.heatmap.keptMass[0]).toBeGreaterThan(0);
    expect(data.optimize).toBeUndefined();

    const text = readFileSync(svg, 'utf8');
    expect(text.startsWith('<svg')).toBe(true);
    expect(text).toContain('Relevance graph of the selection');
    for (const [layer, count] of [['conv1', 8], ['conv2', 8], ['conv3', 16]]) expect(text).toContain(`${layer} (3 of ${count} selected)`);
    expect(text.match(/class="node"/g)).toHaveLength(9);
    expect(text).toContain('top walk #4');
    expect(text).not.toContain('top walk #5');

    expect(readdirSync(pngDir).sort()).toEqual(['path-1.png', 'path-2.png', 'path-3.png', 'path-4.png', 'selection.png']);
    for (const file of readdirSync(pngDir)) {
      const image = decodePng(readFileSync(join(pngDir, file)));
      expect(image.width).toBeGreaterThanOrEqual(16);
      expect(image.height).toBe(image.width);
    }
  });

  it('with --optimize: the error curve, the chosen k drives the selection, and an error-curve PNG', async () => {
    const json = join(work, 'b', 'paths.json');
    const pngDir = join(work, 'b', 'png');
    const r = await run([...common, '--layers', 'conv1,conv2,conv3', '--optimize', 'smape', '--tolerance', '105', '--top-k', '2', '--json', json, '--png-dir', pngDir]);
    expect(r.err).toEqual([]);
    expect(r.code).toBe(0);
    const data = JSON.parse(readFileSync(json, 'utf8'));
    const { curve, k, metric, tolerance } = data.optimize;
    expect([metric, tolerance]).toEqual(['smape', 105]);
    expect(curve.map((p: { k: number }) => p.k)).toEqual(Array.from({ length: 16 }, (_, i) => i + 1));
    for (const p of curve) expect(Object.keys(p).sort()).toEqual(['k', 'keptMass', 'mse', 'perSample', 'smape']);
    expect(curve[15].smape).toBe(0);
    expect(k).toBe(curve.find((p: { smape: number }) => p.smape <= 105).k);
    expect(k).toBeLessThan(16);
    expect(data.select).toEqual({ select: 'topk', value: k, unit: 'channel', source: 'optimize' });
    expect(data.selections[0].units[0]).toHaveLength(Math.min(k, 8));
    expect(data.paths[0]).toHaveLength(2);
    expect(readdirSync(pngDir).sort()).toEqual(['error-curve.png', 'path-1.png', 'path-2.png', 'selection.png']);
    const chart = decodePng(readFileSync(join(pngDir, 'error-curve.png')));
    expect([chart.width, chart.height]).toEqual([360, 220]);
    const colors = new Set<string>();
    for (let i = 0; i < chart.rgba.length; i += 4) colors.add(`${chart.rgba[i]},${chart.rgba[i + 1]},${chart.rgba[i + 2]}`);
    for (const c of ['31,95,191', '214,39,40', '26,152,80', '0,0,0']) expect(colors, c).toContain(c);
  });

  it('prints its usage with --help', async () => {
    const r = await run(['--help']);
    expect(r.code).toBe(0);
    expect(r.out).toEqual([PATHS_USAGE]);
  });

  it('usage errors throw a one-line UsageError (exit code 2 in runCli) before writing anything', async () => {
    const dir = join(work, 'bad');
    const out = ['--json', join(dir, 'p.json'), '--png-dir', join(dir, 'png')];
    const cases: [string[], RegExp][] = [
      [[...common, '--layers', 'conv1', '--select', 'top:3', ...out], /--select 'top:3' must be topk/],
      [[...common, '--layers', 'conv1', '--select', 'topk:0', ...out], /integer k ≥ 1/],
      [[...common, '--layers', 'conv1', '--optimize', 'smape', ...out], /--optimize needs --tolerance/],
      [[...common, '--layers', 'conv1', '--tolerance', '3', ...out], /go with --optimize/],
      [[...common, '--layers', 'conv1', '--optimize', 'mae', '--tolerance', '1', ...out], /must be mse or smape/],
      [[...common, '--layers', 'conv1'], /needs --json <file>, --svg <file> and\/or --png-dir/],
      [[...common, ...out], /paths needs --layers/],
    ];
    for (const [argv, pattern] of cases) {
      const error = await run(argv).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error, pattern.source).toBeInstanceOf(UsageError);
      expect((error as Error).message).toMatch(pattern);
      expect((error as Error).message).not.toContain('\n');
    }
    // Unknown flags are parseArgs errors (also exit code 2 in runCli).
    await expect(run([...common, '--layers', 'conv1', '--bogus', ...out])).rejects.toMatchObject({ code: 'ERR_PARSE_ARGS_UNKNOWN_OPTION' });
    // A layer the model lacks fails after loading (exit code 1), still before any file is written.
    const unknown = await run([...common, '--layers', 'conv1,nope', ...out]).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(unknown instanceof NrmError && !(unknown instanceof UsageError)).toBe(true);
    expect((unknown as Error).message).toMatch(/Unknown layer 'nope'/);
    expect(existsSync(dir)).toBe(false);
  });
});
