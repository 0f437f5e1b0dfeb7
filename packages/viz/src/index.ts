/**
 * `@nrm/viz`: colormaps, heatmaps, PNG files, heatmap grids and SVG relevance-flow diagrams for
 * explanations. Inputs are plain arrays; there is no TensorFlow.js dependency.
 *
 * @packageDocumentation
 */
export {
  colormapNames,
  colormaps,
  createColormap,
  getColormap,
  isColormapName,
  type ColorStop,
  type Colormap,
  type ColormapName,
  type Rgb,
} from './colormap.js';
export { assertFinite, normalizationBounds, normalize, type NormalizeOptions } from './normalize.js';
export { heatmapToRgba, imageToRgba, sumChannels, type HeatmapOptions, type ImageOptions } from './heatmap.js';
export { assertRgba, createRgbaImage, upscaleNearest, type Rgba, type RgbaBytes, type RgbaImage } from './rgba-image.js';
export { decodePng, encodePng, type EncodePngOptions } from './png.js';
export { writeFileAtomic, writePngAtomic, type AtomicWriteData } from './write-file-atomic.js';
export {
  gridLayout,
  heatmapGrid,
  type GridLabels,
  type GridLayout,
  type GridTile,
  type HeatmapGridOptions,
  type TileRows,
} from './grid.js';
export { FONT_5X7, GLYPH_ADVANCE, GLYPH_HEIGHT, GLYPH_WIDTH, glyphFor, type Glyph } from './bitmap-font.js';
export { drawText, measureText, type DrawTextOptions, type Rect } from './draw-text.js';
export {
  FLOW_NEGATIVE_COLOR,
  FLOW_POSITIVE_COLOR,
  FLOW_WALK_COLORS,
  escapeXml,
  flowDiagramSvg,
  formatSignificant,
  type ChannelFlow,
  type FlowChannel,
  type FlowDiagramInput,
  type FlowDiagramOptions,
  type FlowLayer,
  type FlowWalk,
} from './flow-diagram.js';
export { decodeImage, encodeJpeg, imageFormat, overlayHeatmap, resizeBilinear } from './image.js';
