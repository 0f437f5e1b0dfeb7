#!/usr/bin/env node
import { runCli } from './main.js';

const code = await runCli(process.argv.slice(2));
// tfjs may keep handles (wasm workers); exit explicitly once the work is done.
process.exit(code);
