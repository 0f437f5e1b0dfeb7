/** Where the CLI prints (injected so tests can capture it). */
export interface CliIo {
  stdout(line: string): void;
  stderr(line: string): void;
}

/** The process's own streams. */
export const processIo: CliIo = {
  stdout: (line) => process.stdout.write(`${line}\n`),
  stderr: (line) => process.stderr.write(`${line}\n`),
};
