/** The parser of the CLI's `--filter <op>:<a1>,<a2>@<layer>,<layer>,…` syntax. */
import { InvalidArgumentError } from '@nrm/core';
import { createFilter, FILTER_OPS, isFilterOp, type FilterSpec } from './filter-spec.js';

const SYNTAX = '<clamp|pass|amplify>:<a1>,<a2>@<layer>[,<layer>…], e.g. clamp:0,0.2@conv3,conv4';
/** A plain decimal number, optionally signed and with an exponent (no Infinity, NaN or hex). */
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

function fail(text: string, problem: string): never {
  throw new InvalidArgumentError(`Filter spec '${text}': ${problem}. Write ${SYNTAX}.`);
}

function parseNumber(text: string, name: string, raw: string): number {
  const value = raw.trim();
  if (!NUMBER.test(value)) fail(text, `${name} '${value}' is not a number`);
  return Number(value);
}

/**
 * Parses `<op>:<a1>,<a2>@<layer>[,<layer>…]` (spaces around the parts allowed), e.g.
 * `clamp:0,0.2@conv3,conv4` → `{ op: 'clamp', a1: 0, a2: 0.2, layers: ['conv3', 'conv4'] }`. For
 * `amplify`, `a1` is the threshold and `a2` the factor (`amplify:0.5,2@conv3`).
 *
 * @throws InvalidArgumentError naming the spec and what is wrong: an unknown operator, not exactly
 *   two plain numbers, `a1 > a2` for clamp or pass, no layers, an empty or repeated layer name.
 */
export function parseFilterSpec(text: string): FilterSpec {
  const at = text.indexOf('@');
  if (at < 0) fail(text, 'no layers (missing "@<layer>,…")');
  const head = text.slice(0, at);
  const colon = head.indexOf(':');
  if (colon < 0) fail(text, 'no parameters (missing ":<a1>,<a2>")');
  const op = head.slice(0, colon).trim().toLowerCase();
  if (!isFilterOp(op)) fail(text, `unknown filter '${op}' (expected one of ${FILTER_OPS.join(', ')})`);
  const numbers = head.slice(colon + 1).split(',');
  if (numbers.length !== 2) fail(text, `${op} takes exactly two numbers, got ${numbers.length}`);
  const a1 = parseNumber(text, op === 'amplify' ? 'the threshold' : 'a1', numbers[0]!);
  const a2 = parseNumber(text, op === 'amplify' ? 'the factor' : 'a2', numbers[1]!);
  const layers = text
    .slice(at + 1)
    .split(',')
    .map((s) => s.trim());
  if (layers.length === 1 && layers[0] === '') fail(text, 'no layers after "@"');
  if (layers.some((l) => l === '')) fail(text, 'an empty layer name');
  const repeated = layers.find((l, i) => layers.indexOf(l) !== i);
  if (repeated !== undefined) fail(text, `layer '${repeated}' is listed twice`);
  try {
    createFilter({ op, a1, a2 });
  } catch (error) {
    fail(text, error instanceof Error ? error.message.replace(/\.$/, '') : String(error));
  }
  return { op, a1, a2, layers };
}
