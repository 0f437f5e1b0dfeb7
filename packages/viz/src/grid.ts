/** Heatmap grids: rows × columns of tiles composed into one image, with optional captions. */
import { drawText, measureText } from './draw-text.js';
import { assertRgba, createRgbaImage, upscaleNearest, type Rgba, type RgbaBytes, type RgbaImage } from './rgba-image.js';
import { assertInteger } from './validate.js';

/** One tile of a grid: RGBA pixels (row-major, 4 bytes a pixel) and their size. */
export interface GridTile {
  /** The pixels, `width × height × 4` bytes. */
  readonly rgba: RgbaBytes;
  /** Width in pixels (before scaling). */
  readonly width: number;
  /** Height in pixels (before scaling). */
  readonly height: number;
}

/** Captions of a grid; either list may be shorter than the grid (missing entries are blank). */
export interface GridLabels {
  /** One caption per row, drawn in a band left of the tiles, vertically centred on the row. */
  readonly rows?: readonly string[];
  /** One caption per column, drawn in a band above the tiles, centred over the column. */
  readonly columns?: readonly string[];
}

/** Options of {@link heatmapGrid}. */
export interface HeatmapGridOptions {
  /** Pixels between neighbouring cells (not scaled); default 2. No margin is added around the grid. */
  readonly gap?: number;
  /** Colour of gaps, padding and caption bands; default opaque white. */
  readonly background?: Rgba;
  /** Integer nearest-neighbour upscaling applied to every tile (not to gaps or captions); default 1. */
  readonly scale?: number;
  /** Row and column captions in the 5×7 bitmap font (lower case is drawn as upper case). */
  readonly labels?: GridLabels;
  /** Caption colour; default opaque black. */
  readonly labelColor?: Rgba;
  /** Integer magnification of the caption font; default 1 (7 pixels high). */
  readonly labelScale?: number;
  /** Pixels of background around each caption inside its band; default 2. */
  readonly labelPadding?: number;
}

/** Where {@link gridLayout} puts the cells of a grid. */
export interface GridLayout {
  /** Width of the whole image. */
  readonly width: number;
  /** Height of the whole image. */
  readonly height: number;
  /** x of each column's left edge. */
  readonly columnX: readonly number[];
  /** Width of each column: the widest scaled tile in it (0 if it has none). */
  readonly columnWidth: readonly number[];
  /** y of each row's top edge. */
  readonly rowY: readonly number[];
  /** Height of each row: the tallest scaled tile in it (0 if it has none). */
  readonly rowHeight: readonly number[];
  /** Width of the row-caption band on the left (0 without row captions). */
  readonly labelWidth: number;
  /** Height of the column-caption band on top (0 without column captions). */
  readonly labelHeight: number;
}

/** Rows of grid tiles (`null` leaves a cell empty). */
export type TileRows = readonly (readonly (GridTile | null | undefined)[])[];

/**
 * Computes the layout of {@link heatmapGrid} without drawing: column widths are the widest
 * (scaled) tile of each column, row heights the tallest of each row, cells are separated by
 * `gap`, and caption bands sit above and left of the cells.
 *
 * @throws Error if the grid holds no tile or an option is invalid.
 */
