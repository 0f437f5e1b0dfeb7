/**
 * Relevance-flow diagrams: a layered (Sankey- or alluvial-like) SVG of how relevance flows
 * between the channels of consecutive analysed layers.
 *
 * Layers are columns from the input side (left) to the output side (right); each kept channel is
 * a box labelled with its index and value, sorted by value (highest on top); each flow
 * `J[a, b]` between channel `a` of one layer and channel `b` of the next is a cubic Bézier ribbon
 * whose width is proportional to `|J|` and whose colour gives its sign. Top walks (one channel per
 * layer) are drawn on top as outlined lines in their own colours.
 */
import { assertInteger } from './validate.js';

/** One channel of a {@link FlowLayer}. */
export interface FlowChannel {
  /** Channel index in the layer's output (shown as `c<index>`). */
  readonly index: number;
  /** Normalised marginal relevance of the channel; may be negative. */
  readonly value: number;
}

/** One analysed layer: a column of the diagram. */
export interface FlowLayer {
  /** Layer name, shown as the column header; must be unique within the diagram. */
  readonly name: string;
  /** The layer's channels, in any order (they are drawn sorted by value, descending). */
  readonly channels: readonly FlowChannel[];
}

/** One flow `J[from, to]` from channel `from` of layer `lower` to channel `to` of layer `upper`. */
export interface ChannelFlow {
  /** Name of the lower layer (nearer the input). */
  readonly lower: string;
  /** Name of the upper layer; must be the layer right after `lower` in {@link FlowDiagramInput.layers}. */
  readonly upper: string;
  /** Channel index in `lower`. */
  readonly from: number;
  /** Channel index in `upper`. */
  readonly to: number;
  /** Signed flow; the ribbon width is proportional to its absolute value. */
  readonly value: number;
}

/** A walk through the layers to highlight: one channel per layer. */
export interface FlowWalk {
  /** One channel index per layer, in the order of {@link FlowDiagramInput.layers} (bottom to top). */
  readonly channels: readonly number[];
  /** The walk's value, shown in its legend entry. */
  readonly value: number;
}

/** What {@link flowDiagramSvg} draws. */
export interface FlowDiagramInput {
  /** Layers from the bottom (near the input) to the top (near the output). */
  readonly layers: readonly FlowLayer[];
  /** Flows between channels of consecutive layers. */
  readonly flows: readonly ChannelFlow[];
  /** Walks to highlight, e.g. the top walks by value; the first is `#1`. */
  readonly walks?: readonly FlowWalk[];
  /** Title above the diagram. */
  readonly title?: string;
}

/** Options of {@link flowDiagramSvg}. */
export interface FlowDiagramOptions {
  /**
   * Width of the SVG in pixels. Default: enough for the columns, the labels and the legend. A
   * given width spreads the columns over it (never closer than 60 pixels apart).
   */
  readonly width?: number;
  /**
   * Height of the SVG in pixels. Default: from the largest number of channels in a layer (38
   * pixels a channel) plus header, legend and footnote. A given height stretches or squeezes
   * the channel rows to fit.
   */
  readonly height?: number;
  /**
   * Channels kept per layer: the top N by `|value|`; the rest, and the flows and walk segments
   * that touch them, are hidden and counted in a footnote. Default 12.
   */
  readonly maxChannelsPerLayer?: number;
  /**
   * Hides flows with `|J|` below this fraction of the largest `|J|` among the flows between kept
   * channels (counted in the footnote). In [0, 1]; default 0 (flows of exactly 0 are never drawn).
   */
  readonly minShare?: number;
  /** Ribbon width in pixels of the largest `|J|`. Default: 60 % of the channel box height. */
  readonly maxFlowWidth?: number;
  /** Smallest ribbon width in pixels, so that small flows stay visible. Default 1. */
  readonly minFlowWidth?: number;
}

/** Red for positive values (flows and channels). */
export const FLOW_POSITIVE_COLOR = '#d62728';
/** Blue for negative values (flows and channels). */
export const FLOW_NEGATIVE_COLOR = '#1f5fbf';
/** Colours of highlighted walks #1, #2, …, repeating after the last. */
export const FLOW_WALK_COLORS: readonly string[] = ['#1a9850', '#8e44ad', '#e6a100', '#00a3a3', '#7f4f24', '#444444'];

