/**
 * End to end: the explorer served by Vite's dev server, driven in headless Chromium (Debian's
 * `chromium`, no network) with playwright-core, once on WebGPU (SwiftShader here) and once on the
 * wasm fallback (`?backend=wasm`). The heatmaps the page draws are compared with explanations
 * computed here in Node (cpu backend) for the same input, composite, class and channel condition.
 * Screenshots go to test-output/web-explorer/ at the repository root (ignored by git; CI keeps them),
 * or to `NRM_SCREENSHOTS`; the ones in examples/web-explorer/screenshots/ are copies of such a run.
 *
 * Needs /usr/bin/chromium (`apt-get install -y chromium`; or set NRM_CHROMIUM to another Chromium);
 * without it the test is skipped with a notice.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { createServer, type ViteDevServer } from 'vite';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createExplainer, createRegistry, type Graph, type Registry } from '@nrm/core';
import { cpu } from '@nrm/backend-cpu';
import { loadGraph, tfjsLayers } from '@nrm/graph';
import { gradientMethods } from '@nrm/rules-gradient';
import { lrp } from '@nrm/rules-lrp';
import { heatmapToRgba } from '@nrm/viz';
import type { ExposedState } from '../src/exposed.js';
import { compositeChoice, INPUT_NON_NEGATIVE } from '../src/settings.js';

/** Debian's chromium; `NRM_CHROMIUM` points elsewhere. */
const CHROMIUM = process.env['NRM_CHROMIUM'] ?? '/usr/bin/chromium';
const here = dirname(fileURLToPath(import.meta.url));
const explorerDir = resolve(here, '..');
const modelDir = resolve(explorerDir, '..', 'digits-cnn', 'model');
const screenshots = process.env['NRM_SCREENSHOTS'] ?? resolve(explorerDir, '..', '..', 'test-output', 'web-explorer');
const TOLERANCE = 1e-4;
const SIZE = 28;
/** Per test: about 35 s (WebGPU, shader compilation on a software adapter) and 5 s (wasm) here, alone. */
const TEST_TIMEOUT = 180_000;

const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) {
  const bar = '!'.repeat(100);
  console.warn(
    `\n${bar}\n!! SKIPPED: the web explorer's end-to-end test needs Debian's chromium at ${CHROMIUM}\n` +
      `!! (apt-get install -y chromium). The explorer's heatmaps were NOT checked in a browser.\n${bar}\n`,
  );
}

interface TestDigit {
  readonly index: number;
  readonly label: number;
  readonly pixels: number[];
}

/** `max|a − b| / max|b|`. */
function relativeError(a: readonly number[], b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < b.length; i++) {
    diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  expect(scale).toBeGreaterThan(0);
  return diff / scale;
}

