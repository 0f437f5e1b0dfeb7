import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { encodePng } from './png.js';
import { writeFileAtomic, writePngAtomic } from './write-file-atomic.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'nrm-viz-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const png = () => encodePng(new Uint8Array([1, 2, 3, 255]), 1, 1);

describe('writePngAtomic', () => {
  it('writes the bytes and leaves no temp file', async () => {
    const bytes = png();
    const path = join(dir, 'a.png');
    await writePngAtomic(path, bytes);
    expect(new Uint8Array(await readFile(path))).toEqual(bytes);
    expect(await readdir(dir)).toEqual(['a.png']);
  });

  it('leaves no file when the encoder throws mid-write', async () => {
    const path = join(dir, 'b.png');
    function* failingEncoder(): Generator<Uint8Array> {
      yield png().subarray(0, 20);
      throw new Error('encoder failed');
    }
    await expect(writePngAtomic(path, failingEncoder())).rejects.toThrow('encoder failed');
    expect(await readdir(dir)).toEqual([]);
  });

  it('leaves an existing file untouched when the write fails', async () => {
    const path = join(dir, 'c.png');
    await writeFile(path, 'old');
    async function* failing(): AsyncGenerator<Uint8Array> {
      yield new Uint8Array([1, 2, 3]);
      throw new Error('boom');
    }
    await expect(writeFileAtomic(path, failing())).rejects.toThrow('boom');
    expect(await readFile(path, 'utf8')).toBe('old');
    expect(await readdir(dir)).toEqual(['c.png']);
  });

  it('replaces an existing file', async () => {
    const path = join(dir, 'd.png');
    await writeFile(path, 'old');
    await writeFileAtomic(path, [new Uint8Array([104, 105]), new Uint8Array([33])]);
    expect(await readFile(path, 'utf8')).toBe('hi!');
  });

  it('refuses bytes that are not a PNG', async () => {
    const path = join(dir, 'e.png');
    await expect(writePngAtomic(path, new Uint8Array([1, 2, 3, 4]))).rejects.toThrow(/not a PNG/);
    expect(await readdir(dir)).toEqual([]);
  });

  it('fails cleanly when the directory does not exist', async () => {
    await expect(writePngAtomic(join(dir, 'missing', 'f.png'), png())).rejects.toThrow(/ENOENT/);
    expect(await readdir(dir)).toEqual([]);
  });
});
