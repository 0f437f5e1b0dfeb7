import { UsageError } from './usage-error.js';

/** Parses an optional finite number flag. */
export function parseNumber(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value)) throw new UsageError(`${flag} '${text}' is not a finite number.`);
  return value;
}
