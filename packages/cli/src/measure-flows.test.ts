import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadFixtureCase } from '@nrm/testkit';
import { runCli } from './main.js';

const work = mkdtempSync(join(tmpdir(), 'nrm-measure-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const vgg = loadFixtureCase('vgg_tiny');
const common = ['--model', vgg.modelPath, '--input', vgg.inputPath, '--composite', 'epsilon-plus-flat', '--target', 'logits:7', '--backend', 'cpu'];

async function run(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { stdout: (l) => out.push(l), stderr: (l) => err.push(l) });
  return { code, out, err };
}

describe('nrm measure', () => {
  it("reports each channel's normalized relevance (the fixture's CRP channel relevance / total) and conditionals", async () => {
    const path = join(work, 'm.json');
    const r = await run(['measure', ...common, '--layer', 'conv2', '--given', 'conv3:0,1,2,3,4,5', '--json', path]);
    expect(r.err).toEqual([]);
    expect(r.code).toBe(0);
    const report = JSON.parse(readFileSync(path, 'utf8'));
    const method = vgg.expected.explanations[0]!.methods['crp_epsilon_plus_flat']!;
    const expected = method.channel_relevance_at_condition_layer![0]!;
    const total = report.total[0] as number;
    expect(total).toBeCloseTo(expected.reduce((a, b) => a + b, 0), 4);
    (report.channels[0] as number[]).forEach((v, c) => expect(v * total).toBeCloseTo(expected[c]!, 4));
    expect((report.channels[0] as number[]).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    expect(report.conditional[0]).toHaveLength(8);
    expect(report.given.value[0]).toBeGreaterThan(0);
    const mass = report.conditionalMass[0] as number;
    expect((report.conditional[0] as number[]).reduce((a, b) => a + b, 0)).toBeCloseTo(mass, 5);
  });
  it('gives null (NaN) and a given-zero flag when the given event carries no relevance', async () => {
    // A dense1 unit that is off (ReLU output 0) carries exactly zero relevance.
    const explain = await run(['measure', ...common, '--layer', 'dense1', '--json', join(work, 'd.json')]);
    expect(explain.code).toBe(0);
    const d = JSON.parse(readFileSync(join(work, 'd.json'), 'utf8'));
    const dead = (d.channels[0] as number[]).findIndex((v) => v === 0);
    expect(dead).toBeGreaterThanOrEqual(0);
    const path = join(work, 'z.json');
    const r = await run(['measure', ...common, '--layer', 'conv2', '--given', `dense1:${dead}`, '--json', path]);
    expect(r.code).toBe(0);
    const report = JSON.parse(readFileSync(path, 'utf8'));
    expect(report.conditional[0].every((v: number | null) => v === null)).toBe(true);
    expect(report.flags.some((f: { kind: string }) => f.kind === 'given-zero')).toBe(true);
  });
  it('fails with one line and writes nothing for an unknown layer', async () => {
    const path = join(work, 'bad.json');
    const r = await run(['measure', ...common, '--layer', 'nope', '--json', path]);
    expect(r.code).toBe(1);
    expect(r.err).toHaveLength(1);
    expect(r.err[0]).toMatch(/Unknown layer 'nope'/);
    expect(existsSync(path)).toBe(false);
  });
});

describe('nrm flows', () => {
  it('writes flow matrices whose sums are the marginals, the top walks, and an SVG diagram', async () => {
    const json = join(work, 'flows.json');
    const svg = join(work, 'flows.svg');
    const r = await run(['flows', ...common, '--layers', 'conv1,conv2,conv3', '--top-k', '3', '--json', json, '--svg', svg]);
    expect(r.err).toEqual([]);
    expect(r.code).toBe(0);
    const data = JSON.parse(readFileSync(json, 'utf8'));
    expect(data.layers).toEqual(['conv1', 'conv2', 'conv3']);
    for (const pair of data.pairs) {
      // No bypass between consecutive conv layers: Σ_b J[a][b] = μ(a@lower).
      (pair.rowSums[0] as number[]).forEach((v, a) => expect(v).toBeCloseTo(pair.lowerMarginal[0][a], 5));
    }
    expect(data.walks[0]).toHaveLength(3);
    expect(data.walks[0][0].channels).toHaveLength(3);
    const text = readFileSync(svg, 'utf8');
    expect(text.startsWith('<svg')).toBe(true);
    expect(text).toContain('top walk #1');
  });
  it('needs at least two layers', async () => {
    const r = await run(['flows', ...common, '--layers', 'conv1', '--json', join(work, 'x.json')]);
    expect(r.code).toBe(2);
    expect(r.err[0]).toMatch(/at least two layers/);
  });
});
