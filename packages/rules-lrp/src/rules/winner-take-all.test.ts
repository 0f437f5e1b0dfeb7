import { describe, it } from 'vitest';
import { cpuBackend } from '@nrm/backend-cpu';
import { wasmBackend } from '@nrm/backend-wasm';
import { RuleTester, references } from '@nrm/testkit';
import { winnerTakeAll } from './winner-take-all.js';

const tester = new RuleTester({ backends: [cpuBackend, wasmBackend] });

describe('winnerTakeAll', () => {
  it('routes overlapping 3x3/2 windows to their maxima and sums where an element wins several', async () => {
    await tester.run(winnerTakeAll, [{ scenario: 'max-pool-overlapping', reference: references.winnerTakeAll(3, 2) }]);
  });
  it('routes a global max pool to each channel’s maximum', async () => {
    await tester.run(winnerTakeAll, [{ scenario: 'global-max-pool', reference: references.globalWinnerTakeAll }]);
  });
});
