import { mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { readNpy, writeNpy, InvalidArgumentError, type NpyArray } from '@nrm/core';
import { writeFileAtomic } from '@nrm/viz';
import * as tf from '@tensorflow/tfjs-core';

/** Reads a `.npy` input file (errors name the file). */
export async function readNpyFile(path: string): Promise<NpyArray> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new InvalidArgumentError(`Cannot read input '${path}': ${(error as NodeJS.ErrnoException).code ?? String(error)}.`);
  }
  return readNpy(bytes, `'${path}'`);
}

/** Reads a tensor back to the host as an `.npy` array. */
export async function toNpy(t: tf.Tensor): Promise<NpyArray> {
  return { shape: t.shape, data: (await t.data()) as Float32Array };
}

/** Writes a `.npy` file atomically (never half-written). */
export async function writeNpyFile(path: string, array: NpyArray): Promise<void> {
  await writeFileAtomic(path, writeNpy(array));
}

/** Writes a text (JSON, SVG) file atomically, creating its folder. */
export async function writeJsonFile(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFileAtomic(path, new TextEncoder().encode(text));
}
