import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodePng } from '@nrm/viz';
import { runCli } from './main.js';

const out = mkdtempSync(join(tmpdir(), 'nrm-demo-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('nrm demo', () => {
  it('explains the twelve committed test digits with three composites and writes the grid and summary', async () => {
    const lines: string[] = [];
    const code = await runCli(['demo', '--out', out, '--backend', 'wasm'], { stdout: (l) => lines.push(l), stderr: (l) => lines.push(l) });
    expect(code, lines.join('\n')).toBe(0);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as {
      digits: { label: number; prediction: number; logit: number; relevanceSums: Record<string, number> }[];
    };
    expect(summary.digits).toHaveLength(12);
    // The trained model gets these digits right (98.6 % on the whole test split).
    expect(summary.digits.filter((d) => d.label === d.prediction).length).toBeGreaterThanOrEqual(11);
    for (const d of summary.digits) {
      // ε+flat and ε-γ-box almost conserve the logit (biases absorb a little).
      expect(Math.abs(d.relevanceSums['epsilon-plus-flat']! - d.logit) / d.logit).toBeLessThan(0.1);
      expect(Math.abs(d.relevanceSums['epsilon-gamma-box']! - d.logit) / d.logit).toBeLessThan(0.1);
    }
    const png = decodePng(readFileSync(join(out, 'digits-heatmaps.png')));
    // 12 rows and 4 columns of 28×28 tiles upscaled 4×.
    expect(png.height).toBeGreaterThan(12 * 112);
    expect(png.width).toBeGreaterThan(4 * 112);
    expect(readFileSync(join(out, 'summary.txt'), 'utf8')).toContain('correct: ');
  });
});
