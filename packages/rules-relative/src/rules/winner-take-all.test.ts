import { describe, it } from 'vitest';
import { cpuBackend } from '@nrm/backend-cpu';
import { wasmBackend } from '@nrm/backend-wasm';
import { RuleTester, references } from '@nrm/testkit';
import { relativeWinnerTakeAll } from './winner-take-all.js';

const tester = new RuleTester({ backends: [cpuBackend, wasmBackend] });

describe('relative/winner-take-all', () => {
  it('routes overlapping 3x3/2 windows and a global max pool to their maxima', async () => {
    await tester.run(relativeWinnerTakeAll, [
      { scenario: 'max-pool-overlapping', reference: references.winnerTakeAll(3, 2) },
      { scenario: 'global-max-pool', reference: references.globalWinnerTakeAll },
    ]);
  });
});