const FONT = 12;
const MARGIN = 24;
const NODE_H = 26;
const ROW_PITCH = 38;
const TITLE_H = 34;
const HEADER_H = 42;
const LINE_H = 18;
const LEGEND_NOTES = [
  'Columns: layers from the input side (left) to the output side (right).',
  'Boxes: c<channel> and its relevance, tinted by sign and size; highest value on top.',
];

/**
 * Formats `v` with at most 3 significant digits and no trailing zeros (`0.21`, `-1.5`, `1.23e-7`);
 * `-0` is `0`.
 */
export function formatSignificant(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (v === 0) return '0';
  return String(Number(v.toPrecision(3)));
}

/** Escapes `& < > " '` for SVG/XML text and attribute values. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) =>
    c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '"' ? '&quot;' : '&apos;',
  );
}

/** A coordinate rounded to 2 decimals, as a short string. */
const px = (v: number): string => String(Math.round(v * 100) / 100 + 0);

/** Opacity in [0.2, 0.9] for a share in [0, 1]. */
const opacityFor = (share: number): string => String(Math.round((0.2 + 0.7 * share) * 1000) / 1000);

const textWidth = (s: string, size = FONT): number => s.length * 0.62 * size;

interface NodeBox {
  readonly layer: number;
  readonly rank: number;
  readonly index: number;
  readonly value: number;
  readonly x: number;
  readonly y: number;
}

interface DrawnFlow {
  readonly flow: ChannelFlow;
  readonly layer: number; // index of the lower layer
  readonly a: NodeBox;
  readonly b: NodeBox;
  readonly abs: number;
  readonly order: number;
}

function assertFiniteNumber(name: string, v: number): void {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`${name} must be a finite number, got ${String(v)}.`);
}

/**
 * Draws relevance flows between the channels of consecutive layers as a standalone SVG document
 * (with `xmlns` and `viewBox`, no external fonts, images or scripts). The output depends only on
 * the arguments, so the same input gives the same string.
 *
 * Layout: layers are columns from the input side (left) to the output side (right), with the
 * layer name as column header. Each kept channel is a box labelled `c<index> <value>`, tinted
 * red (positive) or blue (negative) by its value, and the boxes of a layer are sorted by value,
 * highest on top. Each flow is a cubic Bézier ribbon from the right edge of its lower channel to
 * the left edge of its upper channel; its width is proportional to `|J|` (the largest `|J|` gets
 * `maxFlowWidth`, none is thinner than `minFlowWidth`), its colour gives the sign (red positive,
 * blue negative) and its opacity grows with `|J|`. Larger flows are drawn over smaller ones, and
 * each ribbon carries a `<title>` tooltip with its exact value. Highlighted walks are drawn last as
 * outlined lines in distinct colours, with legend entries `top walk #k: value`. Below the diagram
 * a legend explains widths and colours, and a footnote counts what was hidden.
 *
 * Numbers are shown with 3 significant digits. Element classes (`node`, `flow`, `walk`,
 * `flow-pos`, `flow-neg`, `layer-header`, `legend`, `footnote`) make the parts easy to select.
 *
 * @throws Error if a layer name is repeated, a channel index repeats within a layer, a value is
 *   not finite, a flow names an unknown layer or two layers that are not consecutive, a walk does
 *   not have one channel per layer, or an option is out of range.
 */
