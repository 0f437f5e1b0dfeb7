#!/usr/bin/env node
import { releaseBackend } from './backend.js';
import { runCli } from './main.js';

const code = await runCli(process.argv.slice(2));
await releaseBackend().catch(() => undefined);
// tfjs may keep handles (wasm workers, a WebGPU device); exit explicitly once the work is done.
process.exit(code);
