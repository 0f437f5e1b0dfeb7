/**
 * The `nrm eval` HTML report: one self-contained file with, per run, the score table, the
 * perturbation, randomisation and conservation curves as inline SVG, and example heatmaps side
 * by side as inline PNGs.
 */
import { encodePng, escapeXml, heatmapToRgba, imageToRgba } from '@nrm/viz';
import { CONTROL_STYLES, lineChart, PALETTE, type ChartSeries } from './eval-chart.js';
import { bestOf, columnsOf, formatScore, randomOrderScore, type EvalReport } from './eval-report.js';
import type { CurveReport, RunExamples, RunReport } from './eval-run.js';

function pngDataUrl(rgba: Uint8ClampedArray, width: number, height: number, scale: number): string {
  return `data:image/png;base64,${Buffer.from(encodePng(rgba, width, height, { scale })).toString('base64')}`;
}

function finite(values: Float32Array): Float32Array {
  return values.map((v) => (Number.isFinite(v) ? v : 0));
}

function table(run: RunReport): string {
  const columns = columnsOf(run);
  const head = columns.map((c) => `<th title="${escapeXml(c.description)}">${escapeXml(c.label)}<br><small>${c.better === 'lower' ? '↓ better' : c.better === 'higher' ? '↑ better' : ''}</small></th>`);
  const best = columns.map((c) => bestOf(run, c));
  const body = run.variants.map((v) => {
    const cells = columns.map((c, i) => {
      const text = escapeXml(formatScore(v.scores[c.key]));
      return `<td${best[i] === v.id ? ' class="best"' : ''}>${text}</td>`;
    });
    return `<tr${v.kind === 'control' ? ' class="control"' : ''}><th>${escapeXml(v.id)}</th>${cells.join('')}<td>${v.seconds.toFixed(1)}</td></tr>`;
  });
  if (run.randomOrder) {
    const cells = columns.map((c) => `<td>${escapeXml(formatScore(randomOrderScore(run, c)))}</td>`);
    body.push(`<tr class="control"><th>random order (baseline)</th>${cells.join('')}<td></td></tr>`);
  }
  return `<table><thead><tr><th>variant</th>${head.join('')}<th>seconds</th></tr></thead><tbody>${body.join('')}</tbody></table>`;
}

/** The colour (and dash, for controls) of the `i`-th variant's lines. */
function styleOf(id: string, i: number): { color: string; dash?: string } {
  return CONTROL_STYLES[id] ?? { color: PALETTE[i % PALETTE.length]! };
}

function curveCharts(run: RunReport): string[] {
  const keys = [...new Set((run.randomOrder ?? run.variants.flatMap((v) => v.perturbation ?? [])).map((c) => `${c.metric}\u0000${c.replacement}`))];
  return keys.flatMap((key) => {
    const [metric, replacement] = key.split('\u0000') as [string, string];
    const same = (c: CurveReport) => c.metric === metric && c.replacement === replacement;
    const series: ChartSeries[] = [];
    run.variants.forEach((v, i) => {
      const c = v.perturbation?.find(same);
      if (c) series.push({ name: `${v.id} (AUC ${formatScore(c.meanAuc)})`, ...styleOf(v.id, i), x: c.fractions, y: c.meanCurve });
    });
    const baseline = run.randomOrder?.find(same);
    if (baseline) series.push({ name: `random order (AUC ${formatScore(baseline.meanAuc)})`, ...styleOf('random order', 0), x: baseline.fractions, y: baseline.meanCurve });
    if (series.length === 0) return [];
    const title = `${metric === 'pixel-flipping' ? 'Pixel flipping' : 'Region perturbation'}, removed pixels → ${replacement}`;
    return [lineChart({ title, xLabel: 'fraction removed, most relevant first', yLabel: 'target output (mean)', series })];
  });
}

function mprtChart(run: RunReport, key: 'spearman' | 'ssim'): string {
  const withMprt = run.variants.filter((v) => v.mprt && v.mprt.length > 0);
  if (withMprt.length === 0) return '';
  const layers = withMprt[0]!.mprt!.map((s) => s.layer);
  const series = run.variants.flatMap((v, i) =>
    v.mprt ? [{ name: v.id, ...styleOf(v.id, i), x: [0, ...v.mprt.map((_, k) => k + 1)], y: [1, ...v.mprt.map((s) => s[key])] }] : [],
  );
  return lineChart({
    title: `Parameter randomisation: ${key === 'spearman' ? 'Spearman ρ' : 'SSIM'} with the original heatmap`,
    xLabel: 'layers randomised, from the top (cascading)',
    yLabel: key === 'spearman' ? 'rank correlation' : 'SSIM',
    series,
    xTicks: [{ value: 0, label: 'none' }, ...layers.map((l, k) => ({ value: k + 1, label: `+${l}` }))],
  });
}

