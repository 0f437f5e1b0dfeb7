/** The explorer's views: plain DOM and canvas, drawn from host data. */
import type { FlowsData } from '@nrm/measure';
import { flowDiagramSvg, formatSignificant, heatmapToRgba, imageToRgba, type FlowDiagramInput } from '@nrm/viz';
import type { ChannelChoice, Prediction } from './analysis.js';

/** Creates an element with a class and optional text. */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, className = '', text = ''): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text) node.textContent = text;
  return node;
}

function putRgba(canvas: HTMLCanvasElement, rgba: Uint8ClampedArray, width: number, height: number): void {
  canvas.width = width;
  canvas.height = height;
  const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
  ctx.putImageData(new ImageData(new Uint8ClampedArray(rgba), width, height), 0, 0);
}

/** Draws a grey image in [0, 1] (1 = white ink on black) at its own resolution. */
export function drawGrey(canvas: HTMLCanvasElement, pixels: ArrayLike<number>, size: number): void {
  putRgba(canvas, imageToRgba(Float32Array.from(pixels), [size, size, 1], { vmin: 0, vmax: 1 }), size, size);
}

/**
 * Draws a relevance map with the `bwr` colormap on a symmetric scale (white = 0, full red =
 * `+max|R|`, full blue = `−max|R|`) and returns the RGBA bytes read back from the canvas.
 */
export function drawHeatmap(canvas: HTMLCanvasElement, values: Float32Array, size: number): Uint8ClampedArray {
  const finite = values.every((v) => Number.isFinite(v));
  const rgba = finite ? heatmapToRgba(values, size, size, { cmap: 'bwr' }) : new Uint8ClampedArray(size * size * 4).fill(128);
  putRgba(canvas, rgba, size, size);
  return canvas.getContext('2d', { willReadFrequently: true })!.getImageData(0, 0, size, size).data;
}

/** A horizontal `bwr` colour bar from −1 to 1. */
export function drawColorbar(canvas: HTMLCanvasElement, width = 256): void {
  const values = Float32Array.from({ length: width }, (_, i) => -1 + (2 * i) / (width - 1));
  putRgba(canvas, heatmapToRgba(values, 1, width, { cmap: 'bwr', vmax: 1 }), width, 1);
}

/** The class probabilities as bars; clicking a class makes it the explanation's target. */
export function renderPrediction(root: HTMLElement, prediction: Prediction, target: number, onTarget: (unit: number) => void): void {
  root.replaceChildren();
  prediction.probabilities.forEach((p, unit) => {
    const row = el('button', `class-row${unit === prediction.predicted ? ' predicted' : ''}${unit === target ? ' target' : ''}`);
    row.type = 'button';
    row.dataset['class'] = String(unit);
    row.title = `logit ${prediction.logits[unit]!.toFixed(3)}; click to explain class ${unit}`;
    const bar = el('span', 'bar');
    bar.style.width = `${(100 * p).toFixed(1)}%`;
    row.append(el('span', 'class-label', String(unit)), el('span', 'bar-track'), el('span', 'class-p', `${(100 * p).toFixed(1)} %`));
    row.children[1]!.append(bar);
    row.addEventListener('click', () => onTarget(unit));
    root.append(row);
  });
}

/**
 * One row of channel bars per layer: the bar of channel c is `μ(c@layer)`, its share of the
 * layer's relevance (red ≥ 0, blue < 0; heights scaled per layer). Clicking a bar conditions the
 * heatmap on that channel; clicking it again removes the condition.
 */
export function renderChannels(
  root: HTMLElement,
  channels: Record<string, number[]>,
  selected: ChannelChoice | null,
  onPick: (choice: ChannelChoice | null) => void,
): void {
  root.replaceChildren();
  for (const [layer, values] of Object.entries(channels)) {
    const section = el('div', 'layer');
    const finite = values.every((v) => Number.isFinite(v));
    section.append(el('div', 'layer-name', `${layer} · ${values.length} channels${finite ? '' : ' · relevance sums to ≈ 0 here'}`));
    const bars = el('div', 'channel-bars');
    const scale = Math.max(1e-12, ...values.map((v) => (Number.isFinite(v) ? Math.abs(v) : 0)));
    values.forEach((value, channel) => {
      const isSelected = selected?.layer === layer && selected.channel === channel;
      const button = el('button', `channel${isSelected ? ' selected' : ''}`);
      button.type = 'button';
      button.dataset['layer'] = layer;
      button.dataset['channel'] = String(channel);
      button.title = `${layer} c${channel}: μ = ${Number.isFinite(value) ? formatSignificant(value) : 'n/a'} — click to condition the heatmap on it`;
      const bar = el('span', `channel-bar ${value < 0 ? 'negative' : 'positive'}`);
      bar.style.height = `${Number.isFinite(value) ? Math.max(2, (100 * Math.abs(value)) / scale) : 0}%`;
      const well = el('span', 'channel-well');
      well.append(bar);
      button.append(well, el('span', 'channel-index', String(channel)));
      button.addEventListener('click', () => onPick(isSelected ? null : { layer, channel }));
      bars.append(button);
    });
    section.append(bars);
    root.append(section);
  }
}

/** The measure's flows as `@nrm/viz`'s flow diagram (sample 0), top walks outlined. */
export function flowsSvg(data: FlowsData, title: string): string {
  const marginals = new Map<string, number[]>();
  for (const p of data.pairs) {
    marginals.set(p.lower, p.lowerMarginal[0]!);
    marginals.set(p.upper, p.upperMarginal[0]!);
  }
  const input: FlowDiagramInput = {
    title,
    layers: data.layers.map((name) => ({ name, channels: (marginals.get(name) ?? []).map((value, index) => ({ index, value })) })),
    flows: data.pairs.flatMap((p) => p.J[0]!.flatMap((row, from) => row.map((value, to) => ({ lower: p.lower, upper: p.upper, from, to, value })))),
    walks: (data.walks[0] ?? []).map((w) => ({ channels: [...w.channels], value: w.joint })),
  };
  return flowDiagramSvg(input, { maxChannelsPerLayer: 8, minShare: 0.03 });
}
