export { generateShapes, shapeSceneAt, type GenerateShapesOptions, type ShapesDataset } from './shapes.js';
export {
  DISTRACTOR_KINDS,
  DISTRACTOR_MARGIN,
  MIN_SHAPES_SIZE,
  SHAPE_CLASS_NAMES,
  insideShape,
  renderScene,
  sampleScene,
  type BackgroundTexture,
  type Distractor,
  type ShapeClassName,
  type ShapeScene,
} from './shape-scene.js';
export { deriveSeed, mulberry32, shuffleInPlace, type Random } from './prng.js';
