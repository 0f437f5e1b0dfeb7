/**
 * Small argument checks shared by the package. Every failure throws an `Error` whose message
 * names the argument and what was expected.
 */

/** Throws unless `value` is an integer ≥ `min` (default 1). */
export function assertInteger(name: string, value: number, min = 1): void {
  if (!Number.isInteger(value) || value < min) {
    throw new Error(`${name} must be an integer ≥ ${min}, got ${String(value)}.`);
  }
}

/** Throws unless `length` equals `expected`, describing the expected shape in the message. */
export function assertLength(name: string, length: number, expected: number, shape: string): void {
  if (length !== expected) {
    throw new Error(`${name} has ${length} elements but ${shape} needs ${expected}.`);
  }
}