export function gridLayout(tiles: TileRows, options: HeatmapGridOptions = {}): GridLayout {
  const { gap = 2, scale = 1, labels = {}, labelScale = 1, labelPadding = 2 } = options;
  assertInteger('gap', gap, 0);
  assertInteger('scale', scale);
  assertInteger('labelScale', labelScale);
  assertInteger('labelPadding', labelPadding, 0);
  const nRows = tiles.length;
  const nCols = Math.max(0, ...tiles.map((row) => row.length));
  if ((labels.rows?.length ?? 0) > nRows) {
    throw new Error(`labels.rows has ${labels.rows?.length} captions but the grid has ${nRows} rows.`);
  }
  if ((labels.columns?.length ?? 0) > nCols) {
    throw new Error(`labels.columns has ${labels.columns?.length} captions but the grid has ${nCols} columns.`);
  }
  const columnWidth = new Array<number>(nCols).fill(0);
  const rowHeight = new Array<number>(nRows).fill(0);
  tiles.forEach((row, r) =>
    row.forEach((tile, c) => {
      if (!tile) return;
      columnWidth[c] = Math.max(columnWidth[c] as number, tile.width * scale);
      rowHeight[r] = Math.max(rowHeight[r] as number, tile.height * scale);
    }),
  );
  if (!tiles.some((row) => row.some((tile) => tile))) throw new Error('heatmapGrid needs at least one tile.');

  const rowTexts = (labels.rows ?? []).filter((s) => s.length > 0);
  const colTexts = (labels.columns ?? []).filter((s) => s.length > 0);
  const labelWidth =
    rowTexts.length > 0 ? Math.max(...rowTexts.map((s) => measureText(s, labelScale).width)) + 2 * labelPadding : 0;
  const labelHeight = colTexts.length > 0 ? measureText('0', labelScale).height + 2 * labelPadding : 0;

  const columnX: number[] = [];
  let x = labelWidth;
  for (const w of columnWidth) {
    columnX.push(x);
    x += w + gap;
  }
  const rowY: number[] = [];
  let y = labelHeight;
  for (const h of rowHeight) {
    rowY.push(y);
    y += h + gap;
  }
  return {
    width: x - gap,
    height: y - gap,
    columnX,
    columnWidth,
    rowY,
    rowHeight,
    labelWidth,
    labelHeight,
  };
}

/**
 * Composes rows × columns of tiles into one RGBA image (see {@link gridLayout} for the sizes).
 * Tiles may differ in size: each is centred in its cell (offset rounded down) and the rest of the
 * cell is background. Rows may have different lengths, and `null`/`undefined` leaves a cell empty.
 *
 * Typical use: one row per input (e.g. a digit) and one column per explanation method, with
 * `labels: { rows: ['0', '1', …], columns: ['input', 'gradient', 'LRP-ε', …] }`.
 *
 * @throws Error if a tile's pixel count does not match its size, there is no tile, or an option
 *   is invalid.
 */
export function heatmapGrid(tiles: TileRows, options: HeatmapGridOptions = {}): RgbaImage {
  const { background = [255, 255, 255, 255], scale = 1, labels = {}, labelColor = [0, 0, 0, 255] } = options;
  const { labelScale = 1, labelPadding = 2 } = options;
  tiles.forEach((row, r) =>
    row.forEach((tile, c) => {
      if (tile) assertRgba(tile.rgba, tile.width, tile.height, `tile [${r}][${c}] rgba`);
    }),
  );
  const layout = gridLayout(tiles, options);
  const image = createRgbaImage(layout.width, layout.height, background);

  tiles.forEach((row, r) =>
    row.forEach((tile, c) => {
      if (!tile) return;
      const src = scale === 1 ? tile : upscaleNearest(tile.rgba, tile.width, tile.height, scale);
      const x0 = (layout.columnX[c] as number) + Math.floor(((layout.columnWidth[c] as number) - src.width) / 2);
      const y0 = (layout.rowY[r] as number) + Math.floor(((layout.rowHeight[r] as number) - src.height) / 2);
      const rowBytes = src.width * 4;
      for (let y = 0; y < src.height; y++) {
        image.rgba.set(src.rgba.subarray(y * rowBytes, (y + 1) * rowBytes), ((y0 + y) * layout.width + x0) * 4);
      }
    }),
  );

  const textHeight = measureText('0', labelScale).height;
  (labels.columns ?? []).forEach((text, c) => {
    if (text.length === 0) return;
    const cx = layout.columnX[c] as number;
    const cw = layout.columnWidth[c] as number;
    const x = cx + Math.max(0, Math.floor((cw - measureText(text, labelScale).width) / 2));
    drawText(image, text, x, labelPadding, {
      color: labelColor,
      scale: labelScale,
      clip: { x0: cx, y0: 0, x1: cx + cw, y1: layout.labelHeight },
    });
  });
  (labels.rows ?? []).forEach((text, r) => {
    if (text.length === 0) return;
    const ry = layout.rowY[r] as number;
    const y = ry + Math.floor(((layout.rowHeight[r] as number) - textHeight) / 2);
    drawText(image, text, labelPadding, y, {
      color: labelColor,
      scale: labelScale,
      clip: { x0: 0, y0: 0, x1: layout.labelWidth, y1: layout.height },
    });
  });
  return image;
}
