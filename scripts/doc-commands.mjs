#!/usr/bin/env node
/**
 * Finds the shell commands and code in the docs pages and runs them as written.
 *
 * Conventions in the markdown (HTML comments, invisible when rendered), on the line(s) just before
 * a fenced block:
 *
 * - a ```sh (or bash, shell) block is run, one logical line (backslash continuations joined) at a
 *   time, with bash, in a fresh working directory per page that holds links to the repository's
 *   `packages/`, `examples/`, `scripts/`, `node_modules/` and `package.json`, so what commands
 *   write lands in that directory and never in the checkout;
 * - `<!-- doc-commands: skip: <reason> -->`: the block is not run (installs, the whole test suite,
 *   Python, publishing); it is counted and listed with its reason;
 * - `<!-- doc-commands: writes <path> <path> … -->`: files the block must leave behind, besides
 *   those its flags name (`--out`, `--png`, `--json`, `--svg`, `--npy`, `--out-dir`, `--record-dir`);
 * - `<!-- doc-commands: in-clone -->`: the block runs in a throwaway `git clone` of the repository
 *   (for commands that edit tracked files, like `pnpm version-packages`);
 * - `<!-- doc-code: <name>.ts -->` before a ```ts block: the page's blocks with that name, joined
 *   in order, form one TypeScript module that the vitest test (packages/cli/src/doc-commands.test.ts)
 *   runs, in the page's working directory, where the last of them stands. This script alone
 *   cannot run TypeScript on Node 20 and skips them (it says so).
 *
 * Commands are translated, never rewritten otherwise (the root package.json scripts these stand for
 * are exactly these, minus the build, which the caller has done):
 *
 * - a leading `pnpm build && ` is dropped;
 * - `pnpm install` / `npx -y pnpm@<v> install` is not re-run (the checkout is installed);
 * - `pnpm nrm …` → `node <repo>/packages/cli/dist/bin.js …` (root script `nrm`);
 * - `pnpm demo` / `npx -y pnpm@<v> demo` → `node <repo>/packages/cli/dist/bin.js demo` (root
 *   script `demo` minus its `pnpm build`);
 * - `pnpm changeset status …` → `node <repo>/node_modules/@changesets/cli/bin.js status …`, and
 *   `pnpm version-packages` → `… bin.js version` (root scripts `changeset`, `version-packages`);
 * - any other `pnpm …` / `npx …` is an error: mark the block skip, or add a translation here.
 *
 *   node scripts/doc-commands.mjs                 # run the sh blocks of every docs page
 *   node scripts/doc-commands.mjs --list          # only list what would run and what is skipped
 *   node scripts/doc-commands.mjs docs/guide/getting-started.md
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The repository root. */
export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const CLI = join(REPO, 'packages', 'cli', 'dist', 'bin.js');
const CHANGESET = join(REPO, 'node_modules', '@changesets', 'cli', 'bin.js');
const LINKED = ['packages', 'examples', 'scripts', 'node_modules', 'package.json'];
const SHELL_LANGS = new Set(['sh', 'bash', 'shell']);
const OUTPUT_FLAGS = ['--out', '--png', '--json', '--svg', '--npy', '--out-dir', '--record-dir'];

/** The docs pages whose commands are run (repository-relative), in a stable order. */
export function docPages() {
  const pages = [];
  for (const dir of ['docs/guide', 'docs/how-to', 'docs/gallery']) {
    const abs = join(REPO, dir);
    if (!existsSync(abs)) continue;
    for (const f of readdirSync(abs).sort()) if (f.endsWith('.md')) pages.push(`${dir}/${f}`);
  }
  if (existsSync(join(REPO, 'docs/release.md'))) pages.push('docs/release.md');
  return pages;
}

/**
 * The fenced blocks of a markdown text with the directives before them:
 * `{ lang, line, body, directives: { skip?: string, writes: string[], inClone: boolean, code?: string } }`.
 */
