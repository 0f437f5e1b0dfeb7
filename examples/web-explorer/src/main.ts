/**
 * The NRM web explorer: pick or draw a digit; see the digits CNN's prediction, the heatmap of any
 * composite, the relevance of every conv channel, the heatmap conditioned on a channel, and the
 * channel flows of `@nrm/measure` — on WebGPU when the browser has it, else on wasm.
 *
 * URL parameters: `backend=webgpu|wasm|cpu`, `composite=<id>`, `digit=<position in the grid>`.
 */
import './style.css';
import * as tf from '@tensorflow/tfjs-core';
import { createExplainer, createRegistry, type Explainer, type Graph, type Registry } from '@nrm/core';
import { cpuBackend } from '@nrm/backend-cpu';
import { tfjsLayers } from '@nrm/graph';
import { gradientMethods } from '@nrm/rules-gradient';
import { lrp } from '@nrm/rules-lrp';
import { classTarget, inputHeatmap, measureReport, predict, type ChannelChoice } from './analysis.js';
import { startBackend } from './backend.js';
import { createDrawPad } from './draw-pad.js';
import { exposeState } from './exposed.js';
import { loadDemo, type TestDigit } from './model.js';
import { COMPOSITES, compositeChoice, convLayers, flowLayers, INPUT_NON_NEGATIVE, outputLayer } from './settings.js';
import { drawColorbar, drawGrey, drawHeatmap, el, flowsSvg, renderChannels, renderPrediction } from './views.js';
import { formatSignificant } from '@nrm/viz';

const SIZE = 28;
const params = new URLSearchParams(location.search);
const state = exposeState();
const byId = <T extends HTMLElement = HTMLElement>(id: string): T => document.getElementById(id) as T;
const statusLine = byId('status');

function setStatus(text: string, error = false): void {
  statusLine.textContent = text;
  statusLine.classList.toggle('error', error);
}

