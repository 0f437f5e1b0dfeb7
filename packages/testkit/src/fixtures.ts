/**
 * The golden LRP fixtures computed with Zennit 0.5.1 (and zennit-crp 0.6.0), shipped in this
 * package's `fixtures/` folder byte-identical to the project's shared copy, and their loader.
 */
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readNpy, type NpyArray } from '@nrm/core';

/** Where the fixtures live (works from `src/` and from `dist/`). */
export function fixturesDir(): string {
  return join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');
}

/** One method of one explanation, as `expected.json` describes it. */
export interface FixtureMethod {
  readonly kind: 'gradient' | 'lrp' | 'crp';
  readonly rule_summary: string;
  readonly relevance_files: Readonly<Record<string, string>>;
  readonly relevance_sums: Readonly<Record<string, readonly number[]>>;
  readonly float32_rel_error?: number;
  readonly rules_by_layer?: Readonly<Record<string, string>>;
  readonly condition?: { readonly layer: string; readonly channels: readonly (readonly number[])[]; readonly exclude_parallel: boolean };
  readonly channel_relevance_at_condition_layer?: readonly (readonly number[])[];
}

/** One explanation (a target and the methods computed for it). */
export interface FixtureExplanation {
  readonly id: string;
  readonly target: { readonly layer: string; readonly indices: readonly (readonly number[])[]; readonly seed_values: readonly number[] };
  readonly methods: Readonly<Record<string, FixtureMethod>>;
}

/** The parts of `expected.json` the tests use. */
export interface FixtureExpected {
  readonly case: string;
  readonly layers: readonly { readonly name: string; readonly class_name: string; readonly output_shape: readonly number[]; readonly activation?: string; readonly inbound?: readonly string[] }[];
  readonly input: { readonly file: string; readonly shape: readonly number[]; readonly range: readonly [number, number] };
  readonly relevance_aliases?: Readonly<Record<string, string>>;
  readonly logits?: readonly (readonly number[])[];
  readonly outputs?: { readonly output_file: string; readonly latent_file: string; readonly latent_layer: string };
  readonly explanations: readonly FixtureExplanation[];
}

/** A loaded fixture case. */
export interface FixtureCase {
  readonly name: string;
  readonly dir: string;
  readonly modelPath: string;
  readonly inputPath: string;
  readonly expected: FixtureExpected;
  readonly input: NpyArray;
  /** Reads one `.npy` of the case. */
  array(file: string): NpyArray;
}

/** Names of every fixture case (folders holding an `expected.json`). */
export function listFixtureCases(): string[] {
  const dir = fixturesDir();
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(dir, d.name, 'expected.json')))
    .map((d) => d.name)
    .sort();
}

/** Loads one case. */
export function loadFixtureCase(name: string): FixtureCase {
  const dir = join(fixturesDir(), name);
  const expected = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as FixtureExpected;
  const array = (file: string) => readNpy(readFileSync(join(dir, file)), file);
  return {
    name,
    dir,
    modelPath: join(dir, 'model.json'),
    inputPath: join(dir, expected.input.file),
    expected,
    input: array(expected.input.file),
    array,
  };
}

/** How a fixture method maps onto an NRM composite, its options and conditions. */
export interface MethodSpec {
  readonly composite: string;
  readonly options: { epsilon?: number; low?: number; high?: number };
  readonly conditions?: readonly { readonly layer: string; readonly channels: readonly (readonly number[])[] }[];
}

/** Maps a fixture method name (`epsilon_0.25`, `crp_epsilon_plus_flat`, …) to NRM terms. */
export function methodSpec(methodName: string, method: FixtureMethod, expected: FixtureExpected): MethodSpec {
  const [low, high] = expected.input.range;
  if (method.kind === 'crp') {
    if (!method.condition) throw new Error(`CRP method ${methodName} has no condition`);
    return {
      composite: 'epsilon-plus-flat',
      options: {},
      conditions: [{ layer: method.condition.layer, channels: method.condition.channels }],
    };
  }
  const eps = /^epsilon_([0-9.e-]+)$/.exec(methodName);
  if (eps) return { composite: 'epsilon', options: { epsilon: Number(eps[1]) } };
  const names: Record<string, MethodSpec> = {
    gradient: { composite: 'gradient', options: {} },
    gradient_x_input: { composite: 'gradient-x-input', options: {} },
    epsilon_plus_flat: { composite: 'epsilon-plus-flat', options: {} },
    epsilon_gamma_box: { composite: 'epsilon-gamma-box', options: { low, high } },
    epsilon_alpha2_beta1: { composite: 'epsilon-alpha2-beta1', options: {} },
  };
  const spec = names[methodName];
  if (!spec) throw new Error(`Unknown fixture method '${methodName}'`);
  return spec;
}

/** `max|a − b| / max|b|`, the fixtures' comparison (0 when both are all zero). */
export function maxRelativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (actual.length !== expected.length) return Number.POSITIVE_INFINITY;
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const b = expected[i]!;
    if (Number.isNaN(a) !== Number.isNaN(b)) return Number.POSITIVE_INFINITY;
    diff = Math.max(diff, Math.abs(a - b));
    scale = Math.max(scale, Math.abs(b));
  }
  return scale === 0 ? diff : diff / scale;
}
