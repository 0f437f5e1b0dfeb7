/** Small inline SVG line charts for the `nrm eval` HTML report (no dependencies). */
import { escapeXml, formatSignificant } from '@nrm/viz';

/** One line of a chart. */
export interface ChartSeries {
  readonly name: string;
  readonly color: string;
  readonly x: readonly number[];
  readonly y: readonly number[];
  /** An SVG `stroke-dasharray` (e.g. `'5,3'`); solid when absent. */
  readonly dash?: string;
}

/** What {@link lineChart} draws. */
export interface LineChartSpec {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly series: readonly ChartSeries[];
  /** Labels of the x ticks (default: 5 evenly spaced numbers). */
  readonly xTicks?: readonly { readonly value: number; readonly label: string }[];
  /** A log10 y axis (values ≤ 0 are drawn at the axis floor). */
  readonly logY?: boolean;
  readonly width?: number;
  readonly height?: number;
}

/** A colour per series, distinct enough for a dozen lines. */
export const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf', '#bcbd22', '#393b79', '#ad494a', '#637939'];

/** How controls and the random-order baseline are drawn: grey or black, dashed or dotted. */
export const CONTROL_STYLES: Readonly<Record<string, { color: string; dash: string }>> = {
  'control:random': { color: '#999999', dash: '6,3' },
  'control:edges': { color: '#000000', dash: '6,3' },
  'random order': { color: '#555555', dash: '2,3' },
};

const px = (v: number) => String(Math.round(v * 10) / 10);

function niceTicks(min: number, max: number, count = 5): number[] {
  if (!(max > min)) return [min];
  const step0 = (max - min) / count;
  const mag = 10 ** Math.floor(Math.log10(step0));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= step0) ?? step0;
  const ticks: number[] = [];
  for (let t = Math.ceil(min / step) * step; t <= max + step * 1e-9; t += step) ticks.push(Number(t.toPrecision(12)));
  return ticks;
}

/** An SVG line chart with axes, ticks, a title and a legend below the plot. */
export function lineChart(spec: LineChartSpec): string {
  const width = spec.width ?? 560;
  const longest = Math.max(0, ...spec.series.map((s) => s.name.length));
  const legendColumns = longest * 6.2 + 30 < ((spec.width ?? 560) - 76) / 2 ? 2 : 1;
  const legendRows = Math.ceil(spec.series.length / legendColumns);
  const plotHeight = (spec.height ?? 260) - 70;
  const height = plotHeight + 70 + legendRows * 16;
  const left = 60;
  const right = 16;
  const top = 28;
  const plotWidth = width - left - right;
  const ys = spec.series.flatMap((s) => [...s.y]).filter(Number.isFinite);
  const xs = spec.series.flatMap((s) => [...s.x]).filter(Number.isFinite);
  const floor = 1e-6;
  const ty = (v: number) => (spec.logY ? Math.log10(Math.max(v, floor)) : v);
  let yMin = ys.length ? Math.min(...ys.map(ty)) : 0;
  let yMax = ys.length ? Math.max(...ys.map(ty)) : 1;
  if (!spec.logY) yMin = Math.min(yMin, 0);
  if (spec.logY) {
    yMin = Math.floor(yMin);
    yMax = Math.ceil(yMax);
  }
  if (yMax <= yMin) yMax = yMin + 1;
  const xMin = xs.length ? Math.min(...xs) : 0;
  let xMax = xs.length ? Math.max(...xs) : 1;
  if (xMax <= xMin) xMax = xMin + 1;
  const sx = (v: number) => left + ((v - xMin) / (xMax - xMin)) * plotWidth;
  const sy = (v: number) => top + plotHeight - ((ty(v) - yMin) / (yMax - yMin)) * plotHeight;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`);
  out.push(`<text x="${width / 2}" y="16" text-anchor="middle" font-size="13" font-weight="bold">${escapeXml(spec.title)}</text>`);
  out.push(`<rect x="${left}" y="${top}" width="${plotWidth}" height="${plotHeight}" fill="none" stroke="#999"/>`);
  const yTicks = spec.logY ? Array.from({ length: yMax - yMin + 1 }, (_, i) => yMin + i) : niceTicks(yMin, yMax);
  for (const t of yTicks) {
    const y = top + plotHeight - ((t - yMin) / (yMax - yMin)) * plotHeight;
    out.push(`<line x1="${left}" x2="${left + plotWidth}" y1="${px(y)}" y2="${px(y)}" stroke="#eee"/>`);
    out.push(`<text x="${left - 4}" y="${px(y + 4)}" text-anchor="end">${escapeXml(spec.logY ? `1e${t}` : formatSignificant(t))}</text>`);
  }
  const xTicks = spec.xTicks ?? niceTicks(xMin, xMax).map((v) => ({ value: v, label: formatSignificant(v) }));
  for (const t of xTicks) {
    const x = sx(t.value);
    out.push(`<line x1="${px(x)}" x2="${px(x)}" y1="${top + plotHeight}" y2="${top + plotHeight + 4}" stroke="#999"/>`);
    out.push(`<text x="${px(x)}" y="${top + plotHeight + 16}" text-anchor="middle">${escapeXml(t.label)}</text>`);
  }
  out.push(`<text x="${left + plotWidth / 2}" y="${top + plotHeight + 32}" text-anchor="middle">${escapeXml(spec.xLabel)}</text>`);
  out.push(`<text x="14" y="${top + plotHeight / 2}" text-anchor="middle" transform="rotate(-90 14 ${top + plotHeight / 2})">${escapeXml(spec.yLabel)}</text>`);
  for (const s of spec.series) {
    const points = s.x.map((x, i) => [x, s.y[i]!] as const).filter(([, y]) => Number.isFinite(y));
    if (points.length === 0) continue;
    const d = points.map(([x, y], i) => `${i === 0 ? 'M' : 'L'}${px(sx(x))},${px(sy(y))}`).join(' ');
    out.push(`<path d="${d}" fill="none" stroke="${s.color}" stroke-width="1.8"${s.dash ? ` stroke-dasharray="${s.dash}"` : ''}/>`);
    if (points.length <= 12) for (const [x, y] of points) out.push(`<circle cx="${px(sx(x))}" cy="${px(sy(y))}" r="2.2" fill="${s.color}"/>`);
  }
  spec.series.forEach((s, i) => {
    const x = left + (i % legendColumns) * (plotWidth / 2);
    const y = top + plotHeight + 50 + Math.floor(i / legendColumns) * 16;
    out.push(`<line x1="${x}" x2="${x + 18}" y1="${y - 4}" y2="${y - 4}" stroke="${s.color}" stroke-width="2"${s.dash ? ` stroke-dasharray="${s.dash}"` : ''}/>`);
    out.push(`<text x="${x + 24}" y="${y}">${escapeXml(s.name)}</text>`);
  });
  out.push('</svg>');
  return out.join('');
}
