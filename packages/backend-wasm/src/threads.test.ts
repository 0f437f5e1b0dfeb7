/**
 * wasm with two threads in Node (tfjs turns them off there): the threaded SIMD binary starts from
 * the files that ship in tfjs-backend-wasm, XNNPACK reports two threads, a convolution gives the
 * same numbers as the cpu backend, and the process exits by itself (the pthread workers do not
 * keep it alive). Run in a plain Node process, as the CLI and the bench run.
 */
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const script = join(dirname(fileURLToPath(import.meta.url)), '..', 'test', 'threads-check.mjs');

function check(threads: number): { backend: string; report: { threads: number; asked?: number; reason?: string }; worst: number } {
  const child = spawnSync(process.execPath, [script, String(threads)], { encoding: 'utf8', timeout: 60_000 });
  expect(child.status, child.stderr).toBe(0);
  return JSON.parse(child.stdout.trim().split('\n').at(-1)!);
}

describe('wasm threads in Node', () => {
  it('starts two XNNPACK threads and computes what the cpu backend computes', () => {
    const result = check(2);
    expect(result.backend).toBe('wasm');
    expect(result.report).toEqual({ threads: 2, asked: 2 });
    expect(result.worst).toBeLessThan(1e-4);
  });

  it('one thread when one is asked for', () => {
    const result = check(1);
    expect(result.report.threads).toBe(1);
    expect(result.worst).toBeLessThan(1e-4);
  });
});