describe.skipIf(!hasChromium)('web explorer in headless Chromium', () => {
  let server: ViteDevServer;
  let url: string;
  let profile: string;
  let context: BrowserContext;
  let registry: Registry;
  let graph: Graph;
  let digits: TestDigit[];
  const problems: string[] = [];

  beforeAll(async () => {
    registry = createRegistry([tfjsLayers, lrp, gradientMethods, cpu]);
    await registry.backend('cpu').setup();
    graph = await loadGraph(join(modelDir, 'model.json'));
    digits = JSON.parse(readFileSync(join(modelDir, 'test-digits.json'), 'utf8')) as TestDigit[];

    server = await createServer({
      configFile: join(explorerDir, 'vite.config.ts'),
      logLevel: 'warn',
      server: { host: 'localhost', port: 0, strictPort: true, hmr: false, watch: null },
    });
    await server.listen();
    url = server.resolvedUrls!.local[0]!;
    expect(url).toMatch(/^http:\/\/localhost:\d+\/$/);

    profile = mkdtempSync(join(tmpdir(), 'nrm-explorer-chromium-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1280, height: 900 },
      args: [
        '--headless=new',
        '--no-sandbox',
        '--enable-unsafe-webgpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-quic',
        '--disable-default-apps',
        '--disable-extensions',
      ],
    });
    mkdirSync(screenshots, { recursive: true });
  });

  beforeEach(() => {
    problems.length = 0;
  });

  afterAll(async () => {
    await context?.close();
    await server?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  /** Opens the explorer and collects console errors and uncaught exceptions. */
  async function open(query: string): Promise<Page> {
    const page = await context.newPage();
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`${query || '(default)'} console error: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`${query || '(default)'} page error: ${error.message}`));
    // Everything (model, wasm binaries) comes from the dev server: no CDN, no other host.
    page.on('request', (request) => {
      const target = request.url();
      if (!target.startsWith(url) && !/^(data|blob):/.test(target)) problems.push(`${query || '(default)'} request off the server: ${target}`);
    });
    await page.goto(`${url}${query}`);
    await settle(page, -1);
    return page;
  }

  const state = (page: Page): Promise<ExposedState> => page.evaluate(() => window.__nrm!);

  /** Waits until the page has finished a refresh after `renders` (and fails on a page error). */
  async function settle(page: Page, renders: number): Promise<ExposedState> {
    await page.waitForFunction(
      (n) => {
        const s = window.__nrm;
        return s !== undefined && (s.status === 'error' || (s.status === 'ready' && s.renders > n));
      },
      renders,
      { timeout: 60_000 },
    );
    const s = await state(page);
    if (s.status === 'error') throw new Error(`the explorer failed: ${s.error}`);
    return s;
  }

  async function act(page: Page, action: () => Promise<void>): Promise<ExposedState> {
    const before = (await state(page)).renders;
    await action();
    return settle(page, before);
  }

  /** The relevance at the input computed here, with the engine directly. */
  async function nodeHeatmap(
    pixels: readonly number[],
    compositeId: string,
    unit: number,
    condition: { layer: string; channel: number } | null,
  ): Promise<{ heatmap: Float32Array; predicted: number }> {
    const choice = compositeChoice(compositeId);
    expect(choice.id).toBe(compositeId);
    const explainer = createExplainer({ graph, registry, composite: choice.id, options: choice.options, inputNonNegative: INPUT_NON_NEGATIVE });
    const x = tf.tensor4d(Float32Array.from(pixels), [1, SIZE, SIZE, 1]);
    try {
      const logits = explainer.forward(x);
      const values = Array.from(await logits.data());
      logits.dispose();
      const conditions = condition ? [{ layer: condition.layer, channels: [[condition.channel]] }] : [];
      const explanation = explainer.explain(x, { target: { layer: 'logits', indices: [[unit]] }, conditions });
      const heatmap = (await explanation.input.data()) as Float32Array; // [1, 28, 28, 1]: one value a pixel
      explanation.dispose();
      return { heatmap, predicted: values.indexOf(Math.max(...values)) };
    } finally {
      x.dispose();
      explainer.dispose();
    }
  }

  /** The page's drawn heatmap equals the Node result (numbers to 1e-4, colours to 2/255). */
  async function expectSameHeatmap(s: ExposedState): Promise<number> {
    const node = await nodeHeatmap(s.pixels, s.composite, s.target!, s.condition);
    expect(s.prediction!.predicted).toBe(node.predicted);
    const error = relativeError(s.lastHeatmap, node.heatmap);
    expect(error).toBeLessThanOrEqual(TOLERANCE);
    const rgba = heatmapToRgba(node.heatmap, SIZE, SIZE, { cmap: 'bwr' });
    expect(s.lastHeatmapRgba.length).toBe(rgba.length);
    const worst = s.lastHeatmapRgba.reduce((m, v, i) => Math.max(m, Math.abs(v - rgba[i]!)), 0);
    expect(worst).toBeLessThanOrEqual(2);
    return error;
  }

  /** The channel of `layer` with the largest share of relevance. */
  function topChannel(s: ExposedState, layer: string): number {
    const values = s.channels[layer]!;
    expect(values.length).toBeGreaterThan(0);
    return values.indexOf(Math.max(...values));
  }

  async function clickChannel(page: Page, layer: string, channel: number): Promise<ExposedState> {
    const s = await act(page, () => page.click(`button.channel[data-layer="${layer}"][data-channel="${channel}"]`));
    expect(s.condition).toEqual({ layer, channel });
    expect(await page.locator('button.channel.selected').count()).toBe(1);
    expect(await page.locator('#condition').isVisible()).toBe(true);
    return s;
  }

  async function expectFlowsDrawn(page: Page, s: ExposedState): Promise<void> {
    expect(s.flowsDrawn).toBe(true);
    const svg = page.locator('#flows svg');
    expect(await svg.count()).toBe(1);
    const text = (await svg.textContent()) ?? '';
    for (const layer of s.flowLayers) expect(text).toContain(layer);
  }

  it('runs on WebGPU: heatmaps of two composites and a channel-conditioned heatmap equal the Node results', async () => {
    const page = await open('');
    let s = await state(page);
    expect(s.backend, `the page fell back from WebGPU: ${s.backendDetail}`).toBe('webgpu');
    expect(await page.locator('#backend').textContent()).toContain('webgpu');

    s = await act(page, () => page.click('button.digit[data-index="3"]'));
    expect(s.input).toBe(digits[3]!.index);
    expect(s.composite).toBe('epsilon-plus-flat');
    const errors = [await expectSameHeatmap(s)];
    await expectFlowsDrawn(page, s);

    s = await act(page, () => page.selectOption('#composite', 'epsilon-gamma-box').then(() => undefined));
    expect(s.composite).toBe('epsilon-gamma-box');
    errors.push(await expectSameHeatmap(s));

    const channel = topChannel(s, 'conv3');
    s = await clickChannel(page, 'conv3', channel);
    errors.push(await expectSameHeatmap(s));
    await page.screenshot({ path: join(screenshots, 'webgpu-conditioned.png'), fullPage: true });
    console.log(`webgpu (${s.backendDetail}): relative errors ${errors.map((e) => e.toExponential(1)).join(', ')}`);
    await page.close();
    expect(problems).toEqual([]);
  }, TEST_TIMEOUT);

  it('falls back to wasm: a drawn digit, gradient × input and a channel-conditioned heatmap equal the Node results', async () => {
    const page = await open('?backend=wasm');
    let s = await state(page);
    expect(s.backend).toBe('wasm');
    expect(await page.locator('#backend').textContent()).toContain('wasm');

    s = await act(page, () => page.click('button.digit[data-index="7"]'));
    expect(s.input).toBe(digits[7]!.index);
    const errors = [await expectSameHeatmap(s)];
    await expectFlowsDrawn(page, s);
    await page.screenshot({ path: join(screenshots, 'wasm-digit.png'), fullPage: true });

    s = await act(page, () => page.selectOption('#composite', 'gradient-x-input').then(() => undefined));
    expect(s.composite).toBe('gradient-x-input');
    errors.push(await expectSameHeatmap(s));

    s = await clickChannel(page, 'conv4', topChannel(s, 'conv4'));
    errors.push(await expectSameHeatmap(s));

    // Draw a "7" on the pad: a bar and a diagonal.
    const box = (await page.locator('#pad').boundingBox())!;
    const at = (fx: number, fy: number): [number, number] => [box.x + fx * box.width, box.y + fy * box.height];
    s = await act(page, async () => {
      await page.mouse.move(...at(0.25, 0.2));
      await page.mouse.down();
      for (const [fx, fy] of [[0.5, 0.2], [0.75, 0.2], [0.62, 0.5], [0.5, 0.85]] as const) await page.mouse.move(...at(fx, fy), { steps: 6 });
      await page.mouse.up();
    });
    expect(s.input).toBe('drawing');
    expect(s.condition).toBeNull();
    expect(s.pixels.reduce((a, b) => a + b, 0)).toBeGreaterThan(20);
    expect(s.prediction!.predicted).toBe(7);
    errors.push(await expectSameHeatmap(s));
    await page.screenshot({ path: join(screenshots, 'wasm-drawing.png'), fullPage: true });
    console.log(`wasm: relative errors ${errors.map((e) => e.toExponential(1)).join(', ')}`);
    await page.close();
    expect(problems).toEqual([]);
  }, TEST_TIMEOUT);
});
