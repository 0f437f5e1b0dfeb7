import { describe, expect, it } from 'vitest';
import {
  FLOW_NEGATIVE_COLOR,
  FLOW_POSITIVE_COLOR,
  FLOW_WALK_COLORS,
  escapeXml,
  flowDiagramSvg,
  formatSignificant,
  type ChannelFlow,
  type FlowDiagramInput,
  type FlowLayer,
} from './flow-diagram.js';

/** Checks that every element is closed in order and that text holds no raw `<` or stray `&`. */
function assertWellFormed(svg: string): void {
  const stack: string[] = [];
  const tag = /<(\/?)([A-Za-z][\w-]*)((?:\s+[\w:-]+="[^"<>]*")*)\s*(\/?)>/g;
  let last = 0;
  for (let m = tag.exec(svg); m; m = tag.exec(svg)) {
    const text = svg.slice(last, m.index);
    expect(text, `text before ${m[0]}`).not.toMatch(/[<>]/);
    expect(text.replace(/&(amp|lt|gt|quot|apos);/g, ''), `text before ${m[0]}`).not.toContain('&');
    last = m.index + m[0].length;
    const [, close, name, , selfClose] = m as unknown as [string, string, string, string, string];
    if (close) expect(stack.pop(), `closing </${name}>`).toBe(name);
    else if (!selfClose) stack.push(name);
  }
  expect(svg.slice(last).trim()).toBe('');
  expect(stack).toEqual([]);
}

const count = (s: string, needle: string): number => s.split(needle).length - 1;

/** The `<path class="flow …">` element whose tooltip names this flow. */
function flowPath(svg: string, from: number, to: number): string {
  const line = svg.split('\n').find((l) => l.includes('class="flow ') && new RegExp(` c${from} → \\S+ c${to}: `).test(l));
  if (!line) throw new Error(`no flow c${from} → c${to}`);
  return line;
}
const attr = (element: string, name: string): string => {
  const m = new RegExp(` ${name}="([^"]*)"`).exec(element);
  if (!m) throw new Error(`no ${name} in ${element}`);
  return m[1] as string;
};

const layer = (name: string, values: readonly (readonly [number, number])[]): FlowLayer => ({
  name,
  channels: values.map(([index, value]) => ({ index, value })),
});

function example(): FlowDiagramInput {
  const layers = [
    layer('conv1', [
      [3, 0.5],
      [7, 0.2],
      [9, -0.1],
      [12, 0.8],
    ]),
    layer('conv2', [
      [0, 0.3],
      [5, 0.6],
      [8, -0.25],
    ]),
    layer('dense', [
      [1, 0.9],
      [2, -0.05],
    ]),
  ];
  const flows: ChannelFlow[] = [
    { lower: 'conv1', upper: 'conv2', from: 12, to: 5, value: 0.8 },
    { lower: 'conv1', upper: 'conv2', from: 3, to: 0, value: 0.4 },
    { lower: 'conv1', upper: 'conv2', from: 9, to: 8, value: -0.2 },
    { lower: 'conv1', upper: 'conv2', from: 7, to: 5, value: 0.1 },
    { lower: 'conv2', upper: 'dense', from: 5, to: 1, value: 0.6 },
    { lower: 'conv2', upper: 'dense', from: 8, to: 2, value: -0.3 },
    { lower: 'conv2', upper: 'dense', from: 0, to: 1, value: 0.05 },
  ];
  return {
    layers,
    flows,
    walks: [
      { channels: [12, 5, 1], value: 0.384 },
      { channels: [3, 0, 1], value: 0.0123456 },
    ],
    title: 'Flows for class 7',
  };
}

describe('flowDiagramSvg', () => {
  it('produces a well-formed standalone SVG with a viewBox', () => {
    const svg = flowDiagramSvg(example());
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg" ')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    const w = attr(svg.split('\n')[0] as string, 'width');
    const h = attr(svg.split('\n')[0] as string, 'height');
    expect(svg).toContain(`viewBox="0 0 ${w} ${h}"`);
    expect(Number(w)).toBeGreaterThan(0);
    expect(Number(h)).toBeGreaterThan(0);
    assertWellFormed(svg);
    expect(svg).not.toMatch(/<script|<image|@import|href=|url\(/);
    expect(svg).toContain('>Flows for class 7</text>');
  });

  it('honours the width and height options', () => {
    const svg = flowDiagramSvg(example(), { width: 1000, height: 500 });
    expect(svg).toContain('viewBox="0 0 1000 500"');
    assertWellFormed(svg);
  });

  it('draws one node per channel, sorted by value within a layer, layers left to right', () => {
    const svg = flowDiagramSvg(example());
    expect(count(svg, '<g class="node"')).toBe(4 + 3 + 2);
    const nodes = [...svg.matchAll(/<g class="node" data-layer="conv1" data-channel="(\d+)"><rect x="([\d.]+)" y="([\d.]+)"/g)];
    const byY = [...nodes].sort((a, b) => Number(a[3]) - Number(b[3])).map((m) => Number(m[1]));
    expect(byY).toEqual([12, 3, 7, 9]);
    expect(svg).toContain('>c12 0.8</text>');
    expect(svg).toContain('>c9 -0.1</text>');
    const x = (name: string) => Number(new RegExp(`data-layer="${name}" data-channel="\\d+"><rect x="([\\d.]+)"`).exec(svg)?.[1]);
    expect(x('conv1')).toBeLessThan(x('conv2'));
    expect(x('conv2')).toBeLessThan(x('dense'));
    const header = (name: string) => svg.indexOf(`>${name}</text>`);
    expect(header('conv1')).toBeGreaterThan(0);
    expect(header('dense')).toBeGreaterThan(0);
  });

  it('draws one path per flow with width proportional to |J|', () => {
    const svg = flowDiagramSvg(example(), { maxFlowWidth: 20 });
    expect(count(svg, 'class="flow ')).toBe(7);
    const w = (from: number, to: number) => Number(attr(flowPath(svg, from, to), 'stroke-width'));
    expect(w(12, 5)).toBe(20); // the largest |J|
    expect(w(3, 0)).toBe(10); // half of it
    expect(w(9, 8)).toBe(5);
    expect(w(12, 5) / w(5, 1)).toBeCloseTo(0.8 / 0.6, 2);
    expect(attr(flowPath(svg, 12, 5), 'd')).toMatch(/^M[\d.]+ [\d.]+C[\d.]+ [\d.]+ [\d.]+ [\d.]+ [\d.]+ [\d.]+$/);
  });

  it('keeps small flows visible with minFlowWidth', () => {
    const svg = flowDiagramSvg(example(), { maxFlowWidth: 20, minFlowWidth: 3 });
    expect(Number(attr(flowPath(svg, 0, 1), 'stroke-width'))).toBe(3); // 20 × 0.05 / 0.8 = 1.25 → 3
  });

  it('colours flows by sign and makes larger flows more opaque', () => {
    const svg = flowDiagramSvg(example());
    const pos = flowPath(svg, 12, 5);
    const neg = flowPath(svg, 9, 8);
    expect(pos).toContain('class="flow flow-pos"');
    expect(attr(pos, 'stroke')).toBe(FLOW_POSITIVE_COLOR);
    expect(neg).toContain('class="flow flow-neg"');
    expect(attr(neg, 'stroke')).toBe(FLOW_NEGATIVE_COLOR);
    expect(Number(attr(pos, 'stroke-opacity'))).toBeGreaterThan(Number(attr(neg, 'stroke-opacity')));
    expect(Number(attr(pos, 'stroke-opacity'))).toBeLessThanOrEqual(1);
    expect(count(svg, 'class="flow flow-neg"')).toBe(2);
  });

  it('draws larger flows over smaller ones', () => {
    const svg = flowDiagramSvg(example());
    expect(svg.indexOf(flowPath(svg, 0, 1))).toBeLessThan(svg.indexOf(flowPath(svg, 12, 5)));
  });

  it('highlights walks on top, with legend entries', () => {
    const svg = flowDiagramSvg(example());
    expect(count(svg, '<g class="walk"')).toBe(2);
    expect(svg.indexOf('<g class="walks"')).toBeGreaterThan(svg.lastIndexOf('class="flow '));
    expect(svg.indexOf('<g class="walks"')).toBeGreaterThan(svg.lastIndexOf('<g class="node"'));
    expect(svg).toContain('top walk #1: 0.384 (c12 → c5 → c1)');
    expect(svg).toContain('top walk #2: 0.0123 (c3 → c0 → c1)');
    const walkLines = [...svg.matchAll(/<path class="walk-line" d="([^"]*)" stroke="([^"]*)" stroke-width="([\d.]+)"/g)];
    expect(walkLines.map((m) => m[2])).toEqual([FLOW_WALK_COLORS[0], FLOW_WALK_COLORS[1]]);
    // two segments (three layers) per walk, thicker than the default flow minimum
    for (const m of walkLines) {
      expect(count(m[1] as string, 'M')).toBe(2);
      expect(Number(m[3])).toBeGreaterThan(1);
    }
    assertWellFormed(svg);
  });

  it('escapes layer names and titles', () => {
    const input = example();
    const layers = input.layers.map((l, i) => (i === 1 ? { ...l, name: 'a<&>"b' } : l));
    const flows = input.flows.map((f) => ({
      ...f,
      lower: f.lower === 'conv2' ? 'a<&>"b' : f.lower,
      upper: f.upper === 'conv2' ? 'a<&>"b' : f.upper,
    }));
    const svg = flowDiagramSvg({ ...input, layers, flows, title: "R&D <title> 'x'" });
    expect(svg).toContain('>a&lt;&amp;&gt;&quot;b</text>');
    expect(svg).toContain('data-layer="a&lt;&amp;&gt;&quot;b"');
    expect(svg).toContain('>R&amp;D &lt;title&gt; &apos;x&apos;</text>');
    expect(svg).not.toContain('a<&>');
    assertWellFormed(svg);
  });

  it('keeps the top channels by |value| and says in a footnote what it hid', () => {
    const values = Array.from({ length: 16 }, (_, i) => [i, (i % 2 === 0 ? 1 : -1) * (i + 1) * 0.01] as const);
    const input: FlowDiagramInput = {
      layers: [layer('low', values), layer('high', [[0, 1]])],
      flows: values.map(([i]) => ({ lower: 'low', upper: 'high', from: i, to: 0, value: (i + 1) * 0.01 })),
    };
    const svg = flowDiagramSvg(input);
    expect(count(svg, '<g class="node"')).toBe(12 + 1);
    // channels 0–3 have the smallest |value|
    for (const i of [0, 1, 2, 3]) expect(svg).not.toContain(`data-layer="low" data-channel="${i}"`);
    expect(svg).toContain('data-layer="low" data-channel="4"');
    expect(svg).toContain('>c15 -0.16</text>');
    expect(count(svg, 'class="flow ')).toBe(12);
    expect(svg).toContain('<g class="footnote"');
    expect(svg).toContain('4 of 16 in low; 4 flows touching them not drawn.');
    expect(svg).toContain('>12 of 16 channels</text>');
    assertWellFormed(svg);

    const few = flowDiagramSvg(input, { maxChannelsPerLayer: 5 });
    expect(count(few, '<g class="node"')).toBe(5 + 1);
    expect(few).toContain('11 of 16 in low; 11 flows touching them not drawn.');

    expect(flowDiagramSvg(example())).not.toContain('class="footnote"');
  });

  it('hides flows below minShare of the largest and counts them', () => {
    const svg = flowDiagramSvg(example(), { minShare: 0.2 });
    // |J| ≥ 0.16 kept: 0.8, 0.4, 0.2, 0.6, 0.3 — hidden: 0.1, 0.05
    expect(count(svg, 'class="flow ')).toBe(5);
    expect(() => flowPath(svg, 0, 1)).toThrow();
    expect(svg).toContain('2 flows with |J| below 20 % of the largest (0.16) not drawn.');
  });

  it('marks walks through hidden channels as partly hidden', () => {
    const input = example();
    const svg = flowDiagramSvg({ ...input, walks: [{ channels: [9, 8, 2], value: -0.5 }] }, { maxChannelsPerLayer: 2 });
    expect(svg).toContain('top walk #1: -0.5 (c9 → c8 → c2), partly hidden');
    assertWellFormed(svg);
  });

  it('is deterministic', () => {
    const a = flowDiagramSvg(example(), { maxChannelsPerLayer: 3, minShare: 0.1 });
    const b = flowDiagramSvg(JSON.parse(JSON.stringify(example())) as FlowDiagramInput, { maxChannelsPerLayer: 3, minShare: 0.1 });
    expect(a).toBe(b);
  });

  it('draws a single layer and an empty flow list', () => {
    const svg = flowDiagramSvg({ layers: [layer('only', [[1, 0.5]])], flows: [] });
    expect(count(svg, '<g class="node"')).toBe(1);
    expect(svg).toContain('(no flows)');
    assertWellFormed(svg);
  });

  it('validates its input', () => {
    const input = example();
    expect(() => flowDiagramSvg({ ...input, layers: [] })).toThrow(/at least one layer/);
    expect(() => flowDiagramSvg({ ...input, layers: [input.layers[0] as FlowLayer, input.layers[0] as FlowLayer] })).toThrow(
      /more than once/,
    );
    expect(() => flowDiagramSvg({ ...input, flows: [{ lower: 'conv1', upper: 'dense', from: 3, to: 1, value: 1 }] })).toThrow(
      /not consecutive/,
    );
    expect(() => flowDiagramSvg({ ...input, flows: [{ lower: 'conv2', upper: 'conv1', from: 0, to: 3, value: 1 }] })).toThrow(
      /not consecutive/,
    );
    expect(() => flowDiagramSvg({ ...input, flows: [{ lower: 'nope', upper: 'conv1', from: 0, to: 3, value: 1 }] })).toThrow(
      /unknown layer "nope"/,
    );
    expect(() => flowDiagramSvg({ ...input, flows: [{ lower: 'conv1', upper: 'conv2', from: 3, to: 0, value: Number.NaN }] })).toThrow(
      /finite/,
    );
    expect(() => flowDiagramSvg({ ...input, walks: [{ channels: [3, 0], value: 1 }] })).toThrow(/one channel per layer/);
    expect(() => flowDiagramSvg({ ...input, layers: [layer('x', [[1, 1], [1, 2]])], flows: [] })).toThrow(/channel 1 more than once/);
    expect(() => flowDiagramSvg(input, { maxChannelsPerLayer: 0 })).toThrow(/maxChannelsPerLayer/);
    expect(() => flowDiagramSvg(input, { minShare: 1.5 })).toThrow(/minShare/);
    expect(() => flowDiagramSvg(input, { width: -1 })).toThrow(/width/);
  });
});

describe('formatSignificant', () => {
  it('keeps 3 significant digits, compactly', () => {
    expect(formatSignificant(0.21234)).toBe('0.212');
    expect(formatSignificant(0.2)).toBe('0.2');
    expect(formatSignificant(-1.5)).toBe('-1.5');
    expect(formatSignificant(123456)).toBe('123000');
    expect(formatSignificant(1.23456e-7)).toBe('1.23e-7');
    expect(formatSignificant(-0)).toBe('0');
    expect(formatSignificant(0.00049999)).toBe('0.0005');
  });
});

describe('escapeXml', () => {
  it('escapes the five XML specials', () => {
    expect(escapeXml(`<a & 'b' "c">`)).toBe('&lt;a &amp; &apos;b&apos; &quot;c&quot;&gt;');
  });
});
