/** A filter spec: which operator, its two numbers, and the layers it applies to. */
import { InvalidArgumentError } from '@nrm/core';
import type { RelevanceFilter } from '../filters/amplitude.js';
import { amplifyFilter } from '../filters/amplify.js';
import { clampFilter } from '../filters/clamp.js';
import { passFilter } from '../filters/pass.js';

/** The operators of the layer-wise amplitude filtering. */
export const FILTER_OPS = ['clamp', 'pass', 'amplify'] as const;

/** One operator name. */
export type FilterOp = (typeof FILTER_OPS)[number];

/**
 * One filter applied to the relevance leaving each of `layers`. For `clamp` and `pass`, `a1, a2`
 * is the band `[a1, a2]` of normalized values; for `amplify`, `a1` is the threshold `a` and `a2`
 * the factor.
 */
export interface FilterSpec {
  readonly op: FilterOp;
  readonly a1: number;
  readonly a2: number;
  readonly layers: readonly string[];
}

/** Whether `op` names a filter operator. */
export function isFilterOp(op: string): op is FilterOp {
  return (FILTER_OPS as readonly string[]).includes(op);
}

/** The filter a spec describes (its layers aside); validates the numbers. */
export function createFilter(spec: Pick<FilterSpec, 'op' | 'a1' | 'a2'>): RelevanceFilter {
  switch (spec.op) {
    case 'clamp':
      return clampFilter(spec.a1, spec.a2);
    case 'pass':
      return passFilter(spec.a1, spec.a2);
    case 'amplify':
      return amplifyFilter(spec.a1, spec.a2);
    default:
      throw new InvalidArgumentError(`Unknown filter '${String((spec as { op: unknown }).op)}'; expected one of ${FILTER_OPS.join(', ')}.`);
  }
}

/** The spec in the CLI's syntax, `<op>:<a1>,<a2>@<layer>,<layer>,…` (what {@link parseFilterSpec} reads). */
export function formatFilterSpec(spec: FilterSpec): string {
  return `${spec.op}:${spec.a1},${spec.a2}@${spec.layers.join(',')}`;
}
