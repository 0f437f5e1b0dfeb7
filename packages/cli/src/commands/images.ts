import { readFile, readdir, mkdir, stat } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { createExplainer, InvalidArgumentError, type Composite, type Explainer, type Registry } from '@nrm/core';
import { loadGraph } from '@nrm/graph';
import {
  decodeImage,
  encodePng,
  heatmapGrid,
  heatmapToRgba,
  overlayHeatmap,
  resizeBilinear,
  sumChannels,
  writeFileAtomic,
  type GridTile,
  type RgbaImage,
} from '@nrm/viz';
import { joinNegativeNumbers } from '../args/join-negative-numbers.js';
import { parseLayerList } from '../args/parse-layer-list.js';
import { parseNumber } from '../args/parse-number.js';
import { UsageError } from '../args/usage-error.js';
import { useBackend } from '../backend.js';
import type { CliIo } from '../cli-io.js';
import { imageToInput } from '../image-input.js';

export const IMAGES_USAGE = `nrm images --model <dir>/model.json --images <file or folder> --composites <a,b,…> --target <layer>:<i,…>|predicted --out-dir <dir> [...]
  explains every PNG/JPEG image of a folder (sorted by name) with each composite; writes per image
  <out-dir>/<name>.<composite>.png (heatmap over the image in gray), <out-dir>/<name>.grid.png
  (image, then one overlay per composite) and <out-dir>/summary.json (prediction, logit, relevance sums)
  --target predicted         the argmax of the model's output (default); or <layer>:<i,…> for every image
  --size H,W                 resize every image to H×W (default: images must match the model input)
  --channels 1|3             grayscale (luma) or RGB (default: the model input's channels)
  --range lo,hi              pixel values 0…255 map to [lo, hi] (default 0,1)
  --mean a,b,c --std a,b,c   then (x − mean) / std, one value or one per channel
  --epsilon <e>              ε of the Epsilon rules
  --low <l> --high <h>       input bounds for ZBox (epsilon-gamma-box)
  --backend NAME[,NAME…]     wasm (default), cpu, webgpu (needs the webgpu package), tensorflow
                             (needs tfjs-node); a comma list picks the first supported one`;

const IMAGE_EXTENSIONS = new Set(['.png', '.jpg', '.jpeg']);

/** Options of {@link imagesCommand} beyond the command line (tests inject the progress writer). */
export interface ImagesCommandOptions {
  /** Writes progress text without a newline; default: `process.stderr` when it is a TTY, else nothing. */
  readonly progress?: ((text: string) => void) | undefined;
}

function parseNumberList(flag: string, text: string | undefined, count?: number): number[] | undefined {
  if (text === undefined) return undefined;
  const parts = text.split(',');
  const values = parts.map((p) => parseNumber(flag, p.trim()) as number);
  if (count !== undefined && values.length !== count) throw new UsageError(`${flag} '${text}' needs ${count} comma-separated numbers.`);
  return values;
}

function requiredFlag(values: Record<string, unknown>, name: string): string {
  const v = values[name];
  if (typeof v !== 'string' || v.length === 0) throw new UsageError(`images needs --${name}; see 'nrm images --help'.`);
  return v;
}

/** The image files named by `--images`: the file itself, or the folder's PNG/JPEG files sorted by name. */
async function listImages(path: string): Promise<string[]> {
  let info;
  try {
    info = await stat(path);
  } catch {
    throw new InvalidArgumentError(`--images '${path}' does not exist.`);
  }
  if (!info.isDirectory()) return [path];
  const names = (await readdir(path)).filter((n) => IMAGE_EXTENSIONS.has(extname(n).toLowerCase())).sort();
  if (names.length === 0) throw new InvalidArgumentError(`--images '${path}' holds no PNG or JPEG images (.png, .jpg, .jpeg).`);
  return names.map((n) => join(path, n));
}

interface LoadedImage {
  readonly file: string;
  readonly name: string;
  readonly image: RgbaImage;
}

async function loadImage(file: string): Promise<LoadedImage> {
  let image: RgbaImage;
  try {
    image = decodeImage(await readFile(file));
  } catch (error) {
    const reason = (error instanceof Error ? error.message : String(error)).split('\n')[0];
    throw new InvalidArgumentError(`Cannot read image ${file}: ${reason}`);
  }
  return { file, name: basename(file, extname(file)), image };
}