export function extractBlocks(markdown) {
  const lines = markdown.split('\n');
  const blocks = [];
  let pending = { writes: [], inClone: false };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const directive = /^\s*<!--\s*doc-(commands|code):\s*(.*?)\s*-->\s*$/.exec(line);
    if (directive) {
      const [, kind, text] = directive;
      if (kind === 'code') pending.code = text;
      else if (text.startsWith('skip')) pending.skip = text.replace(/^skip:?\s*/, '') || 'no reason given';
      else if (text.startsWith('writes ')) pending.writes.push(...text.slice(7).trim().split(/\s+/));
      else if (text === 'in-clone') pending.inClone = true;
      else throw new Error(`line ${i + 1}: unknown doc-commands directive '${text}'`);
      continue;
    }
    const fence = /^(\s*)(```+)\s*([\w-]*)/.exec(line);
    if (fence) {
      const [, indent, ticks, lang] = fence;
      const body = [];
      let j = i + 1;
      while (j < lines.length && !lines[j].startsWith(`${indent}${ticks}`)) body.push(lines[j++].slice(indent.length));
      blocks.push({ lang: lang.toLowerCase(), line: i + 1, body: body.join('\n'), directives: pending });
      pending = { writes: [], inClone: false };
      i = j;
      continue;
    }
    if (line.trim() !== '') pending = { writes: [], inClone: false }; // a directive applies to the next block only
  }
  return blocks;
}

/** Whether a block is a shell block (run by this script). */
export const isShell = (block) => SHELL_LANGS.has(block.lang);

/** The logical command lines of a shell block: continuations joined, blank and comment lines dropped. */
export function commandLines(body) {
  const out = [];
  let current = '';
  for (const raw of body.split('\n')) {
    const line = raw.replace(/\s+$/, '');
    if (line.endsWith('\\')) {
      current += line.slice(0, -1).trim() + ' ';
      continue;
    }
    current += line.trim();
    if (current !== '' && !current.startsWith('#')) out.push(current);
    current = '';
  }
  if (current.trim() !== '') out.push(current.trim());
  return out;
}

/**
 * Translates one command line (see the module comment). Returns `{ command, notes }`, `command`
 * being `null` when nothing is left to run; throws on a `pnpm`/`npx` call it has no translation for.
 */
export function translateCommand(line) {
  const notes = [];
  const parts = line.split(/\s+&&\s+/).flatMap((part) => {
    const p = part.trim();
    if (/^pnpm build$/.test(p)) {
      notes.push('`pnpm build` dropped (the caller has built)');
      return [];
    }
    if (/^(npx -y pnpm@[\d.]+|pnpm) install\b/.test(p)) {
      notes.push('install not re-run (the checkout is installed)');
      return [];
    }
    let m;
    if ((m = /^pnpm nrm(\s|$)(.*)$/.exec(p))) return [`node ${CLI} ${m[2]}`.trim()];
    if ((m = /^(?:npx -y pnpm@[\d.]+|pnpm) demo(\s|$)(.*)$/.exec(p))) return [`node ${CLI} demo ${m[2]}`.trim()];
    if ((m = /^pnpm changeset status(\s|$)(.*)$/.exec(p))) return [`node ${CHANGESET} status ${m[2]}`.trim()];
    if (/^pnpm version-packages$/.test(p)) return [`node ${CHANGESET} version`];
    if (/^(pnpm|npx)\b/.test(p)) {
      throw new Error(`no translation for '${p}': mark its block <!-- doc-commands: skip: <reason> --> or add one to scripts/doc-commands.mjs`);
    }
    return [p];
  });
  return { command: parts.length ? parts.join(' && ') : null, notes };
}

/** The paths a command says it writes, from its output flags. */
export function outputsOf(command) {
  const words = command.split(/\s+/);
  const out = [];
  words.forEach((w, k) => {
    if (OUTPUT_FLAGS.includes(w) && words[k + 1]) out.push(words[k + 1]);
    const eq = /^(--[\w-]+)=(.+)$/.exec(w);
    if (eq && OUTPUT_FLAGS.includes(eq[1])) out.push(eq[2]);
  });
  return out;
}

/** A fresh working directory with links to the repository's packages, examples, scripts and modules. */
export function makeWorkDir(label) {
  const dir = mkdtempSync(join(tmpdir(), `nrm-doc-${label.replace(/[^\w-]+/g, '-')}-`));
  for (const name of LINKED) if (existsSync(join(REPO, name))) symlinkSync(join(REPO, name), join(dir, name));
  return dir;
}

/** A throwaway clone of the repository (HEAD) with `node_modules` linked in. */
export function makeClone(label) {
  const dir = mkdtempSync(join(tmpdir(), `nrm-doc-clone-${label.replace(/[^\w-]+/g, '-')}-`));
  const r = spawnSync('git', ['clone', '--quiet', REPO, dir], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`git clone failed: ${r.stderr}`);
  // `changeset status` compares with the base branch `main`: let it be this commit in the clone.
  spawnSync('git', ['-C', dir, 'update-ref', 'refs/heads/main', 'HEAD']);
  symlinkSync(join(REPO, 'node_modules'), join(dir, 'node_modules'));
  return dir;
}

/**
 * Runs one shell block in `cwd`: every command must exit 0 and every file it names must exist.
 * Returns `[{ line, command, notes, ms }]`; throws with the command, exit code and output on failure.
 */
export function runShellBlock(block, cwd, { where = '' } = {}) {
  const results = [];
  for (const line of commandLines(block.body)) {
    const { command, notes } = translateCommand(line);
    if (command === null) {
      results.push({ line, command, notes, ms: 0 });
      continue;
    }
    const t0 = performance.now();
    const r = spawnSync('bash', ['-c', command], { cwd, encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0' }, maxBuffer: 64 * 1024 * 1024 });
    const ms = performance.now() - t0;
    if (r.status !== 0) {
      throw new Error(`${where}: \`${line}\` exited ${r.status}\n--- stdout\n${r.stdout.slice(-3000)}\n--- stderr\n${r.stderr.slice(-3000)}`);
    }
    for (const path of outputsOf(command)) {
      if (!existsSync(resolve(cwd, path))) throw new Error(`${where}: \`${line}\` exited 0 but did not write ${path}`);
    }
    results.push({ line, command, notes, ms });
  }
  for (const path of block.directives.writes) {
    if (!existsSync(resolve(cwd, path))) throw new Error(`${where}: the block claims to write ${path}, which does not exist`);
  }
  return results;
}

