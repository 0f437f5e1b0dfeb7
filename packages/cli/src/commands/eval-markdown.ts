/** The `nrm eval` report's numbers as Markdown tables (`--md`). */
import { bestOf, columnsOf, formatScore, randomOrderScore, type EvalReport } from './eval-report.js';
import type { RunReport } from './eval-run.js';

const cell = (text: string) => text.replace(/\|/g, '\\|');

function scoreTable(run: RunReport): string[] {
  const columns = columnsOf(run);
  const best = columns.map((c) => bestOf(run, c));
  const lines = [
    `| variant | ${columns.map((c) => `${cell(c.label)} ${c.better === 'lower' ? '↓' : c.better === 'higher' ? '↑' : ''}`.trim()).join(' | ')} | s |`,
    `|---|${columns.map(() => '---:').join('|')}|---:|`,
  ];
  for (const v of run.variants) {
    const values = columns.map((c, i) => {
      const text = formatScore(v.scores[c.key]);
      return best[i] === v.id ? `**${text}**` : text;
    });
    lines.push(`| ${cell(v.kind === 'control' ? `*${v.id}*` : v.id)} | ${values.join(' | ')} | ${v.seconds.toFixed(1)} |`);
  }
  if (run.randomOrder) lines.push(`| *random order (baseline)* | ${columns.map((c) => formatScore(randomOrderScore(run, c))).join(' | ')} | |`);
  return lines;
}

function mprtTable(run: RunReport): string[] {
  const withMprt = run.variants.filter((v) => v.mprt && v.mprt.length > 0);
  if (withMprt.length === 0) return [];
  const layers = withMprt[0]!.mprt!.map((s) => s.layer);
  return [
    '',
    'Parameter randomisation (cascading from the top): mean Spearman ρ with the original heatmap after randomising down to each layer (SSIM in brackets).',
    '',
    `| variant | ${layers.map((l) => `+${cell(l)}`).join(' | ')} |`,
    `|---|${layers.map(() => '---:').join('|')}|`,
    ...withMprt.map((v) => `| ${cell(v.id)} | ${v.mprt!.map((s) => `${formatScore(s.spearman)} (${formatScore(s.ssim)})`).join(' | ')} |`),
  ];
}

function completenessTable(run: RunReport): string[] {
  const withC = run.variants.filter((v) => v.completeness && v.completeness.length > 0);
  if (withC.length === 0) return [];
  const layers = withC[0]!.completeness!.map((l) => l.layer);
  return [
    '',
    'Conservation error per layer: mean |Σ R_l − Σ seed| / |Σ seed| at the model input, then at each recorded layer from the input side to the target.',
    '',
    `| variant | ${layers.map(cell).join(' | ')} |`,
    `|---|${layers.map(() => '---:').join('|')}|`,
    ...withC.map((v) => `| ${cell(v.id)} | ${v.completeness!.map((l) => formatScore(l.meanAbsoluteRelativeError)).join(' | ')} |`),
  ];
}

/** The Markdown tables of every run (scores, randomisation stages, conservation per layer). */
export function renderEvalMarkdown(report: EvalReport): string {
  const lines: string[] = [];
  for (const [i, run] of report.runs.entries()) {
    lines.push(`### ${i + 1}. \`${run.data}\` on \`${run.model}\``, '');
    lines.push(
      `${run.count} images ${run.inputShape.join('×')}${run.masks ? ' with ground-truth masks' : ''}; target: the ${run.target === 'label' ? 'true class' : 'predicted class'}` +
        (run.accuracy !== undefined ? `; model accuracy on them ${(100 * run.accuracy).toFixed(1)} %.` : '.'),
      '',
    );
    lines.push(...scoreTable(run), ...mprtTable(run), ...completenessTable(run), '');
  }
  lines.push(`Backend: ${report.backend}. Settings: ${Object.entries(report.settings).map(([k, v]) => `${k} ${typeof v === 'string' ? v : JSON.stringify(v)}`).join('; ')}.`, '');
  return lines.join('\n');
}
