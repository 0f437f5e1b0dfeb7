/**
 * `nrm eval` (cpu): a PNG folder with masks, an .npy folder with labels, the shapes generator on
 * the ground-truth model and the test digits; the JSON, HTML and Markdown reports; usage and data
 * errors that fail before anything is written.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpuBackend } from '@nrm/backend-cpu';
import { InvalidArgumentError, NrmError, UnknownRegistryItemError, writeNpy } from '@nrm/core';
import { edgeHeatmaps, relevanceMassAccuracy } from '@nrm/eval';
import { encodePng } from '@nrm/viz';
import { UsageError } from '../args/usage-error.js';
import { defaultRegistry } from '../default-registry.js';
import { evalCommand, EVAL_USAGE } from './eval.js';
import { parseDataSource } from './eval-data.js';
import { parseReplacement } from './eval-options.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
const digitsModel = join(root, 'examples/digits-cnn/model/model.json');
const shapesModel = join(root, 'examples/ground-truth-shapes/model/model.json');
const digits = JSON.parse(readFileSync(join(root, 'examples/digits-cnn/model/test-digits.json'), 'utf8')) as { label: number; pixels: number[] }[];
const work = mkdtempSync(join(tmpdir(), 'nrm-eval-'));
let start = 0;
beforeAll(async () => {
  await cpuBackend.setup();
  start = tf.memory().numTensors;
});
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
  expect(tf.memory().numTensors).toBe(start);
});

const gray = (values: readonly number[]) => {
  const rgba = new Uint8ClampedArray(values.length * 4);
  values.forEach((v, i) => rgba.set([Math.round(v * 255), Math.round(v * 255), Math.round(v * 255), 255], i * 4));
  return rgba;
};
/** The "ground truth" of a digit in these tests: its ink (pixels above 0.5). */
const inkMask = (pixels: readonly number[]) => pixels.map((v) => (v > 0.5 ? 1 : 0));

const pngDir = join(work, 'png');
mkdirSync(pngDir);
for (let i = 0; i < 4; i++) {
  writeFileSync(join(pngDir, `d${i}.png`), encodePng(gray(digits[i]!.pixels), 28, 28));
  writeFileSync(join(pngDir, `d${i}.mask.png`), encodePng(gray(inkMask(digits[i]!.pixels)), 28, 28));
}

async function run(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const progress: string[] = [];
  const code = await evalCommand(argv, defaultRegistry(), { stdout: (l) => out.push(l), stderr: (l) => err.push(l) }, { progress: (t) => progress.push(t) });
  return { code, out, err, progress };
}

interface Variant {
  id: string;
  kind: string;
  scores: Record<string, number | null>;
  completeness?: { layer: string; meanAbsoluteRelativeError: number }[];
  mprt?: { layer: string; spearman: number; ssim: number }[];
  perturbation?: { metric: string; replacement: string; fractions: number[]; meanCurve: number[]; meanAuc: number }[];
}
const readJson = (path: string) =>
  JSON.parse(readFileSync(path, 'utf8')) as {
    settings: Record<string, unknown>;
    runs: { target: string; accuracy?: number; masks: boolean; count: number; variants: Variant[]; randomOrder?: unknown[]; replacements: string[] }[];
  };

