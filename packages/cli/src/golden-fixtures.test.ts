/**
 * Every array of every public Zennit fixture, reproduced through the CLI's own code path
 * (`runCli(['explain', …])` writing .npy files), on cpu and on wasm.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpuBackend } from '@nrm/backend-cpu';
import { readNpy } from '@nrm/core';
import { listFixtureCases, loadFixtureCase, maxRelativeError, methodSpec } from '@nrm/testkit';
import { runCli } from './main.js';

const TOLERANCE = 1e-4;
const work = mkdtempSync(join(tmpdir(), 'nrm-golden-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
beforeAll(() => cpuBackend.setup());

const quiet = { stdout: () => {}, stderr: (line: string) => lines.push(line) };
const lines: string[] = [];

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`golden fixtures on ${backend}`, () => {
    for (const name of listFixtureCases()) {
      const fixture = loadFixtureCase(name);
      for (const explanation of fixture.expected.explanations) {
        for (const [methodName, method] of Object.entries(explanation.methods)) {
          it(`${name} / ${explanation.id} / ${methodName}`, async () => {
            const spec = methodSpec(methodName, method, fixture.expected);
            const dir = join(work, backend, name, explanation.id, methodName);
            const layers = Object.keys(method.relevance_files).filter((l) => l !== 'input');
            const argv = [
              'explain',
              '--model', fixture.modelPath,
              '--input', fixture.inputPath,
              '--composite', spec.composite,
              '--backend', backend,
              '--out', join(dir, 'input.npy'),
              ...explanation.target.indices.flatMap((index) => ['--target', `${explanation.target.layer}:${index.join(',')}`]),
              ...(spec.options.epsilon !== undefined ? ['--epsilon', String(spec.options.epsilon)] : []),
              ...(spec.options.low !== undefined ? ['--low', String(spec.options.low), '--high', String(spec.options.high)] : []),
              ...(spec.conditions ?? []).flatMap((c) => c.channels.flatMap((ch) => ['--condition', `${c.layer}:${ch.join(',')}`])),
              ...(layers.length ? ['--record', layers.join(','), '--record-dir', dir] : []),
            ];
            lines.length = 0;
            const before = tf.memory().numTensors;
            const code = await runCli(argv, quiet);
            expect(lines, 'stderr').toEqual([]);
            expect(code).toBe(0);
            expect(tf.memory().numTensors, 'tensors left after the explanation').toBe(before);
            for (const [layer, file] of Object.entries(method.relevance_files)) {
              const actual = readNpy(readFileSync(join(dir, layer === 'input' ? 'input.npy' : `${layer}.npy`)));
              const expected = fixture.array(file);
              expect(actual.shape, `${layer} shape`).toEqual(expected.shape);
              const err = maxRelativeError(actual.data, expected.data);
              expect(err, `${layer}: max|a-b|/max|b|`).toBeLessThanOrEqual(TOLERANCE);
            }
          });
        }
      }
    }
  });
}
