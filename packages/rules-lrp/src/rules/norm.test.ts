import { describe, it } from 'vitest';
import { cpuBackend } from '@nrm/backend-cpu';
import { wasmBackend } from '@nrm/backend-wasm';
import { RuleTester, references } from '@nrm/testkit';
import { norm } from './norm.js';

const tester = new RuleTester({ backends: [cpuBackend, wasmBackend] });

describe('norm', () => {
  it('splits sums and averages in proportion to each summand (Add, AvgPool same-padded, GAP)', async () => {
    await tester.run(norm, (['add', 'avg-pool', 'global-avg-pool'] as const).map((scenario) => ({ scenario, reference: references.norm })));
  });
});
