import { encodePng, heatmapGrid, heatmapToRgba, sumChannels, type GridTile } from '@nrm/viz';
import type { NpyArray } from '@nrm/core';

/** One heatmap tile per sample (relevance summed over channels), in a row. */
export function heatmapTiles(relevance: NpyArray, cmap: string): GridTile[] {
  const [n, ...rest] = relevance.shape as number[];
  const [h, w, c] = rest.length === 3 ? (rest as [number, number, number]) : rest.length === 2 ? [rest[0]!, rest[1]!, 1] : [1, rest[0]!, 1];
  const size = h * w * c;
  const tiles: GridTile[] = [];
  for (let i = 0; i < n!; i++) {
    const sample = relevance.data.subarray(i * size, (i + 1) * size);
    const map = sumChannels(sample, [h, w, c]);
    tiles.push({ rgba: heatmapToRgba(map, h, w, { cmap }), width: w, height: h });
  }
  return tiles;
}

/** A PNG of the per-sample heatmaps of an input relevance (`[N, H, W, C]`). */
export function heatmapPng(relevance: NpyArray, cmap: string): Uint8Array {
  const tiles = heatmapTiles(relevance, cmap);
  const maxSide = Math.max(...tiles.map((t) => Math.max(t.width, t.height)));
  const scale = Math.max(1, Math.floor(256 / maxSide));
  const grid = heatmapGrid([tiles], { scale, gap: 4 });
  return encodePng(grid.rgba, grid.width, grid.height);
}
