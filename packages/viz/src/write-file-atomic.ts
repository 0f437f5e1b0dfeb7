/** Atomic file writes: the target is either left as it was or replaced by the complete new file. */
import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * Data to write: the bytes themselves, or chunks from a (sync or async) iterable, e.g. a streaming
 * encoder. If the iterable throws, nothing is left behind.
 */
export type AtomicWriteData = Uint8Array | Iterable<Uint8Array> | AsyncIterable<Uint8Array>;

/**
 * Writes `data` to `path` atomically: first to a temporary file in the same directory (so the
 * rename stays on one file system), flushed to disk, then renamed over `path`. On any error
 * (including one thrown by an iterable `data`) the temporary file is removed and the error
 * rethrown, so `path` never holds a half-written file and an existing `path` is left untouched.
 *
 * @throws The underlying error (e.g. ENOENT if the directory does not exist).
 */
export async function writeFileAtomic(path: string, data: AtomicWriteData): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(tmp, 'wx');
    if (data instanceof Uint8Array) {
      await writeAll(handle, data);
    } else {
      for await (const chunk of data) await writeAll(handle, chunk);
    }
    await handle.sync();
    await handle.close();
    handle = undefined;
    await rename(tmp, path);
  } catch (err) {
    if (handle !== undefined) await handle.close().catch(() => undefined);
    await rm(tmp, { force: true }).catch(() => undefined);
    throw err;
  }
}

async function writeAll(handle: Awaited<ReturnType<typeof open>>, bytes: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < bytes.byteLength) {
    const { bytesWritten } = await handle.write(bytes, offset, bytes.byteLength - offset, null);
    offset += bytesWritten;
  }
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] as const;

/**
 * Writes PNG bytes to `path` atomically (see {@link writeFileAtomic}). When `bytes` is a
 * `Uint8Array` it must start with the PNG signature, so that a non-PNG (e.g. raw RGBA) is never
 * written under a `.png` name.
 *
 * @throws Error if `bytes` is not a PNG, or the underlying write error.
 */
export async function writePngAtomic(path: string, bytes: AtomicWriteData): Promise<void> {
  if (bytes instanceof Uint8Array && !PNG_SIGNATURE.every((b, i) => bytes[i] === b)) {
    throw new Error(`Refusing to write ${path}: the bytes are not a PNG (missing PNG signature); encode them with encodePng first.`);
  }
  await writeFileAtomic(path, bytes);
}