/** `nrm images`: explanations of a folder of PNG/JPEG images, written as overlays, grids and a summary. */
export async function imagesCommand(
  argv: readonly string[],
  registry: Registry,
  io: CliIo,
  options: ImagesCommandOptions = {},
): Promise<number> {
  const { values } = parseArgs({
    args: joinNegativeNumbers(argv, ['--low', '--high', '--epsilon', '--range', '--mean']),
    options: {
      model: { type: 'string' },
      images: { type: 'string' },
      composites: { type: 'string', multiple: true },
      target: { type: 'string', default: 'predicted' },
      size: { type: 'string' },
      channels: { type: 'string' },
      range: { type: 'string' },
      mean: { type: 'string' },
      std: { type: 'string' },
      epsilon: { type: 'string' },
      low: { type: 'string' },
      high: { type: 'string' },
      backend: { type: 'string', default: 'wasm' },
      'out-dir': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) {
    io.stdout(IMAGES_USAGE);
    return 0;
  }
  // Validate everything before the (slow) model load and backend start.
  const modelPath = requiredFlag(values, 'model');
  const imagesPath = requiredFlag(values, 'images');
  const outDir = requiredFlag(values, 'out-dir');
  const compositeIds = (values.composites ?? []).flatMap((c) => c.split(',')).map((c) => c.trim()).filter((c) => c.length > 0);
  if (compositeIds.length === 0) throw new UsageError("images needs --composites <a,b,…>; see 'nrm images --help'.");
  if (new Set(compositeIds).size !== compositeIds.length) throw new UsageError('--composites lists a composite twice.');
  const epsilon = parseNumber('--epsilon', values.epsilon);
  const low = parseNumber('--low', values.low);
  const high = parseNumber('--high', values.high);
  if ((low === undefined) !== (high === undefined)) throw new UsageError('--low and --high go together.');
  const composites: [string, Composite][] = compositeIds.map((id) => [id, registry.composite(id)]);
  for (const [id, composite] of composites) {
    if (composite.needsBounds && low === undefined) {
      throw new UsageError(`Composite '${id}' needs the input bounds: --low <l> --high <h> (e.g. --low 0 --high 1).`);
    }
  }
  const targetText = values.target ?? 'predicted';
  const fixedTarget = targetText === 'predicted' ? undefined : parseLayerList('--target', targetText);
  const sizeList = parseNumberList('--size', values.size, 2);
  if (sizeList && sizeList.some((v) => !Number.isInteger(v) || v < 1)) throw new UsageError(`--size '${values.size}' needs two integers ≥ 1 (H,W).`);
  let channels: 1 | 3 | undefined;
  if (values.channels !== undefined) {
    if (values.channels !== '1' && values.channels !== '3') throw new UsageError(`--channels must be 1 or 3; got '${values.channels}'.`);
    channels = Number(values.channels) as 1 | 3;
  }
  const range = (parseNumberList('--range', values.range, 2) ?? [0, 1]) as [number, number];
  const mean = parseNumberList('--mean', values.mean);
  const std = parseNumberList('--std', values.std);

  // Decode every image first: a corrupt file fails before anything is loaded or written.
  const files = await listImages(imagesPath);
  const images: LoadedImage[] = [];
  for (const file of files) images.push(await loadImage(file));
  const seen = new Map<string, string>();
  for (const { file, name } of images) {
    const other = seen.get(name);
    if (other) throw new InvalidArgumentError(`${other} and ${file} would write the same outputs (${name}.*); rename one.`);
    seen.set(name, file);
  }

  await useBackend(registry, values.backend ?? 'wasm', (line) => io.stderr(`nrm: ${line}`));
  const graph = await loadGraph(modelPath);
  for (const w of graph.warnings) io.stderr(`nrm: warning: ${w}`);
  const inputShape = graph.nodes.find((n) => n.id === graph.input)!.outputShape as number[];
  if (inputShape.length !== 3) {
    throw new InvalidArgumentError(`nrm images needs a model with an image input [H, W, C]; this one takes [${inputShape.join(', ')}].`);
  }
  const [mh, mw, mc] = inputShape as [number, number, number];
  const size: [number, number] = sizeList ? [sizeList[0]!, sizeList[1]!] : [mh, mw];
  if (size[0] !== mh || size[1] !== mw) {
    throw new InvalidArgumentError(`--size ${size.join(',')} does not match the model input ${mh}×${mw}; use --size ${mh},${mw}.`);
  }
  if (!sizeList) {
    const wrong = images.find(({ image }) => image.height !== mh || image.width !== mw);
    if (wrong) {
      throw new InvalidArgumentError(
        `Image ${wrong.file} is ${wrong.image.height}×${wrong.image.width} but the model takes ${mh}×${mw}; pass --size ${mh},${mw} to resize.`,
      );
    }
  }
  channels ??= mc === 1 ? 1 : mc === 3 ? 3 : undefined;
  if (channels !== mc) throw new InvalidArgumentError(`--channels ${channels ?? '?'} does not match the model input's ${mc} channels.`);
  const outputLayer = Object.entries(graph.layers).find(([, id]) => id === graph.outputs[0])?.[0] ?? graph.outputs[0]!;
  const inputNonNegative = range[0] >= 0 && range[1] >= 0 && mean === undefined && (std === undefined || std.every((s) => s > 0));
  const explainerOptions = { epsilon, low, high };

  const progress =
    options.progress ?? (process.stderr.isTTY ? (text: string) => void process.stderr.write(text) : undefined);
  const scale = Math.max(1, Math.floor(256 / Math.max(mh, mw)));
  const [h, w] = size;
  const summaries: unknown[] = [];
  const explainers: [string, Explainer][] = [];
  let written = 0;
  try {
    for (const [id, composite] of composites) {
      explainers.push([id, createExplainer({ graph, registry, composite, options: explainerOptions, inputNonNegative })]);
    }
    await mkdir(outDir, { recursive: true });
    for (const [k, { file, name, image }] of images.entries()) {
      progress?.(`\r[${k + 1}/${images.length}] ${name}\x1b[K`);
      const input = tf.tensor(imageToInput(image, { size, channels, range, mean, std }), [1, h, w, channels]);
      const overlays: [string, Uint8ClampedArray][] = [];
      const sums: Record<string, number> = {};
      let prediction: number;
      let logit: number;
      try {
        const out = explainers[0]![1].forward(input);
        const row = Array.from((await out.data()) as Float32Array);
        out.dispose();
        prediction = row.indexOf(Math.max(...row));
        logit = row[prediction]!;
        const target = fixedTarget ? { layer: fixedTarget.layer, indices: [fixedTarget.values] } : { layer: outputLayer, indices: [[prediction]] };
        for (const [id, explainer] of explainers) {
          const explanation = explainer.explain(input, { target });
          try {
            const relevance = (await explanation.input.data()) as Float32Array;
            const map = sumChannels(relevance, [h, w, channels]);
            let total = 0;
            for (const v of map) total += v;
            sums[id] = total;
            overlays.push([id, heatmapToRgba(map, h, w, { cmap: 'bwr' })]);
          } finally {
            explanation.dispose();
          }
        }
      } finally {
        input.dispose();
      }
      // Everything for this image is computed: now render and write each file atomically.
      const shown = resizeBilinear(image.rgba, image.width, image.height, w, h);
      const tiles: GridTile[] = [{ rgba: shown, width: w, height: h }];
      const pngs: [string, Uint8Array][] = [];
      for (const [id, heat] of overlays) {
        const blended = overlayHeatmap(shown, heat, 0.5);
        tiles.push({ rgba: blended, width: w, height: h });
        pngs.push([join(outDir, `${name}.${id}.png`), encodePng(blended, w, h, { scale })]);
      }
      const grid = heatmapGrid([tiles], { scale, gap: 4, labelScale: 2, labels: { columns: ['image', ...compositeIds] } });
      pngs.push([join(outDir, `${name}.grid.png`), encodePng(grid.rgba, grid.width, grid.height)]);
      for (const [path, bytes] of pngs) await writeFileAtomic(path, bytes);
      written += pngs.length;
      summaries.push({
        file,
        name,
        width: image.width,
        height: image.height,
        prediction,
        logit,
        target: fixedTarget ? { layer: fixedTarget.layer, index: fixedTarget.values } : { layer: outputLayer, index: [prediction] },
        relevanceSums: sums,
      });
    }
  } finally {
    if (images.length > 0) progress?.('\r\x1b[K');
    for (const [, explainer] of explainers) explainer.dispose();
  }
  const summary = {
    model: modelPath,
    backend: tf.getBackend(),
    composites: compositeIds,
    target: targetText,
    size,
    channels,
    range,
    ...(mean ? { mean } : {}),
    ...(std ? { std } : {}),
    images: summaries,
  };
  const summaryPath = join(outDir, 'summary.json');
  await writeFileAtomic(summaryPath, new TextEncoder().encode(`${JSON.stringify(summary, null, 2)}\n`));
  io.stdout(`explained ${images.length} image${images.length === 1 ? '' : 's'} with ${compositeIds.join(', ')}; wrote ${written + 1} files to ${outDir}`);
  return 0;
}
