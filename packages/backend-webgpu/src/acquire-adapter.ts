/**
 * Finding a WebGPU adapter: `navigator.gpu` in browsers; in Node the optional `webgpu` package
 * (Dawn), imported only when needed, falling back to Dawn's OpenGL backend (Mesa, also the
 * software rasterizer llvmpipe) on Linux. Nothing here imports a `node:` module.
 */

/** Dawn's backends, as the `webgpu` package's `backend=` option names them. */
export type DawnBackend = 'vulkan' | 'opengl' | 'opengles' | 'metal' | 'd3d12' | 'd3d11' | 'null';

/** The `webgpu` npm package's API (Dawn for Node). */
export interface DawnModule {
  /** A `GPU` (what `navigator.gpu` is in browsers); options like `backend=opengl`. */
  create(options: string[]): GPU;
  /** `GPUBufferUsage`, `GPUMapMode`, `GPUBuffer`, … for `globalThis`. */
  readonly globals: Record<string, unknown>;
}

/** A WebGPU feature level (`compatibility` is what OpenGL-backed adapters offer). */
export type FeatureLevel = 'core' | 'compatibility';

/** How to look for an adapter. */
export interface AdapterRequest {
  /**
   * A `GPU` to use instead of `navigator.gpu` (browsers) or the `webgpu` package (Node), e.g.
   * `create([...])` from `webgpu` with options of your own.
   */
  readonly gpu?: GPU;
  /** `auto` (default): a core adapter if there is one, else a compatibility one (OpenGL). */
  readonly featureLevel?: 'auto' | FeatureLevel;
  /** Passed to `requestAdapter` (default: the browser's or Dawn's choice). */
  readonly powerPreference?: GPUPowerPreference;
  /**
   * Node: Dawn's backend. Default: Dawn's own choice (Vulkan on Linux, Metal, D3D12), then on
   * Linux `opengl` (Mesa; with no GPU, its software rasterizer llvmpipe).
   */
  readonly dawnBackend?: DawnBackend;
  /** Node: more options for the `webgpu` package's `create()`, e.g. `enable-dawn-features=…`. */
  readonly dawnOptions?: readonly string[];
  /**
   * Node: how to load the `webgpu` package (default: a dynamic `import('webgpu')` that bundlers
   * do not follow).
   */
  readonly loadDawn?: () => Promise<unknown>;
}

/** An adapter that was found, with where it came from. */
export interface AcquiredAdapter {
  /** The `GPU` the adapter came from (`navigator.gpu`, or Dawn's `create()` in Node). */
  readonly gpu: GPU;
  /** The adapter; it gives one device. */
  readonly adapter: GPUAdapter;
  /** The feature level it was requested at. */
  readonly featureLevel: FeatureLevel;
  /** Node only: the Dawn module and the `create()` options that found the adapter. */
  readonly dawn?: { readonly module: DawnModule; readonly options: readonly string[] };
}

/** The result of {@link acquireAdapter}: an adapter, or why there is none (naming the fix). */
export type AdapterProbe = { readonly ok: true; readonly acquired: AcquiredAdapter } | { readonly ok: false; readonly reason: string };

/** Whether this runs in Node (or a runtime that looks like it). */
export function isNode(): boolean {
  return typeof process === 'object' && process !== null && typeof process.versions?.node === 'string';
}

const firstLine = (e: unknown) => ((e instanceof Error ? e.message : String(e)).split('\n')[0] ?? '').trim();

/** The `webgpu` package, without letting bundlers or TypeScript see the specifier. */
async function importDawn(): Promise<unknown> {
  const specifier = 'webgpu';
  return import(/* @vite-ignore */ /* webpackIgnore: true */ specifier);
}

function asDawnModule(loaded: unknown): DawnModule | undefined {
  const isDawn = (m: unknown): m is DawnModule =>
    typeof m === 'object' && m !== null && typeof (m as { create?: unknown }).create === 'function' && typeof (m as { globals?: unknown }).globals === 'object';
  if (isDawn(loaded)) return loaded;
  const inner = (loaded as { default?: unknown } | null)?.default;
  return isDawn(inner) ? inner : undefined;
}

