import { dirname } from 'node:path';
import { mkdir } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { InvalidArgumentError, writeNpy, type Registry } from '@nrm/core';
import { DECONV_CLI_OPTIONS, DECONV_USAGE, parseDeconvArgs, projectFeatureMap } from '@nrm/rules-gradient';
import { encodePng, heatmapGrid, imageToRgba, writeFileAtomic, type GridTile } from '@nrm/viz';
import { UsageError } from '../args/usage-error.js';
import type { CliIo } from '../cli-io.js';
import { openExplanation } from '../explanation-options.js';
import { heatmapTiles } from '../heatmap-png.js';
import { toNpy } from '../io.js';

export { DECONV_USAGE };

/** One tile per sample: signed image (0 = mid-gray) for 1 or 3 channels, else a bwr channel sum. */
function projectionTiles(array: { shape: readonly number[]; data: Float32Array }): GridTile[] {
  const [n, h, w, c] = array.shape as [number, number, number, number];
  if (c !== 1 && c !== 3) return heatmapTiles(array, 'bwr');
  const size = h * w * c;
  return Array.from({ length: n }, (_, i) => {
    const sample = array.data.subarray(i * size, (i + 1) * size);
    const m = sample.reduce((a, v) => Math.max(a, Math.abs(v)), 0) || 1;
    return { rgba: imageToRgba(sample, [h, w, c], { vmin: -m, vmax: m }), width: w, height: h };
  });
}

/** `nrm deconv`: project a feature map of a layer to the input (deconvnet or guided backprop). */
export async function deconvCommand(argv: readonly string[], registry: Registry, io: CliIo): Promise<number> {
  const { values } = parseArgs({ args: [...argv], options: DECONV_CLI_OPTIONS, strict: true, allowPositionals: false });
  if (values.help) {
    io.stdout(DECONV_USAGE);
    return 0;
  }
  let args;
  try {
    args = parseDeconvArgs(values);
  } catch (error) {
    if (error instanceof InvalidArgumentError) throw new UsageError(error.message);
    throw error;
  }
  const context = await openExplanation(
    {
      command: 'deconv',
      modelPath: args.modelPath,
      inputPath: args.inputPath,
      composite: registry.composite(args.composite),
      options: {},
      targetLayer: args.layer,
      indices: [],
      backend: args.backend,
    },
    registry,
    io,
  );
  let projection;
  const lines: string[] = [];
  try {
    const result = projectFeatureMap(context.explainer, context.input, { layer: args.layer, channel: args.channel, position: args.position });
    try {
      projection = await toNpy(result.input);
      for (const [n, peak] of (result.peaks ?? []).entries()) {
        if (peak) lines.push(`sample ${n}: ${args.layer}[${peak.index.join(', ')}] = ${peak.value}`);
      }
    } finally {
      result.dispose();
    }
  } finally {
    context.dispose();
  }
  if (args.png && projection.shape.length !== 4) {
    throw new InvalidArgumentError(`--png needs an image input ([N, H, W, C]); this input has shape [${projection.shape.join(', ')}].`);
  }
  const written: string[] = [];
  if (args.out) {
    await mkdir(dirname(args.out), { recursive: true });
    await writeFileAtomic(args.out, writeNpy(projection));
    written.push(args.out);
  }
  if (args.png) {
    const tiles = projectionTiles(projection);
    const side = Math.max(...tiles.map((t) => Math.max(t.width, t.height)));
    const grid = heatmapGrid([tiles], { scale: Math.max(1, Math.floor(256 / side)), gap: 4 });
    await mkdir(dirname(args.png), { recursive: true });
    await writeFileAtomic(args.png, encodePng(grid.rgba, grid.width, grid.height));
    written.push(args.png);
  }
  for (const line of lines) io.stdout(line);
  io.stdout(`wrote ${written.join(', ')}`);
  return 0;
}
