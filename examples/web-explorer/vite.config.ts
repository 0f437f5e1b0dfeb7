/**
 * Vite config of the NRM web explorer. The @nrm packages are used from source (their exports'
 * `source` condition); the demo model (examples/digits-cnn/model) and tfjs's wasm binaries are
 * served from where they lie in the repository (`/model/…`, `/tfjs-wasm/…`) and copied into the
 * bundle by `pnpm bundle` — nothing is fetched from a CDN.
 */
import { createReadStream, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, defaultClientConditions, type Connect, type Plugin } from 'vite';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '..', '..');
const require = createRequire(import.meta.url);

/** URL prefix → the directory and the files served from it. */
const MOUNTS: Record<string, { dir: string; files: readonly string[] }> = {
  '/model/': { dir: join(repo, 'examples', 'digits-cnn', 'model'), files: ['model.json', 'weights.bin', 'test-digits.json'] },
  '/tfjs-wasm/': {
    dir: join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist'),
    files: ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm'],
  },
};

const TYPES: Record<string, string> = { json: 'application/json', bin: 'application/octet-stream', wasm: 'application/wasm' };

/** Serves the files of {@link MOUNTS} (dev and preview) and emits them into the bundle (build). */
function repoFiles(): Plugin {
  const middleware: Connect.NextHandleFunction = (req, res, next) => {
    const path = (req.url ?? '').split('?')[0]!;
    for (const [prefix, { dir, files }] of Object.entries(MOUNTS)) {
      if (!path.startsWith(prefix)) continue;
      const name = path.slice(prefix.length);
      if (!files.includes(name)) break;
      const file = join(dir, name);
      res.setHeader('Content-Type', TYPES[name.split('.').pop()!] ?? 'application/octet-stream');
      res.setHeader('Content-Length', String(statSync(file).size));
      res.setHeader('Cache-Control', 'no-cache');
      createReadStream(file).pipe(res);
      return;
    }
    next();
  };
  return {
    name: 'nrm-explorer-repo-files',
    configureServer: (server) => void server.middlewares.use(middleware),
    configurePreviewServer: (server) => void server.middlewares.use(middleware),
    generateBundle() {
      for (const [prefix, { dir, files }] of Object.entries(MOUNTS)) {
        for (const name of files) {
          this.emitFile({ type: 'asset', fileName: `${prefix.slice(1)}${name}`, source: readFileSync(join(dir, name)) });
        }
      }
    },
  };
}

/**
 * Node-only imports inside the @nrm packages' sources, with the names they import: `@nrm/viz`'s
 * PNG/JPEG files (pngjs, jpeg-js) and atomic file writes (node:fs), `@nrm/graph`'s loading from
 * files. The explorer uses none of them (only colormaps, heatmaps, SVG flow diagrams and loading
 * from memory), so they get stand-ins here that throw if ever called.
 */
const NODE_ONLY: Record<string, readonly string[]> = {
  pngjs: [],
  'jpeg-js': [],
  'node:crypto': ['randomBytes'],
  'node:fs/promises': ['open', 'readFile', 'rename', 'rm'],
  'node:path': ['basename', 'dirname', 'join', 'resolve'],
  'node:url': ['fileURLToPath'],
};
const STUB = '\0nrm-explorer-stub:';

function nodeOnlyStubs(): Plugin {
  const sources = join(repo, 'packages');
  return {
    name: 'nrm-explorer-node-only-stubs',
    enforce: 'pre',
    resolveId(id, importer) {
      if (id in NODE_ONLY && importer?.startsWith(sources)) return `${STUB}${id}`;
      return null;
    },
    load(id) {
      if (!id.startsWith(STUB)) return null;
      const module = id.slice(STUB.length);
      const fail = `() => { throw new Error(${JSON.stringify(`${module} is not available in the browser`)}); }`;
      const names = NODE_ONLY[module] ?? [];
      return [`export default {};`, ...names.map((name) => `export const ${name} = ${fail};`)].join('\n');
    },
  };
}

export default defineConfig({
  root: here,
  plugins: [nodeOnlyStubs(), repoFiles()],
  resolve: { conditions: ['source', ...defaultClientConditions] },
  server: { host: 'localhost', fs: { allow: [repo] } },
  preview: { host: 'localhost' },
  optimizeDeps: {
    // Listed so that the dev server bundles them before the first page load instead of
    // discovering them later and reloading the page.
    include: [
      '@tensorflow/tfjs-core',
      '@tensorflow/tfjs-layers',
      '@tensorflow/tfjs-backend-wasm',
      '@tensorflow/tfjs-backend-webgpu',
    ],
  },
  build: { target: 'es2022', outDir: 'dist', emptyOutDir: true },
});