async function requestAt(gpu: GPU, level: 'auto' | FeatureLevel, powerPreference: GPUPowerPreference | undefined) {
  const base: GPURequestAdapterOptions = powerPreference ? { powerPreference } : {};
  const levels: FeatureLevel[] = level === 'auto' ? ['core', 'compatibility'] : [level];
  for (const featureLevel of levels) {
    // `featureLevel` is newer than TypeScript's DOM types; core is the default.
    const options = featureLevel === 'core' ? base : ({ ...base, featureLevel } as GPURequestAdapterOptions);
    const adapter = await gpu.requestAdapter(options);
    if (adapter) return { adapter, featureLevel };
  }
  return undefined;
}

/**
 * Sets `EGL_PLATFORM=surfaceless` unless it is set: Mesa's EGL then needs no X11/Wayland
 * display, which is what Dawn's OpenGL backend needs on a headless machine.
 */
export function useSurfacelessEgl(): void {
  if (isNode() && process.platform === 'linux' && process.env['EGL_PLATFORM'] === undefined) {
    process.env['EGL_PLATFORM'] = 'surfaceless';
  }
}

/** Finds an adapter; never throws. */
export async function acquireAdapter(request: AdapterRequest = {}): Promise<AdapterProbe> {
  const level = request.featureLevel ?? 'auto';
  try {
    const given = request.gpu ?? (globalThis as { navigator?: { gpu?: GPU } }).navigator?.gpu;
    if (given) {
      const found = await requestAt(given, level, request.powerPreference);
      if (found) return { ok: true, acquired: { gpu: given, ...found } };
      return {
        ok: false,
        reason:
          'navigator.gpu.requestAdapter() found no adapter (WebGPU is disabled, or the GPU is blocklisted: in Chromium try --enable-unsafe-webgpu, ' +
          'headless with a page served from http://localhost); use the wasm backend',
      };
    }
    if (!isNode()) {
      return {
        ok: false,
        reason: 'this browser has no WebGPU (navigator.gpu is missing: use Chrome or Edge 113+, or a Safari or Firefox with WebGPU enabled, on a secure origin); use the wasm backend',
      };
    }
    let dawn: DawnModule | undefined;
    try {
      dawn = asDawnModule(await (request.loadDawn ?? importDawn)());
    } catch (e) {
      return {
        ok: false,
        reason:
          `WebGPU in Node needs the optional peer dependency 'webgpu' (Dawn), which did not load (${firstLine(e)}): ` +
          'install it with npm install webgpu@^0.6.2 (pnpm: also allowBuilds: { webgpu: false } in pnpm-workspace.yaml), or use the wasm backend',
      };
    }
    if (!dawn) {
      return { ok: false, reason: "the 'webgpu' package loaded but has no create()/globals (expected webgpu@^0.6.2); install webgpu@^0.6.2, or use the wasm backend" };
    }
    const extra = [...(request.dawnOptions ?? [])];
    const attempts: string[][] = request.dawnBackend
      ? [[`backend=${request.dawnBackend}`, ...extra]]
      : process.platform === 'linux'
        ? [extra, ['backend=opengl', ...extra]]
        : [extra];
    for (const options of attempts) {
      if (options.includes('backend=opengl') || options.includes('backend=opengles')) useSurfacelessEgl();
      const gpu = dawn.create(options);
      const found = await requestAt(gpu, level, request.powerPreference);
      if (found) return { ok: true, acquired: { gpu, ...found, dawn: { module: dawn, options } } };
    }
    const tried = attempts.map((o) => (o.find((x) => x.startsWith('backend=')) ?? "Dawn's default backend")).join(', then ');
    return {
      ok: false,
      reason:
        `Dawn found no WebGPU adapter (tried ${tried}${level === 'auto' ? ', core then compatibility level' : `, ${level} level`}): ` +
        'install a Vulkan driver, or Mesa for OpenGL (Debian: apt-get install libegl1 libgl1-mesa-dri; headless it needs EGL_PLATFORM=surfaceless, ' +
        'which NRM sets when unset); or use the wasm backend',
    };
  } catch (e) {
    return { ok: false, reason: `looking for a WebGPU adapter failed (${firstLine(e)}); use the wasm backend` };
  }
}
