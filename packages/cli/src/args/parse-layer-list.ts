import { UsageError } from './usage-error.js';

/** Parses `<layer>:<n,n,…>` (a target index or a channel list). */
export function parseLayerList(flag: string, text: string): { layer: string; values: number[] } {
  const colon = text.lastIndexOf(':');
  if (colon <= 0 || colon === text.length - 1) {
    throw new UsageError(`${flag} '${text}' must look like <layer>:<i,j,…> (e.g. logits:3 or conv2:0,5,7).`);
  }
  const layer = text.slice(0, colon);
  const values = text
    .slice(colon + 1)
    .split(',')
    .map((v) => v.trim());
  if (values.some((v) => !/^\d+$/.test(v))) {
    throw new UsageError(`${flag} '${text}': indices must be non-negative integers separated by commas.`);
  }
  return { layer, values: values.map(Number) };
}

/** Groups repeated `<layer>:<list>` flags by layer, keeping the order of samples. */
export function groupByLayer(flag: string, texts: readonly string[]): Map<string, number[][]> {
  const groups = new Map<string, number[][]>();
  for (const text of texts) {
    const { layer, values } = parseLayerList(flag, text);
    const list = groups.get(layer) ?? [];
    list.push(values);
    groups.set(layer, list);
  }
  return groups;
}