function completenessChart(run: RunReport): string {
  const withC = run.variants.filter((v) => v.completeness && v.completeness.length > 0);
  if (withC.length === 0) return '';
  const layers = withC[0]!.completeness!.map((l) => l.layer);
  const series = run.variants.flatMap((v, i) =>
    v.completeness ? [{ name: v.id, ...styleOf(v.id, i), x: v.completeness.map((_, k) => k), y: v.completeness.map((l) => l.meanAbsoluteRelativeError) }] : [],
  );
  return lineChart({
    title: 'Conservation error per layer (mean |Σ R_l − Σ seed| / |Σ seed|)',
    xLabel: 'layer (model input first, target layer last)',
    yLabel: 'relative error (log)',
    series,
    logY: true,
    xTicks: layers.map((l, k) => ({ value: k, label: l })),
    width: Math.max(560, 70 * layers.length),
  });
}

function examplesGrid(run: RunReport, examples: RunExamples): string {
  const { height: h, width: w, channels: c } = examples;
  const scale = Math.max(1, Math.floor(84 / Math.max(h, w)));
  const ids = run.variants.map((v) => v.id);
  const header = `<tr><th>image</th>${ids.map((id) => `<th>${escapeXml(id)}</th>`).join('')}</tr>`;
  const rows = examples.images.map((image, i) => {
    const input = imageToRgba(finite(image), [h, w, c === 3 ? 3 : 1]);
    const cells = ids.map((id) => {
      const map = examples.heatmaps[id]?.[i];
      return map ? `<td><img src="${pngDataUrl(heatmapToRgba(finite(map), h, w, { cmap: 'bwr' }), w, h, scale)}" alt=""></td>` : '<td></td>';
    });
    return `<tr><td><img src="${pngDataUrl(input, w, h, scale)}" alt=""><br><small>${escapeXml(examples.names[i] ?? '')}</small></td>${cells.join('')}</tr>`;
  });
  if (Object.keys(examples.randomised).length > 0 && examples.images.length > 0) {
    const cells = ids.map((id) => {
      const map = examples.randomised[id];
      return map ? `<td><img src="${pngDataUrl(heatmapToRgba(finite(map), h, w, { cmap: 'bwr' }), w, h, scale)}" alt=""></td>` : '<td></td>';
    });
    rows.push(`<tr><td><small>${escapeXml(examples.names[0] ?? '')},<br>every layer randomised</small></td>${cells.join('')}</tr>`);
  }
  return `<table class="examples">${header}${rows.join('')}</table>`;
}

function runSection(run: RunReport, examples: RunExamples | undefined, index: number): string {
  const facts = [
    `model <code>${escapeXml(run.model)}</code>`,
    `data <code>${escapeXml(run.data)}</code> (${run.count} images ${run.inputShape.join('×')}${run.masks ? ', with ground-truth masks' : ''})`,
    `target: the ${run.target === 'label' ? 'true class' : 'predicted class'} at <code>${escapeXml(run.outputLayer)}</code>`,
    ...(run.accuracy !== undefined ? [`model accuracy on these images: ${(100 * run.accuracy).toFixed(1)} %`] : []),
  ];
  const charts = [
    ...curveCharts(run),
    mprtChart(run, 'spearman'),
    mprtChart(run, 'ssim'),
    completenessChart(run),
  ].filter((s) => s.length > 0);
  return `<section>
<h2>${index + 1}. ${escapeXml(run.data)} on ${escapeXml(run.model)}</h2>
<ul>${facts.map((f) => `<li>${f}</li>`).join('')}</ul>
<h3>Scores (means over the images)</h3>
${table(run)}
<h3>Curves</h3>
<div class="charts">${charts.map((s) => `<div>${s}</div>`).join('')}</div>
${examples ? `<h3>Example heatmaps</h3><p>Red: relevance for the target, blue: against (each map scaled to its own max |R|).</p>${examplesGrid(run, examples)}` : ''}
</section>`;
}

/** The complete HTML page. */
export function renderEvalHtml(report: EvalReport, examples: readonly (RunExamples | undefined)[]): string {
  const settings = Object.entries(report.settings)
    .map(([k, v]) => `<code>${escapeXml(k)}</code> ${escapeXml(typeof v === 'string' ? v : JSON.stringify(v))}`)
    .join(' · ');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>nrm eval report</title>
<style>
body { font-family: sans-serif; margin: 24px; color: #222; max-width: 1400px; }
table { border-collapse: collapse; margin: 8px 0 16px; }
th, td { border: 1px solid #ccc; padding: 3px 7px; text-align: right; font-size: 13px; }
thead th, tr > th:first-child { text-align: left; background: #f4f4f4; }
td.best { font-weight: bold; background: #e6f4e6; }
tr.control th, tr.control td { color: #666; font-style: italic; }
table.examples td, table.examples th { text-align: center; vertical-align: top; font-size: 11px; }
table.examples img { image-rendering: pixelated; display: block; margin: auto; }
.charts { display: flex; flex-wrap: wrap; gap: 12px; }
code { background: #f4f4f4; padding: 0 3px; }
</style>
</head>
<body>
<h1>Explanation quality: nrm eval</h1>
<p>Backend <code>${escapeXml(report.backend)}</code>. Settings: ${settings}.</p>
<p>Best value per column among the explanation methods in green (controls excluded). Controls are heatmaps that ignore the model:
<code>control:random</code> (seeded noise, chance level) and <code>control:edges</code> (a Sobel edge detector, which the randomisation test must flag).</p>
${report.runs.map((run, i) => runSection(run, examples[i], i)).join('\n')}
</body>
</html>
`;
}
