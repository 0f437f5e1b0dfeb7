/** Parsing of `nrm eval`'s lists: metrics, variants (composites, filtered composites, controls), replacement. */
import type { Composite, Registry } from '@nrm/core';
import type { Replacement } from '@nrm/eval';
import { parseFilterSpec, type FilterSpec } from '@nrm/rules-filter';
import { parseNumber } from '../args/parse-number.js';
import { UsageError } from '../args/usage-error.js';

/** Every metric `nrm eval` computes, in report order. */
export const EVAL_METRICS = [
  'completeness',
  'pixel-flipping',
  'region-perturbation',
  'mass-accuracy',
  'pointing-game',
  'coverage',
  'mse',
  'smape',
  'sparseness',
  'mprt',
] as const;

/** A metric name. */
export type EvalMetric = (typeof EVAL_METRICS)[number];

/** Metrics that need ground-truth masks. */
export const MASK_METRICS: ReadonlySet<EvalMetric> = new Set(['mass-accuracy', 'pointing-game', 'coverage', 'mse', 'smape']);

/** Control heatmaps that ignore the model. */
export const CONTROLS = ['random', 'edges'] as const;

/** What is evaluated: a composite, maybe with amplitude filters, or a control. */
export type Variant =
  | { readonly kind: 'composite'; readonly id: string; readonly composite: Composite; readonly filters: readonly FilterSpec[] }
  | { readonly kind: 'control'; readonly id: string; readonly control: (typeof CONTROLS)[number] };

/** Splits repeated, comma-separated flag values into trimmed, non-empty names. */
export function splitList(values: readonly string[] | undefined): string[] {
  return (values ?? []).flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v.length > 0);
}

/**
 * `--metrics`: names checked against {@link EVAL_METRICS}. `all` or nothing gives every metric,
 * and then the mask metrics are left out of runs whose data has no masks (`explicit: false`);
 * metrics named one by one must all run.
 */
export function parseMetrics(values: readonly string[] | undefined): { metrics: EvalMetric[]; explicit: boolean } {
  const names = splitList(values);
  if (names.length === 0 || (names.length === 1 && names[0] === 'all')) return { metrics: [...EVAL_METRICS], explicit: false };
  for (const name of names) {
    if (!(EVAL_METRICS as readonly string[]).includes(name)) throw new UsageError(`Unknown metric '${name}'; metrics: ${EVAL_METRICS.join(', ')} (or all).`);
  }
  if (new Set(names).size !== names.length) throw new UsageError('--metrics lists a metric twice.');
  return { metrics: EVAL_METRICS.filter((m) => names.includes(m)), explicit: true };
}

/**
 * `--composites`, `--filter` and `--controls` → the variants, in order: each composite, then its
 * filtered variants (a `--filter [<composite>=]<spec>[;<spec>…]` applies to that composite, or to
 * every composite without a prefix; specs joined by `;` compose into one variant), then controls.
 */
export function parseVariants(
  compositeIds: readonly string[],
  filterFlags: readonly string[],
  controlNames: readonly string[],
  registry: Registry,
): Variant[] {
  if (new Set(compositeIds).size !== compositeIds.length) throw new UsageError('--composites lists a composite twice.');
  const filters = filterFlags.map((flag) => {
    const eq = flag.indexOf('=');
    const target = eq >= 0 ? flag.slice(0, eq).trim() : undefined;
    const text = eq >= 0 ? flag.slice(eq + 1) : flag;
    if (target !== undefined && !compositeIds.includes(target)) {
      throw new UsageError(`--filter '${flag}' names composite '${target}', which is not in --composites (${compositeIds.join(', ') || 'none'}).`);
    }
    const specs = text.split(';').map((s) => s.trim()).filter((s) => s.length > 0);
    if (specs.length === 0) throw new UsageError(`--filter '${flag}' has no filter spec.`);
    try {
      return { target, text: specs.join(';'), specs: specs.map((s) => parseFilterSpec(s)) };
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
  });
  const variants: Variant[] = [];
  for (const id of compositeIds) {
    const composite = registry.composite(id);
    variants.push({ kind: 'composite', id, composite, filters: [] });
    for (const f of filters) {
      if (f.target === undefined || f.target === id) variants.push({ kind: 'composite', id: `${id}+${f.text}`, composite, filters: f.specs });
    }
  }
  for (const name of controlNames) {
    if (!(CONTROLS as readonly string[]).includes(name)) throw new UsageError(`Unknown control '${name}'; controls: ${CONTROLS.join(', ')}.`);
    variants.push({ kind: 'control', id: `control:${name}`, control: name as (typeof CONTROLS)[number] });
  }
  if (new Set(variants.map((v) => v.id)).size !== variants.length) throw new UsageError('Two variants have the same name; remove the repeated --filter or --controls entry.');
  return variants;
}

/** `--replacement constant[:v] | mean | noise[:lo,hi] | blur[:sigma]`. */
export function parseReplacement(text: string): Replacement {
  const colon = text.indexOf(':');
  const kind = (colon < 0 ? text : text.slice(0, colon)).trim();
  const arg = colon < 0 ? undefined : text.slice(colon + 1).trim();
  const fail = (): never => {
    throw new UsageError(`--replacement '${text}': use constant[:value], mean, noise[:low,high] or blur[:sigma] (e.g. constant:0, blur:2).`);
  };
  switch (kind) {
    case 'constant':
      return { kind, value: arg === undefined ? 0 : (parseNumber('--replacement', arg) as number) };
    case 'mean':
      return arg === undefined ? { kind } : fail();
    case 'noise': {
      if (arg === undefined) return { kind };
      const parts = arg.split(',');
      if (parts.length !== 2) fail();
      const [low, high] = parts.map((p) => parseNumber('--replacement', p.trim()) as number) as [number, number];
      if (!(high >= low)) throw new UsageError(`--replacement '${text}': the noise needs low ≤ high.`);
      return { kind, low, high };
    }
    case 'blur': {
      if (arg === undefined) return { kind };
      const sigma = parseNumber('--replacement', arg) as number;
      if (!(sigma > 0)) throw new UsageError(`--replacement '${text}': the blur sigma must be > 0.`);
      return { kind, sigma };
    }
    default:
      return fail();
  }
}
