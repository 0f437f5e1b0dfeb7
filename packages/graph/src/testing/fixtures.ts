/** Test support: the LRP fixture models of `packages/testkit/fixtures`. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The six fixture cases. */
export const FIXTURE_CASES = ['mlp', 'vgg_tiny', 'resnet_tiny', 'vgg16_narrow', 'resnet50_narrow', 'autoencoder_tiny'] as const;

/** A fixture case name. */
export type FixtureCase = (typeof FIXTURE_CASES)[number];

/** Absolute path of a file of a fixture case. */
export function fixturePath(name: FixtureCase, file: string): string {
  return fileURLToPath(new URL(`../../../testkit/fixtures/${name}/${file}`, import.meta.url));
}

/** One entry of `expected.json`'s `layers`. */
export interface ExpectedLayer {
  readonly name: string;
  readonly class_name: string;
  readonly activation?: string;
  readonly inbound?: readonly string[];
  readonly output_shape: readonly number[];
}

/** The parts of `expected.json` the graph tests read. */
export interface ExpectedJson {
  readonly layers: readonly ExpectedLayer[];
  readonly logits?: readonly (readonly number[])[];
}

/** Reads a fixture's `expected.json`. */
export function readExpected(name: FixtureCase): ExpectedJson {
  return JSON.parse(readFileSync(fixturePath(name, 'expected.json'), 'utf8')) as ExpectedJson;
}

/** Reads a float32, C-order `.npy` file (format 1.0). */
export function readNpy(path: string): { shape: number[]; data: Float32Array } {
  const bytes = readFileSync(path);
  const headerLength = bytes.readUInt16LE(8);
  const header = bytes.subarray(10, 10 + headerLength).toString('latin1');
  if (!header.includes("'<f4'")) throw new Error(`${path}: not float32`);
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1] ?? '';
  const shape = shapeText.split(',').map((s) => s.trim()).filter(Boolean).map(Number);
  const start = 10 + headerLength;
  const data = new Float32Array(bytes.buffer.slice(bytes.byteOffset + start, bytes.byteOffset + bytes.byteLength));
  return { shape, data };
}
