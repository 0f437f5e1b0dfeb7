/**
 * `node:util`'s parseArgs reads `--low -1` as two flags. For flags that take a number, join a
 * following negative number into `--low=-1` so the documented form works.
 */
export function joinNegativeNumbers(argv: readonly string[], flags: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const next = argv[i + 1];
    if (flags.includes(arg) && next !== undefined && /^-(\d|\.\d|inf|nan)/i.test(next)) {
      out.push(`${arg}=${next}`);
      i++;
    } else {
      out.push(arg);
    }
  }
  return out;
}
