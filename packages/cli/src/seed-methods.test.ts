/** The seeds' methods through the CLI: R-LRP, amplitude filters, the PMP diagnostic, deconvnet. */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readNpy } from '@nrm/core';
import { loadFixtureCase, maxRelativeError } from '@nrm/testkit';
import { decodePng } from '@nrm/viz';
import { runCli } from './main.js';

const work = mkdtempSync(join(tmpdir(), 'nrm-seeds-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const vgg = loadFixtureCase('vgg_tiny');
const common = ['--model', vgg.modelPath, '--input', vgg.inputPath, '--target', 'logits:7', '--backend', 'cpu'];

async function run(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { stdout: (l) => out.push(l), stderr: (l) => err.push(l) });
  return { code, out, err };
}
const npy = (path: string) => readNpy(readFileSync(path));

describe('seeds’ methods from the command line', () => {
  it('explain --composite relative (R-LRP) gives a finite heatmap', async () => {
    const r = await run(['explain', ...common, '--composite', 'relative', '--out', join(work, 'rel.npy')]);
    expect(r.err).toEqual([]);
    expect(r.code).toBe(0);
    const a = npy(join(work, 'rel.npy'));
    expect(a.data.every(Number.isFinite)).toBe(true);
    expect(a.data.some((v) => v !== 0)).toBe(true);
  });

  it('explain --filter: pass 0,1 changes nothing, clamp 0,0.05 changes the heatmap', async () => {
    const base = ['explain', ...common, '--composite', 'epsilon-plus-flat'];
    expect((await run([...base, '--out', join(work, 'plain.npy')])).code).toBe(0);
    expect((await run([...base, '--filter', 'pass:0,1@conv2,conv3', '--out', join(work, 'pass.npy')])).code).toBe(0);
    expect((await run([...base, '--filter', 'clamp:0,0.05@conv3', '--filter', 'amplify:0.5,2@dense1', '--out', join(work, 'clamp.npy')])).code).toBe(0);
    const plain = npy(join(work, 'plain.npy')).data;
    expect(maxRelativeError(npy(join(work, 'pass.npy')).data, plain)).toBe(0);
    expect(maxRelativeError(npy(join(work, 'clamp.npy')).data, plain)).toBeGreaterThan(1e-3);
    const bad = await run([...base, '--filter', 'squash:0,1@conv3', '--out', join(work, 'bad.npy')]);
    expect(bad.code).toBe(2);
    expect(bad.err).toHaveLength(1);
    expect(existsSync(join(work, 'bad.npy'))).toBe(false);
  });

  it('diagnose writes the percentile mean power of every layer', async () => {
    const path = join(work, 'pmp.json');
    const r = await run(['diagnose', ...common, '--composite', 'epsilon-plus-flat', '--json', path]);
    expect(r.err).toEqual([]);
    const report = JSON.parse(readFileSync(path, 'utf8'));
    expect(Object.keys(report.percentileMeanPower)).toEqual(expect.arrayContaining(['conv1', 'conv2', 'conv3', 'dense1', 'logits']));
    for (const values of Object.values(report.percentileMeanPower) as number[][]) expect(values[0]).toBeGreaterThanOrEqual(0);
  });

  it('deconv projects a feature map to an image of the input’s size', async () => {
    const r = await run(['deconv', '--model', vgg.modelPath, '--input', vgg.inputPath, '--layer', 'conv2', '--channel', '3', '--backend', 'cpu', '--out', join(work, 'd.npy'), '--png', join(work, 'd.png')]);
    expect(r.err).toEqual([]);
    expect(r.code).toBe(0);
    expect(npy(join(work, 'd.npy')).shape).toEqual([1, 16, 16, 3]);
    expect(decodePng(readFileSync(join(work, 'd.png'))).width).toBeGreaterThanOrEqual(16);
    expect(r.out.some((l) => /sample 0: conv2\[\d+, \d+, 3\]/.test(l))).toBe(true);
    const usage = await run(['deconv', '--model', vgg.modelPath, '--input', vgg.inputPath, '--layer', 'conv2', '--png', join(work, 'x.png')]);
    expect(usage.code).toBe(2);
  });
});