export function flowDiagramSvg(input: FlowDiagramInput, options: FlowDiagramOptions = {}): string {
  const { maxChannelsPerLayer = 12, minShare = 0, minFlowWidth = 1 } = options;
  assertInteger('maxChannelsPerLayer', maxChannelsPerLayer);
  if (!(minShare >= 0 && minShare <= 1)) throw new Error(`minShare must be in [0, 1], got ${String(minShare)}.`);
  if (!(minFlowWidth >= 0 && Number.isFinite(minFlowWidth))) {
    throw new Error(`minFlowWidth must be a finite number ≥ 0, got ${String(minFlowWidth)}.`);
  }
  for (const key of ['width', 'height', 'maxFlowWidth'] as const) {
    const v = options[key];
    if (v !== undefined && !(Number.isFinite(v) && v > 0)) throw new Error(`${key} must be a finite number > 0, got ${String(v)}.`);
  }

  const { layers, flows } = input;
  const walks = input.walks ?? [];
  if (layers.length === 0) throw new Error('flowDiagramSvg needs at least one layer.');

  // ---- validate and pick the channels to show -------------------------------------------------
  const layerIndex = new Map<string, number>();
  layers.forEach((layer, l) => {
    if (layerIndex.has(layer.name)) throw new Error(`Layer name "${layer.name}" appears more than once.`);
    layerIndex.set(layer.name, l);
    const seen = new Set<number>();
    for (const ch of layer.channels) {
      assertFiniteNumber(`Layer "${layer.name}" channel ${String(ch.index)} value`, ch.value);
      if (seen.has(ch.index)) throw new Error(`Layer "${layer.name}" lists channel ${ch.index} more than once.`);
      seen.add(ch.index);
    }
  });
  flows.forEach((f, i) => {
    const lo = layerIndex.get(f.lower);
    const up = layerIndex.get(f.upper);
    if (lo === undefined) throw new Error(`flows[${i}].lower names an unknown layer "${f.lower}".`);
    if (up === undefined) throw new Error(`flows[${i}].upper names an unknown layer "${f.upper}".`);
    if (up !== lo + 1) {
      throw new Error(`flows[${i}] goes from "${f.lower}" to "${f.upper}", which are not consecutive layers (lower then upper).`);
    }
    assertFiniteNumber(`flows[${i}].value`, f.value);
  });
  walks.forEach((w, k) => {
    if (w.channels.length !== layers.length) {
      throw new Error(`walks[${k}] has ${w.channels.length} channels but there are ${layers.length} layers (one channel per layer).`);
    }
    assertFiniteNumber(`walks[${k}].value`, w.value);
  });

  const kept = layers.map((layer) => {
    const byAbs = layer.channels
      .map((c, i) => ({ c, i }))
      .sort((p, q) => Math.abs(q.c.value) - Math.abs(p.c.value) || p.i - q.i)
      .slice(0, maxChannelsPerLayer)
      .map((p) => p.c);
    return byAbs.sort((p, q) => q.value - p.value || p.index - q.index);
  });
  const maxRows = Math.max(1, ...kept.map((k) => k.length));
  const maxAbsValue = Math.max(0, ...kept.flat().map((c) => Math.abs(c.value)));

  // ---- geometry ------------------------------------------------------------------------------
  const labels = kept.map((k) => k.map((c) => `c${c.index} ${formatSignificant(c.value)}`));
  const nodeW = Math.ceil(Math.max(64, ...labels.flat().map((s) => textWidth(s) + 16)));
  const headerTexts = layers.map((layer, l) => ({
    name: layer.name,
    sub: `${kept[l]?.length ?? 0} of ${layer.channels.length} channels`,
  }));
  const headerW = Math.max(...headerTexts.map((h) => Math.max(textWidth(h.name, 13), textWidth(h.sub, 11))));
  const colW = Math.max(nodeW, Math.ceil(headerW));
  const nLayers = layers.length;

  const walkEntries = walks.map((w, k) => {
    const chain = w.channels.map((c) => `c${c}`).join(' → ');
    const hidden = w.channels.some((c, l) => !kept[l]?.some((ch) => ch.index === c));
    return `top walk #${k + 1}: ${formatSignificant(w.value)} (${chain})${hidden ? ', partly hidden' : ''}`;
  });

  // Rows: node pitch from the height option, or the default pitch.
  const titleH = input.title !== undefined && input.title.length > 0 ? TITLE_H : 0;
  const legendLines = 2 + LEGEND_NOTES.length + walkEntries.length; // width samples, colours, notes, walks
  const legendH = 16 + legendLines * LINE_H;

  // Flow selection needs positions only for ordering, so count hidden flows first.
  const keptSets = kept.map((k) => new Map(k.map((c, rank) => [c.index, rank])));
  let hiddenByChannel = 0;
  const candidates: { flow: ChannelFlow; layer: number; ra: number; rb: number; order: number }[] = [];
  flows.forEach((flow, order) => {
    const l = layerIndex.get(flow.lower) as number;
    const ra = keptSets[l]?.get(flow.from);
    const rb = keptSets[l + 1]?.get(flow.to);
    if (ra === undefined || rb === undefined) {
      hiddenByChannel++;
      return;
    }
    candidates.push({ flow, layer: l, ra, rb, order });
  });
  const maxAbsJ = Math.max(0, ...candidates.map((c) => Math.abs(c.flow.value)));
  const threshold = minShare * maxAbsJ;
  const shown = candidates.filter((c) => Math.abs(c.flow.value) > 0 && Math.abs(c.flow.value) >= threshold);
  const hiddenBySize = candidates.length - shown.length;

  const hiddenChannels = layers
    .map((layer, l) => ({ name: layer.name, hidden: layer.channels.length - (kept[l]?.length ?? 0), total: layer.channels.length }))
    .filter((h) => h.hidden > 0);
  const footnotes: string[] = [];
  if (hiddenChannels.length > 0) {
    const parts = hiddenChannels.map((h) => `${h.hidden} of ${h.total} in ${h.name}`);
    footnotes.push(
      `Hidden channels (smallest |value|, keeping the top ${maxChannelsPerLayer} per layer): ${parts.join(', ')}; ` +
        `${hiddenByChannel} flow${hiddenByChannel === 1 ? '' : 's'} touching them not drawn.`,
    );
  } else if (hiddenByChannel > 0) {
    footnotes.push(`${hiddenByChannel} flow${hiddenByChannel === 1 ? '' : 's'} between channels not listed in their layer not drawn.`);
  }
  if (hiddenBySize > 0) {
    footnotes.push(
      minShare > 0
        ? `${hiddenBySize} flow${hiddenBySize === 1 ? '' : 's'} with |J| below ${formatSignificant(minShare * 100)} % of the largest (${formatSignificant(threshold)}) not drawn.`
        : `${hiddenBySize} flow${hiddenBySize === 1 ? '' : 's'} of exactly 0 not drawn.`,
    );
  }
  const footH = footnotes.length > 0 ? 8 + footnotes.length * LINE_H : 0;

  const top = MARGIN + titleH + HEADER_H;
  let pitch = ROW_PITCH;
  let nodeH = NODE_H;
  if (options.height !== undefined) {
    const avail = options.height - top - 20 - legendH - footH - MARGIN;
    pitch = Math.max(4, avail / maxRows);
    nodeH = Math.min(NODE_H, pitch * 0.7);
  }
  const diagramH = maxRows * pitch - (pitch - nodeH);
  const legendTop = top + diagramH + 24;
  const height = options.height ?? Math.ceil(legendTop + legendH + footH + MARGIN - 8);

  const legendTextW = Math.max(
    460,
    ...walkEntries.map((s) => 56 + textWidth(s)),
    ...LEGEND_NOTES.map((s) => textWidth(s)),
    ...footnotes.map((s) => textWidth(s, 11)),
    input.title !== undefined ? textWidth(input.title, 16) : 0,
  );
  const minGap = 60;
  const defaultGap = nLayers > 1 ? Math.max(220, (legendTextW - nLayers * colW) / (nLayers - 1)) : 0;
  let width: number;
  let gap: number;
  if (options.width !== undefined) {
    width = options.width;
    gap = nLayers > 1 ? Math.max(minGap, (width - 2 * MARGIN - nLayers * colW) / (nLayers - 1)) : 0;
  } else {
    gap = defaultGap;
    width = Math.ceil(Math.max(2 * MARGIN + nLayers * colW + (nLayers - 1) * gap, 2 * MARGIN + legendTextW));
  }
  const diagramW = nLayers * colW + (nLayers - 1) * gap;
  const left = Math.max(MARGIN, (width - diagramW) / 2);
  const colX = (l: number): number => left + l * (colW + gap) + (colW - nodeW) / 2;

  const nodes: NodeBox[][] = kept.map((k, l) =>
    k.map((c, rank) => ({ layer: l, rank, index: c.index, value: c.value, x: colX(l), y: top + rank * pitch })),
  );
  const nodeAt = (l: number, rank: number): NodeBox => (nodes[l] as NodeBox[])[rank] as NodeBox;

  const drawn: DrawnFlow[] = shown.map((c) => ({
    flow: c.flow,
    layer: c.layer,
    a: nodeAt(c.layer, c.ra),
    b: nodeAt(c.layer + 1, c.rb),
    abs: Math.abs(c.flow.value),
    order: c.order,
  }));

  // Attachment points: spread the ribbons of a node along its edge, ordered by the other end's
  // row, so that ribbons leave and enter without crossing at the node.
  const outAttach = new Map<DrawnFlow, number>();
  const inAttach = new Map<DrawnFlow, number>();
  const spread = (list: DrawnFlow[], node: NodeBox, other: (f: DrawnFlow) => NodeBox, into: Map<DrawnFlow, number>): void => {
    list.sort((p, q) => other(p).rank - other(q).rank || p.order - q.order);
    const inner = nodeH * 0.8;
    list.forEach((f, i) => into.set(f, node.y + (nodeH - inner) / 2 + (inner * (i + 0.5)) / list.length));
  };
  for (const row of nodes) {
    for (const node of row) {
      spread(drawn.filter((f) => f.a === node), node, (f) => f.b, outAttach);
      spread(drawn.filter((f) => f.b === node), node, (f) => f.a, inAttach);
    }
  }

  const maxFlowWidth = options.maxFlowWidth ?? Math.max(2, nodeH * 0.6);
  const widthFor = (abs: number): number => (maxAbsJ > 0 ? Math.max(minFlowWidth, (maxFlowWidth * abs) / maxAbsJ) : minFlowWidth);
  const ribbon = (x0: number, y0: number, x1: number, y1: number): string => {
    const dx = (x1 - x0) / 2;
    return `M${px(x0)} ${px(y0)}C${px(x0 + dx)} ${px(y0)} ${px(x1 - dx)} ${px(y1)} ${px(x1)} ${px(y1)}`;
  };

  // ---- SVG -----------------------------------------------------------------------------------
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${px(width)}" height="${px(height)}" viewBox="0 0 ${px(width)} ${px(height)}" ` +
      `font-family="sans-serif" font-size="${FONT}">`,
  );
  out.push(`<rect class="background" x="0" y="0" width="${px(width)}" height="${px(height)}" fill="#ffffff"/>`);
  if (titleH > 0) {
    out.push(
      `<text class="title" x="${px(width / 2)}" y="${px(MARGIN + 16)}" text-anchor="middle" font-size="16" font-weight="bold" fill="#222222">${escapeXml(input.title as string)}</text>`,
    );
  }

  // Column headers.
  layers.forEach((layer, l) => {
    const cx = colX(l) + nodeW / 2;
    const y = MARGIN + titleH;
    out.push(
      `<text class="layer-header" x="${px(cx)}" y="${px(y + 14)}" text-anchor="middle" font-size="13" font-weight="bold" fill="#222222">${escapeXml(layer.name)}</text>`,
    );
    out.push(
      `<text class="layer-sub" x="${px(cx)}" y="${px(y + 30)}" text-anchor="middle" font-size="11" fill="#666666">${escapeXml(headerTexts[l]?.sub ?? '')}</text>`,
    );
  });
  // Ribbons: smaller first, so the large ones lie on top.
  const order = [...drawn].sort((p, q) => p.abs - q.abs || p.order - q.order);
  out.push('<g class="flows" fill="none" stroke-linecap="butt">');
  for (const f of order) {
    const positive = f.flow.value > 0;
    const share = maxAbsJ > 0 ? f.abs / maxAbsJ : 0;
    const d = ribbon(f.a.x + nodeW, outAttach.get(f) as number, f.b.x, inAttach.get(f) as number);
    const tip = `${layers[f.layer]?.name} c${f.flow.from} → ${layers[f.layer + 1]?.name} c${f.flow.to}: J = ${formatSignificant(f.flow.value)}`;
    out.push(
      `<path class="flow ${positive ? 'flow-pos' : 'flow-neg'}" d="${d}" stroke="${positive ? FLOW_POSITIVE_COLOR : FLOW_NEGATIVE_COLOR}" ` +
        `stroke-width="${px(widthFor(f.abs))}" stroke-opacity="${opacityFor(share)}"><title>${escapeXml(tip)}</title></path>`,
    );
  }
  out.push('</g>');

  // Nodes.
  out.push('<g class="nodes">');
  nodes.forEach((row, l) =>
    row.forEach((n) => {
      const share = maxAbsValue > 0 ? Math.abs(n.value) / maxAbsValue : 0;
      const color = n.value > 0 ? FLOW_POSITIVE_COLOR : n.value < 0 ? FLOW_NEGATIVE_COLOR : '#888888';
      const fillOpacity = Math.round((0.08 + 0.37 * share) * 1000) / 1000;
      const label = labels[l]?.[n.rank] ?? '';
      out.push(
        `<g class="node" data-layer="${escapeXml(layers[l]?.name ?? '')}" data-channel="${n.index}">` +
          `<rect x="${px(n.x)}" y="${px(n.y)}" width="${px(nodeW)}" height="${px(nodeH)}" rx="4" fill="#ffffff" stroke="none"/>` +
          `<rect x="${px(n.x)}" y="${px(n.y)}" width="${px(nodeW)}" height="${px(nodeH)}" rx="4" fill="${color}" fill-opacity="${fillOpacity}" stroke="${color}" stroke-width="1.2"/>` +
          `<text x="${px(n.x + nodeW / 2)}" y="${px(n.y + nodeH / 2 + FONT * 0.35)}" text-anchor="middle" fill="#111111"${nodeH < 14 ? ` font-size="${px(Math.max(6, nodeH * 0.8))}"` : ''}>${escapeXml(label)}</text>` +
          `<title>${escapeXml(`${layers[l]?.name} channel ${n.index}: ${formatSignificant(n.value)}`)}</title></g>`,
      );
    }),
  );
  out.push('</g>');

  // Walks: outlined lines between node edges, offset per walk so shared segments stay apart.
  const walkColor = (k: number): string => FLOW_WALK_COLORS[k % FLOW_WALK_COLORS.length] as string;
  if (walks.length > 0) {
    out.push('<g class="walks" fill="none" stroke-linecap="round" stroke-linejoin="round">');
    walks.forEach((w, k) => {
      const offset = walks.length > 1 ? (k - (walks.length - 1) / 2) * Math.min(5, (nodeH * 0.6) / (walks.length - 1)) : 0;
      const segs: string[] = [];
      const boxes = w.channels.map((c, l) => {
        const rank = keptSets[l]?.get(c);
        return rank === undefined ? undefined : nodeAt(l, rank);
      });
      for (let l = 0; l + 1 < boxes.length; l++) {
        const a = boxes[l];
        const b = boxes[l + 1];
        if (!a || !b) continue;
        segs.push(ribbon(a.x + nodeW, a.y + nodeH / 2 + offset, b.x, b.y + nodeH / 2 + offset));
      }
      // Marks on the walk's boxes: a small dot at each kept box's edges.
      const marks = boxes
        .filter((b): b is NodeBox => b !== undefined)
        .map((b) => {
          const cy = b.y + nodeH / 2 + offset;
          return (
            `<circle cx="${px(b.x)}" cy="${px(cy)}" r="3" fill="${walkColor(k)}" stroke="#222222" stroke-width="1"/>` +
            `<circle cx="${px(b.x + nodeW)}" cy="${px(cy)}" r="3" fill="${walkColor(k)}" stroke="#222222" stroke-width="1"/>`
          );
        })
        .join('');
      const d = segs.join('');
      const tip = escapeXml(walkEntries[k] ?? '');
      out.push(
        `<g class="walk" data-walk="${k + 1}">` +
          (d.length > 0
            ? `<path d="${d}" stroke="#222222" stroke-width="6.5"/><path class="walk-line" d="${d}" stroke="${walkColor(k)}" stroke-width="3.5"/>`
            : '') +
          `${marks}<title>${tip}</title></g>`,
      );
    });
    out.push('</g>');
  }

  // Legend.
  out.push(`<g class="legend" font-size="${FONT}" fill="#222222">`);
  const lx = Math.max(MARGIN, left);
  let ly = legendTop;
  out.push(`<line x1="${px(lx)}" y1="${px(ly - 12)}" x2="${px(width - lx)}" y2="${px(ly - 12)}" stroke="#dddddd" stroke-width="1"/>`);
  ly += 6;
  // Width samples.
  {
    let x = lx;
    out.push(`<text x="${px(x)}" y="${px(ly + 4)}">Ribbon width ∝ |J|:</text>`);
    x += textWidth('Ribbon width ∝ |J|:') + 12;
    const samples = maxAbsJ > 0 ? [1, 0.5, 0.1] : [];
    for (const s of samples) {
      const w = widthFor(s * maxAbsJ);
      out.push(
        `<line x1="${px(x)}" y1="${px(ly)}" x2="${px(x + 36)}" y2="${px(ly)}" stroke="#555555" stroke-width="${px(w)}" stroke-opacity="${opacityFor(s)}"/>`,
      );
      const t = `${formatSignificant(s * maxAbsJ)}`;
      out.push(`<text x="${px(x + 42)}" y="${px(ly + 4)}">${escapeXml(t)}</text>`);
      x += 42 + textWidth(t) + 18;
    }
    if (samples.length === 0) out.push(`<text x="${px(x)}" y="${px(ly + 4)}">(no flows)</text>`);
    else {
      out.push(`<text x="${px(x)}" y="${px(ly + 4)}" fill="#666666">(max |J| = ${escapeXml(formatSignificant(maxAbsJ))}; opacity also grows with |J|)</text>`);
    }
  }
  ly += LINE_H;
  // Colours.
  {
    let x = lx;
    out.push(`<text x="${px(x)}" y="${px(ly + 4)}">Colour = sign of J:</text>`);
    x += textWidth('Colour = sign of J:') + 12;
    out.push(`<line x1="${px(x)}" y1="${px(ly)}" x2="${px(x + 36)}" y2="${px(ly)}" stroke="${FLOW_POSITIVE_COLOR}" stroke-width="6" stroke-opacity="0.8"/>`);
    out.push(`<text x="${px(x + 42)}" y="${px(ly + 4)}">positive</text>`);
    x += 42 + textWidth('positive') + 18;
    out.push(`<line x1="${px(x)}" y1="${px(ly)}" x2="${px(x + 36)}" y2="${px(ly)}" stroke="${FLOW_NEGATIVE_COLOR}" stroke-width="6" stroke-opacity="0.8"/>`);
    out.push(`<text x="${px(x + 42)}" y="${px(ly + 4)}">negative</text>`);
  }
  ly += LINE_H;
  for (const line of LEGEND_NOTES) {
    out.push(`<text x="${px(lx)}" y="${px(ly + 4)}">${escapeXml(line)}</text>`);
    ly += LINE_H;
  }
  walkEntries.forEach((entry, k) => {
    out.push(
      `<line x1="${px(lx + 4)}" y1="${px(ly)}" x2="${px(lx + 36)}" y2="${px(ly)}" stroke="#222222" stroke-width="6.5" stroke-linecap="round"/>` +
        `<line x1="${px(lx + 4)}" y1="${px(ly)}" x2="${px(lx + 36)}" y2="${px(ly)}" stroke="${walkColor(k)}" stroke-width="3.5" stroke-linecap="round"/>`,
    );
    out.push(`<text class="walk-legend" x="${px(lx + 48)}" y="${px(ly + 4)}">${escapeXml(entry)}</text>`);
    ly += LINE_H;
  });
  out.push('</g>');

  if (footnotes.length > 0) {
    let fy = ly + 8;
    out.push('<g class="footnote" font-size="11" fill="#666666">');
    for (const note of footnotes) {
      out.push(`<text x="${px(lx)}" y="${px(fy + 4)}">${escapeXml(note)}</text>`);
      fy += LINE_H;
    }
    out.push('</g>');
  }
  out.push('</svg>');
  return out.join('\n') + '\n';
}
