import { describe, expect, it } from 'vitest';
import { cpuBackend } from '@nrm/backend-cpu';
import { wasmBackend } from '@nrm/backend-wasm';
import { RuleTester, references, type ScenarioName } from '@nrm/testkit';
import { zPlus } from './z-plus.js';

const tester = new RuleTester({ backends: [cpuBackend, wasmBackend] });
const linear: ScenarioName[] = ['dense', 'conv2d-same', 'conv2d-valid-stride2', 'conv2d-dilated', 'conv2d-transpose', 'depthwise-conv2d', 'batch-norm'];

// z⁺ drops the relevance of outputs with no positive contribution (z⁺ = 0). The dilated
// one-channel conv has corner outputs that see only four inputs, and the stride-2 transposed conv
// has outputs fed by a single input pixel, and a per-channel scale has one contribution per
// output: some of these outputs get no positive contribution.
const keepsAll = (scenario: ScenarioName) => !['conv2d-dilated', 'conv2d-transpose', 'batch-norm'].includes(scenario);

describe('zPlus', () => {
  it('matches the matrix-form reference on every linear node, conserves on bias-free nodes, on cpu and wasm', async () => {
    const results = await tester.run(zPlus, linear.map((scenario) => ({ scenario, conservative: keepsAll(scenario), reference: references.zPlus })));
    expect(results.length).toBe(linear.length * 2);
  });

  it('skips the x⁻ branch on non-negative inputs without changing the result', async () => {
    await tester.run(zPlus, linear.map((scenario) => ({ scenario, inputNonNegative: true, conservative: keepsAll(scenario), reference: references.zPlus })));
  });
});
