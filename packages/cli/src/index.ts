/**
 * `@nrm/cli`: the `nrm` command, also callable in-process (`runCli(argv, io)`).
 *
 * @packageDocumentation
 */
export { runCli } from './main.js';
export type { CliIo } from './cli-io.js';
export { defaultRegistry } from './default-registry.js';
export { UsageError } from './args/usage-error.js';
