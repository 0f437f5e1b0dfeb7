/**
 * Every docs page's commands run as written: the `sh` blocks of `docs/guide`, `docs/how-to`,
 * `docs/gallery` and `docs/release.md` are run one command at a time in a fresh temporary
 * directory per page (links to the repository's packages, examples, scripts and modules; nothing
 * is written into the checkout), each must exit 0 and leave the files it names; the TypeScript
 * blocks marked `<!-- doc-code: <name>.ts -->` are joined per name, type-checked and run in the
 * same directory. Blocks marked `<!-- doc-commands: skip: <reason> -->` are counted and printed.
 *
 * The parsing, the translation and the shell runner are `scripts/doc-commands.mjs` (its header
 * lists the conventions). Translations, so that no `pnpm` process starts: `pnpm nrm …` runs
 * `node packages/cli/dist/bin.js …` (the root `nrm` script is exactly that), `pnpm demo` and
 * `npx -y pnpm@10.34.9 demo` run `node packages/cli/dist/bin.js demo` (the root `demo` script minus
 * its `pnpm build`: `pnpm test` has built already), a leading `pnpm build &&` is dropped, an install
 * is not re-run, `pnpm changeset status` / `pnpm version-packages` run the changesets binary.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';

interface Block {
  readonly lang: string;
  readonly line: number;
  readonly body: string;
  readonly directives: { readonly skip?: string; readonly writes: string[]; readonly inClone: boolean; readonly code?: string };
}
interface CommandResult {
  readonly line: string;
  readonly command: string | null;
  readonly notes: string[];
  readonly ms: number;
}
interface DocCommands {
  REPO: string;
  docPages(): string[];
  extractBlocks(markdown: string): Block[];
  isShell(block: Block): boolean;
  commandLines(body: string): string[];
  translateCommand(line: string): { command: string | null; notes: string[] };
  makeWorkDir(label: string): string;
  makeClone(label: string): string;
  runShellBlock(block: Block, cwd: string, options: { where: string }): CommandResult[];
}

const scriptUrl = new URL('../../../scripts/doc-commands.mjs', import.meta.url);
const dc = (await import(scriptUrl.href)) as DocCommands;
const codeRoot = fileURLToPath(new URL('../test-output/doc-code/', import.meta.url));

const skipped: string[] = [];
const ran: string[] = [];

/** The TypeScript modules of a page: name → { file, index of its last block }. */
function codeModules(page: string, blocks: Block[]): Map<string, { file: string; last: number }> {
  const modules = new Map<string, { file: string; last: number; parts: string[] }>();
  blocks.forEach((block, index) => {
    const name = block.directives.code;
    if (name === undefined) return;
    if (!['ts', 'typescript'].includes(block.lang)) throw new Error(`${page}:${block.line}: doc-code marks a '${block.lang}' block; only ts blocks run`);
    const file = join(codeRoot, page.replace(/[^\w-]+/g, '_'), name);
    const entry = modules.get(name) ?? { file, last: index, parts: [] };
    entry.parts.push(block.body);
    entry.last = index;
    modules.set(name, entry);
  });
  for (const { file, parts } of modules.values()) {
    mkdirSync(join(file, '..'), { recursive: true });
    writeFileSync(file, `${parts.join('\n\n')}\n`);
  }
  return modules;
}

/** Type errors of the given files under the repository's strict compiler options. */
function typeErrors(files: string[]): string[] {
  const program = ts.createProgram(files, {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    strict: true,
    noUncheckedIndexedAccess: true,
    skipLibCheck: true,
    noEmit: true,
    types: ['node'],
    lib: ['lib.es2023.d.ts', 'lib.dom.d.ts'],
  });
  return ts
    .getPreEmitDiagnostics(program)
    .filter((d) => d.file === undefined || files.includes(d.file.fileName))
    .map((d) => {
      const where = d.file && d.start !== undefined ? `${d.file.fileName}:${d.file.getLineAndCharacterOfPosition(d.start).line + 1}` : '';
      return `${where} ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
    });
}

const pages = dc.docPages();

describe('docs pages: commands and code run as written', () => {
  it('finds the pages; every block it skips says why; the TypeScript blocks type-check (strict)', () => {
    expect(pages).toContain('docs/guide/getting-started.md');
    const files: string[] = [];
    for (const page of pages) {
      const blocks = dc.extractBlocks(readFileSync(join(dc.REPO, page), 'utf8'));
      for (const block of blocks) {
        if (block.directives.skip !== undefined) expect(block.directives.skip, `${page}:${block.line}`).not.toBe('no reason given');
      }
      files.push(...[...codeModules(page, blocks).values()].map((m) => m.file));
    }
    expect(files.length).toBeGreaterThan(0);
    expect(typeErrors(files)).toEqual([]);
  });

  for (const page of pages) {
    it(page, async () => {
      const blocks = dc.extractBlocks(readFileSync(join(dc.REPO, page), 'utf8'));
      const modules = codeModules(page, blocks);
      const cwd = dc.makeWorkDir(page);
      const home = process.cwd();
      try {
        for (const [index, block] of blocks.entries()) {
          const where = `${page}:${block.line}`;
          if (block.directives.skip !== undefined) {
            if (dc.isShell(block) || block.directives.code) skipped.push(`${where} (${block.directives.skip})`);
            continue;
          }
          const module = [...modules.entries()].find(([, m]) => m.last === index);
          if (module) {
            process.chdir(cwd);
            try {
              await import(pathToFileURL(module[1].file).href);
            } finally {
              process.chdir(home);
            }
            ran.push(`${where} ${module[0]}`);
            continue;
          }
          if (!dc.isShell(block)) continue;
          const dir = block.directives.inClone ? dc.makeClone(page) : cwd;
          try {
            for (const r of dc.runShellBlock(block, dir, { where })) {
              if (r.command !== null) ran.push(`${where} ${(r.ms / 1000).toFixed(1)} s: ${r.line}${r.notes.length ? ` (${r.notes.join('; ')})` : ''}`);
              else skipped.push(`${where} (${r.notes.join('; ')}): ${r.line}`);
            }
          } finally {
            if (dir !== cwd) rmSync(dir, { recursive: true, force: true });
          }
        }
      } finally {
        rmSync(cwd, { recursive: true, force: true });
      }
    });
  }

  afterAll(() => {
    console.log(`doc commands: ran ${ran.length}:\n  ${ran.join('\n  ')}`);
    console.log(`doc commands: skipped ${skipped.length}:\n  ${skipped.join('\n  ')}`);
  });
});