/** Runs (or lists) one page's shell blocks; returns how many commands ran and what was skipped. */
function runPage(page, list) {
  const blocks = extractBlocks(readFileSync(join(REPO, page), 'utf8'));
  const skipped = [];
  let ran = 0;
  let cwd;
  try {
    for (const block of blocks) {
      const where = `${page}:${block.line}`;
      if (block.directives.code) {
        skipped.push(`${where} (TypeScript ${block.directives.code}: run by packages/cli/src/doc-commands.test.ts)`);
        continue;
      }
      if (!isShell(block)) continue;
      if (block.directives.skip !== undefined) {
        skipped.push(`${where} (${block.directives.skip})`);
        continue;
      }
      if (list) {
        for (const line of commandLines(block.body)) {
          const { command } = translateCommand(line);
          ran += command === null ? 0 : 1;
          console.log(`${where}: ${command ?? '(nothing to run)'}`);
        }
        continue;
      }
      const dir = block.directives.inClone ? makeClone(page) : (cwd ??= makeWorkDir(page));
      try {
        for (const r of runShellBlock(block, dir, { where })) {
          ran += r.command === null ? 0 : 1;
          console.log(`ok ${where} ${(r.ms / 1000).toFixed(1)} s: ${r.line}${r.notes.length ? ` (${r.notes.join('; ')})` : ''}`);
        }
      } finally {
        if (block.directives.inClone) rmSync(dir, { recursive: true, force: true });
      }
    }
  } finally {
    if (cwd) rmSync(cwd, { recursive: true, force: true });
  }
  return { ran, skipped };
}

function main() {
  const args = process.argv.slice(2);
  const list = args.includes('--list');
  const pages = args.filter((a) => !a.startsWith('--'));
  if (!existsSync(CLI) && !list) {
    console.error(`doc-commands: ${relative(process.cwd(), CLI)} is missing; run pnpm build first`);
    process.exit(1);
  }
  let ran = 0;
  const skipped = [];
  for (const page of pages.length ? pages : docPages()) {
    const result = runPage(page, list);
    ran += result.ran;
    skipped.push(...result.skipped);
  }
  console.log(`${list ? 'listed' : 'ran'} ${ran} commands; skipped ${skipped.length} blocks:`);
  for (const s of skipped) console.log(`  skipped ${s}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href) {
  main();
}
