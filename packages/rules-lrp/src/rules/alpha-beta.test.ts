import { describe, expect, it } from 'vitest';
import { cpuBackend } from '@nrm/backend-cpu';
import { wasmBackend } from '@nrm/backend-wasm';
import { RuleTester, references, type ScenarioName } from '@nrm/testkit';
import { alphaBeta } from './alpha-beta.js';

const tester = new RuleTester({ backends: [cpuBackend, wasmBackend] });
const linear: ScenarioName[] = ['dense', 'conv2d-same', 'conv2d-valid-stride2', 'conv2d-dilated', 'conv2d-transpose', 'depthwise-conv2d', 'batch-norm'];

describe('alphaBeta', () => {
  it('matches the matrix-form reference on every linear node, conserves on bias-free nodes, on cpu and wasm', async () => {
    const results = await tester.run(alphaBeta, linear.map((scenario) => ({ scenario, reference: references.alphaBeta })));
    expect(results.length).toBe(linear.length * 2);
  });

  it('handles non-negative inputs and other α, β with α − β = 1', async () => {
    await tester.run(alphaBeta, linear.map((scenario) => ({ scenario, inputNonNegative: true, reference: references.alphaBeta })));
    await tester.run(alphaBeta, [{ scenario: 'conv2d-same', options: { alpha: 1, beta: 0 }, reference: references.alphaBeta }]);
    await tester.run(alphaBeta, [{ scenario: 'dense', options: { alpha: 3, beta: 2 }, reference: references.alphaBeta }]);
  });
  it('rejects α − β ≠ 1', async () => {
    await expect(tester.run(alphaBeta, [{ scenario: 'dense', options: { alpha: 2, beta: 2 }, reference: references.alphaBeta }])).rejects.toThrow(/α − β = 1/);
  });
});