describe('nrm eval', () => {
  it('prints its usage', async () => {
    const { code, out } = await run(['--help']);
    expect(code).toBe(0);
    expect(out[0]).toBe(EVAL_USAGE);
  });

  it('evaluates a PNG folder with masks on every metric and writes JSON, HTML and Markdown', async () => {
    const out = join(work, 'out-png');
    const { code, out: stdout, progress } = await run([
      '--model', digitsModel, '--data', pngDir, '--composites', 'epsilon-plus-flat,gradient',
      '--filter', 'epsilon-plus-flat=clamp:0,0.2@conv3,conv4', '--controls', 'edges,random',
      '--steps', '5', '--mprt-samples', '3', '--examples', '2', '--backend', 'cpu',
      '--replacement', 'constant:0', '--replacement', 'blur:1',
      '--json', join(out, 'r.json'), '--html', join(out, 'r.html'), '--md', join(out, 'r.md'),
    ]);
    expect(code).toBe(0);
    expect(stdout).toHaveLength(1);
    expect(stdout[0]).toMatch(/evaluated 5 variants with 10 metrics/);
    expect(progress).toContain(`\r[1/1] ${pngDir}: epsilon-plus-flat: explaining\x1b[K`);
    expect(progress[progress.length - 1]).toBe('\r\x1b[K');

    const report = readJson(join(out, 'r.json'));
    const [runReport] = report.runs;
    expect(runReport!.masks).toBe(true);
    expect(runReport!.target).toBe('predicted'); // PNG folders have no labels
    expect(runReport!.replacements).toEqual(['constant:0', 'blur:1']);
    const byId = Object.fromEntries(runReport!.variants.map((v) => [v.id, v]));
    expect(Object.keys(byId)).toEqual(['epsilon-plus-flat', 'epsilon-plus-flat+clamp:0,0.2@conv3,conv4', 'gradient', 'control:edges', 'control:random']);
    const keys = [
      'pixel-flipping constant:0', 'pixel-flipping blur:1', 'region-perturbation constant:0', 'region-perturbation blur:1',
      'mass-accuracy', 'pointing-game', 'coverage', 'coverage-precision', 'mse', 'smape', 'sparseness', 'mprt-spearman', 'mprt-ssim',
    ];
    for (const v of runReport!.variants) {
      for (const key of keys) expect(v.scores).toHaveProperty([key]);
      expect('completeness' in v.scores).toBe(v.kind === 'composite');
      for (const key of ['mass-accuracy', 'pointing-game', 'coverage']) {
        expect(v.scores[key]).toBeGreaterThanOrEqual(0);
        expect(v.scores[key]).toBeLessThanOrEqual(1);
      }
      expect(v.perturbation!.map((c) => `${c.metric} ${c.replacement}`)).toEqual(keys.slice(0, 4));
      expect(v.perturbation![0]!.fractions).toHaveLength(6);
    }
    // The edge detector ignores the weights; LRP does not.
    expect(byId['control:edges']!.scores['mprt-spearman']).toBe(1);
    expect(byId['epsilon-plus-flat']!.scores['mprt-spearman']).toBeLessThan(0.5);
    expect(byId['epsilon-plus-flat']!.mprt!.map((s) => s.layer)).toEqual(['logits', 'fc1', 'conv4', 'conv3', 'conv2', 'conv1']);
    // LRP ε+flat nearly conserves the logit; the input comes first and the target layer is exact.
    const conservation = byId['epsilon-plus-flat']!.completeness!;
    expect(conservation[0]!.layer).toBe('input');
    expect(conservation[0]!.meanAbsoluteRelativeError).toBeLessThan(0.05);
    expect(conservation[conservation.length - 1]).toEqual({ layer: 'logits', meanAbsoluteRelativeError: 0 });
    // The masks were read from the PNGs: the edge control's mass accuracy, recomputed here, agrees.
    const images = tf.tensor4d(digits.slice(0, 4).flatMap((d) => d.pixels.map((v) => Math.round(v * 255) / 255)), [4, 28, 28, 1]);
    const masks = tf.tensor3d(digits.slice(0, 4).flatMap((d) => inkMask(d.pixels)), [4, 28, 28]);
    const edges = edgeHeatmaps(images);
    const expected = (await relevanceMassAccuracy(edges, masks)).reduce((a, b) => a + b, 0) / 4;
    tf.dispose([images, masks, edges]);
    expect(byId['control:edges']!.scores['mass-accuracy']).toBeCloseTo(expected, 5);
    expect(runReport!.randomOrder).toHaveLength(4);

    const html = readFileSync(join(out, 'r.html'), 'utf8');
    expect(html.startsWith('<!doctype html>')).toBe(true);
    // Self-contained: charts inline, images as data URLs, nothing fetched.
    expect(html.match(/<svg /g)!.length).toBe(4 + 2 + 1); // 4 perturbation charts, 2 MPRT, 1 conservation
    expect(html.match(/src="data:image\/png;base64,/g)!.length).toBe(2 * (1 + 5) + 5);
    expect(html).not.toMatch(/(src|href)="(https?:|\/\/)/);
    for (const id of Object.keys(byId)) expect(html).toContain(id);
    const md = readFileSync(join(out, 'r.md'), 'utf8');
    expect(md).toContain('| variant | conservation error ↓ | pixel-flipping AUC (constant:0) ↓');
    expect(md).toContain('| epsilon-plus-flat | ');
  });

  it('reads an .npy folder with labels and explains the labels (or the predictions)', async () => {
    const dir = join(work, 'npy');
    mkdirSync(dir);
    const six = digits.slice(0, 6);
    writeFileSync(join(dir, 'images.npy'), writeNpy({ shape: [6, 28, 28, 1], data: Float32Array.from(six.flatMap((d) => d.pixels)) }));
    // One wrong label: accuracy 5/6.
    writeFileSync(join(dir, 'labels.npy'), writeNpy({ shape: [6], data: Float32Array.from(six.map((d, i) => (i === 0 ? (d.label + 1) % 10 : d.label))) }));
    const out = join(work, 'out-npy');
    const common = ['--model', digitsModel, '--data', dir, '--composites', 'epsilon', '--metrics', 'sparseness', '--backend', 'cpu'];
    expect((await run([...common, '--json', join(out, 'a.json')])).code).toBe(0);
    const a = readJson(join(out, 'a.json')).runs[0]!;
    expect(a.target).toBe('label');
    expect(a.accuracy).toBeCloseTo(5 / 6, 10);
    expect(a.masks).toBe(false);
    expect((await run([...common, '--target', 'predicted', '--json', join(out, 'b.json')])).code).toBe(0);
    const b = readJson(join(out, 'b.json')).runs[0]!;
    expect(b.target).toBe('predicted');
    // Without --metrics every metric runs, except the mask metrics on data without masks.
    expect((await run([...common.filter((a) => a !== 'sparseness' && a !== '--metrics'), '--steps', '2', '--mprt-samples', '1', '--json', join(out, 'c.json')])).code).toBe(0);
    const c = readJson(join(out, 'c.json')).runs[0]! as unknown as { metrics: string[] };
    expect(c.metrics).toEqual(['completeness', 'pixel-flipping', 'region-perturbation', 'sparseness', 'mprt']);
    // The first image is explained for another class: its sparseness differs.
    expect(b.variants[0]!.scores['sparseness']).not.toBeCloseTo(a.variants[0]!.scores['sparseness']!, 6);
  });

  it.skipIf(!existsSync(shapesModel))('evaluates the ground-truth shapes model on generated shapes, and the digits, in one report', async () => {
    const out = join(work, 'out-shapes');
    const { code } = await run([
      '--model', shapesModel, '--data', 'generator:shapes:8:2', '--model', digitsModel, '--data', 'digits:4',
      '--composites', 'epsilon-plus-flat', '--controls', 'random', '--metrics', 'mass-accuracy,pointing-game,sparseness',
      '--backend', 'cpu', '--json', join(out, 'r.json'), '--html', join(out, 'r.html'),
    ]).catch((error: unknown) => ({ code: error }));
    // The digits have no masks: the mask metrics cannot run on them.
    expect(code).toBeInstanceOf(InvalidArgumentError);
    expect(existsSync(out)).toBe(false);

    const ok = await run([
      '--model', shapesModel, '--data', 'generator:shapes:8:2', '--model', digitsModel, '--data', 'digits:4',
      '--composites', 'epsilon-plus-flat', '--controls', 'random', '--metrics', 'sparseness',
      '--backend', 'cpu', '--json', join(out, 'r.json'),
    ]);
    expect(ok.code).toBe(0);
    const report = readJson(join(out, 'r.json'));
    expect(report.runs.map((r) => [r.count, r.masks, r.target])).toEqual([[8, true, 'label'], [4, false, 'label']]);

    const shapes = await run([
      '--model', shapesModel, '--data', 'generator:shapes:8:2', '--composites', 'epsilon-plus-flat', '--controls', 'random',
      '--metrics', 'mass-accuracy,pointing-game', '--backend', 'cpu', '--json', join(out, 's.json'),
    ]);
    expect(shapes.code).toBe(0);
    const [lrp, random] = readJson(join(out, 's.json')).runs[0]!.variants;
    // The model decides by the object alone and LRP finds it; random relevance does not.
    expect(lrp!.scores['mass-accuracy']).toBeGreaterThan(2 * random!.scores['mass-accuracy']!);
    expect(lrp!.scores['pointing-game']).toBeGreaterThanOrEqual(0.75);
  });
});

describe('nrm eval errors', () => {
  const out = join(work, 'never');
  const base = ['--model', digitsModel, '--backend', 'cpu', '--json', join(out, 'r.json')];
  const cases: [string, string[], new (...args: never[]) => Error, RegExp][] = [
    ['an unknown metric', [...base, '--data', 'digits:2', '--composites', 'epsilon', '--metrics', 'faithfulness'], UsageError, /Unknown metric 'faithfulness'; metrics: completeness/],
    ['a mask metric without masks', [...base, '--data', 'digits:2', '--composites', 'epsilon', '--metrics', 'pointing-game'], InvalidArgumentError, /has no ground-truth masks, which pointing-game need/],
    ['an unknown composite', [...base, '--data', 'digits:2', '--composites', 'epsilon-magic'], UnknownRegistryItemError, /Unknown composite 'epsilon-magic'/],
    ['a bad filter', [...base, '--data', 'digits:2', '--composites', 'epsilon', '--filter', 'squash:0,1@conv3'], UsageError, /unknown filter 'squash'/],
    ['a filter for a composite not listed', [...base, '--data', 'digits:2', '--composites', 'epsilon', '--filter', 'gradient=clamp:0,0.2@conv3'], UsageError, /names composite 'gradient'/],
    ['a bad replacement', [...base, '--data', 'digits:2', '--composites', 'epsilon', '--replacement', 'paint'], UsageError, /--replacement 'paint'/],
    ['a missing folder', [...base, '--data', join(work, 'nope'), '--composites', 'epsilon'], InvalidArgumentError, /is not a folder/],
    ['unpaired --model and --data', [...base, '--composites', 'epsilon'], UsageError, /one --data per --model/],
    ['no output', ['--model', digitsModel, '--data', 'digits:2', '--composites', 'epsilon'], UsageError, /writes nothing/],
    ['bounds missing for epsilon-gamma-box', [...base, '--data', 'digits:2', '--composites', 'epsilon-gamma-box'], UsageError, /--low <l> --high <h>/],
    ['a bad generator', [...base, '--data', 'generator:clouds', '--composites', 'epsilon'], UsageError, /generator:shapes/],
  ];
  for (const [name, argv, type, message] of cases) {
    it(`rejects ${name} with one line and writes nothing`, async () => {
      const error = await run(argv).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(type);
      expect((error as Error).message).toMatch(message);
      expect((error as Error).message).not.toContain('\n');
      expect(error instanceof UsageError || error instanceof NrmError).toBe(true);
      expect(existsSync(out)).toBe(false);
    });
  }

  it('parses data sources and replacements', () => {
    expect(parseDataSource('generator:shapes')).toEqual({ kind: 'shapes', count: 64, seed: 0 });
    expect(parseDataSource('generator:shapes:10:3')).toEqual({ kind: 'shapes', count: 10, seed: 3 });
    expect(parseDataSource('digits:7')).toEqual({ kind: 'digits', count: 7 });
    expect(parseDataSource('some/dir')).toEqual({ kind: 'dir', path: 'some/dir' });
    expect(() => parseDataSource('digits:0')).toThrow(UsageError);
    expect(parseReplacement('constant:-1')).toEqual({ kind: 'constant', value: -1 });
    expect(parseReplacement('noise:0,1')).toEqual({ kind: 'noise', low: 0, high: 1 });
    expect(parseReplacement('blur:1.5')).toEqual({ kind: 'blur', sigma: 1.5 });
    expect(parseReplacement('mean')).toEqual({ kind: 'mean' });
    expect(() => parseReplacement('mean:3')).toThrow(UsageError);
  });
});

describe('nrm eval output files', () => {
  it('leaves earlier reports intact when a run fails', async () => {
    const out = join(work, 'keep');
    mkdirSync(out);
    writeFileSync(join(out, 'r.json'), 'old');
    await expect(
      run(['--model', digitsModel, '--data', 'digits:2', '--composites', 'epsilon', '--metrics', 'coverage', '--backend', 'cpu', '--json', join(out, 'r.json')]),
    ).rejects.toThrow(InvalidArgumentError);
    expect(readFileSync(join(out, 'r.json'), 'utf8')).toBe('old');
    expect(readdirSync(out)).toEqual(['r.json']);
  });
});