/** The page, once the backend and the model are up. */
function explorer(graph: Graph, registry: Registry, digits: readonly TestDigit[]): void {
  const output = outputLayer(graph);
  const layers = convLayers(graph);
  const flows = flowLayers(graph);
  state.flowLayers = flows;
  const explainers = new Map<string, Explainer>();
  const explainerFor = (id: string): Explainer => {
    let explainer = explainers.get(id);
    if (!explainer) {
      const choice = compositeChoice(id);
      // checkFinite reads a flag with dataSync, which the WebGPU backend does through a canvas
      // (wrong results on some adapters); the pixels are checked on the host in useInput instead.
      explainer = createExplainer({
        graph,
        registry,
        composite: choice.id,
        options: choice.options,
        inputNonNegative: INPUT_NON_NEGATIVE,
        checkFinite: false,
      });
      explainers.set(id, explainer);
    }
    return explainer;
  };

  let pixels: Float32Array = new Float32Array(SIZE * SIZE);
  let inputKey = '';
  let composite = compositeChoice(params.get('composite')).id;
  let target: number | null = null;
  let condition: ChannelChoice | null = null;
  let channels: { key: string; values: Record<string, number[]> } | null = null;
  let flowsKey = '';

  // Inputs: the grid of test digits and the drawing pad.
  const grid = byId('digits');
  const pad = byId<HTMLCanvasElement>('pad');
  const buttons = digits.map((digit, position) => {
    const button = el('button', 'digit');
    button.type = 'button';
    button.dataset['index'] = String(position);
    button.title = `test digit #${digit.index} (label ${digit.label})`;
    const canvas = el('canvas');
    drawGrey(canvas, digit.pixels, SIZE);
    button.append(canvas, el('span', '', `label ${digit.label}`));
    button.addEventListener('click', () => useInput(Float32Array.from(digit.pixels), `digit-${position}`, position));
    grid.append(button);
    return button;
  });
  const drawPad = createDrawPad(pad, (drawn) => useInput(drawn, `drawing-${Date.now()}`, 'drawing'));
  byId('clear').addEventListener('click', () => drawPad.clear());

  function useInput(values: Float32Array, key: string, shown: number | 'drawing'): void {
    if (!values.every((v) => Number.isFinite(v))) throw new Error('The input has NaN or infinite pixels.');
    pixels = values;
    inputKey = key;
    target = null;
    condition = null;
    state.input = shown === 'drawing' ? 'drawing' : digits[shown]!.index;
    state.pixels = Array.from(values);
    buttons.forEach((b, i) => b.classList.toggle('selected', i === shown));
    pad.classList.toggle('selected', shown === 'drawing');
    drawGrey(byId<HTMLCanvasElement>('input-view'), values, SIZE);
    byId('input-caption').textContent = shown === 'drawing' ? 'input: your drawing (centred)' : `input: test digit #${digits[shown]!.index}, label ${digits[shown]!.label}`;
    request();
  }

  // The composite selector.
  const select = byId<HTMLSelectElement>('composite');
  for (const c of COMPOSITES) {
    const option = el('option', '', c.label);
    option.value = c.id;
    select.append(option);
  }
  select.value = composite;
  select.addEventListener('change', () => {
    composite = select.value;
    request();
  });
  byId('uncondition').addEventListener('click', () => setCondition(null));
  drawColorbar(byId<HTMLCanvasElement>('colorbar'));

  function setCondition(choice: ChannelChoice | null): void {
    condition = choice;
    request();
  }

  // One refresh at a time; a request during a refresh makes it stop at its next step and start over.
  let pending = false;
  let running = false;
  function request(): void {
    pending = true;
    state.status = 'busy';
    setStatus('computing…');
    if (!running) void loop();
  }
  async function loop(): Promise<void> {
    running = true;
    try {
      while (pending) {
        pending = false;
        await refresh();
      }
      state.status = 'ready';
      const t = state.timings;
      setStatus(`ready · heatmap ${t['heatmap']?.toFixed(0) ?? '–'} ms · channels ${t['channels']?.toFixed(0) ?? '–'} ms · flows ${t['flows']?.toFixed(0) ?? '–'} ms`);
    } catch (error) {
      state.status = 'error';
      state.error = error instanceof Error ? error.message : String(error);
      setStatus(`error: ${state.error}`, true);
      console.error(error);
    } finally {
      running = false;
    }
  }

  async function refresh(): Promise<void> {
    const choice = compositeChoice(composite);
    const explainer = explainerFor(choice.id);
    const x = tf.tensor4d(pixels, [1, SIZE, SIZE, 1]);
    try {
      let started = performance.now();
      const prediction = await predict(explainer, x);
      const unit = target ?? prediction.predicted;
      state.prediction = prediction;
      state.target = unit;
      state.composite = choice.id;
      renderPrediction(byId('prediction'), prediction, unit, (picked) => {
        target = picked;
        condition = null;
        request();
      });
      if (pending) return;

      const explained = classTarget(output, unit);
      const heatmap = await inputHeatmap(explainer, x, explained, condition ?? undefined);
      if (pending) return;
      const rgba = drawHeatmap(byId<HTMLCanvasElement>('heatmap'), heatmap, SIZE);
      state.lastHeatmap = Array.from(heatmap);
      state.lastHeatmapRgba = Array.from(rgba);
      state.condition = condition;
      state.timings['heatmap'] = performance.now() - started;
      const vmax = heatmap.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
      const sum = heatmap.reduce((s, v) => s + v, 0);
      byId('scale-min').textContent = `−${formatSignificant(vmax)}`;
      byId('scale-max').textContent = `+${formatSignificant(vmax)}`;
      byId('heatmap-caption').textContent = `${choice.label} · class ${unit} · ΣR = ${formatSignificant(sum)}`;

      const key = `${inputKey}|${choice.id}|${unit}`;
      if (channels?.key !== key) {
        started = performance.now();
        channels = { key, values: (await measureReport(explainer, x, explained, layers, [])).channels };
        state.timings['channels'] = performance.now() - started;
        if (pending) return;
      }
      state.channels = channels.values;
      renderChannels(byId('channels'), channels.values, condition, setCondition);
      const box = byId('condition');
      box.hidden = condition === null;
      if (condition) {
        const mu = channels.values[condition.layer]?.[condition.channel];
        byId('condition-text').textContent =
          `Conditioned on ${condition.layer} channel ${condition.channel} (μ = ${mu === undefined ? 'n/a' : formatSignificant(mu)}): ` +
          `only the relevance that passes through this channel is shown.`;
      }

      if (flowsKey !== key) {
        state.flowsDrawn = false;
        started = performance.now();
        const report = await measureReport(explainer, x, explained, [], flows);
        state.timings['flows'] = performance.now() - started;
        if (pending) return;
        const view = byId('flows');
        const data = report.flows;
        const finite = data?.pairs.every((p) => p.J[0]!.flat().every((v) => Number.isFinite(v))) ?? false;
        if (data && finite) {
          // The SVG is built by @nrm/viz from numbers; every text in it is XML-escaped.
          view.innerHTML = flowsSvg(data, `Class ${unit}, ${choice.label}: flows ${flows.join(' → ')}`);
        } else {
          view.replaceChildren(el('p', 'hint', 'No flows: the relevance of these layers sums to ≈ 0 for this composite.'));
        }
        flowsKey = key;
        state.flowsDrawn = true;
      }
      state.renders += 1;
    } finally {
      x.dispose();
    }
  }

  const first = Number(params.get('digit') ?? 0);
  const start = Number.isInteger(first) && first >= 0 && first < digits.length ? first : 0;
  useInput(Float32Array.from(digits[start]!.pixels), `digit-${start}`, start);
}

/**
 * Runs `load` on the cpu backend, then switches back. Loading a model copies its weights to the
 * host with `dataSync`; tfjs's WebGPU backend reads synchronously through a canvas, which gives
 * zeros on some adapters (SwiftShader in headless Chromium), so the weights are loaded on the CPU.
 */
async function onCpu<T>(load: () => Promise<T>): Promise<T> {
  const current = tf.getBackend();
  if (current === 'cpu') return load();
  await cpuBackend.setup();
  try {
    return await load();
  } finally {
    if (!(await tf.setBackend(current))) throw new Error(`tfjs could not switch back to the ${current} backend`);
  }
}

async function main(): Promise<void> {
  setStatus('starting the backend…');
  const backend = await startBackend(params.get('backend'));
  state.backend = backend.name;
  state.backendDetail = backend.detail;
  const badge = byId('backend');
  badge.textContent = `backend: ${backend.name}`;
  badge.title = backend.detail;
  badge.classList.add(backend.name);
  const detail = el('span', 'badge-detail', backend.detail);
  detail.title = backend.detail;
  badge.insertAdjacentElement('afterend', detail);
  setStatus('loading the model…');
  const registry = createRegistry([tfjsLayers, lrp, gradientMethods, backend.plugin]);
  const { graph, digits } = await onCpu(() => loadDemo(new URL(document.baseURI)));
  explorer(graph, registry, digits);
}

main().catch((error: unknown) => {
  state.status = 'error';
  state.error = error instanceof Error ? error.message : String(error);
  setStatus(`error: ${state.error}`, true);
  console.error(error);
});
