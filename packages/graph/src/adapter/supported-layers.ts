/** The Keras layer classes the tfjs-layers adapter translates. */
export const SUPPORTED_LAYER_CLASSES = [
  'InputLayer',
  'Dense',
  'Conv2D',
  'Conv2DTranspose',
  'DepthwiseConv2D',
  'MaxPooling2D',
  'AveragePooling2D',
  'GlobalAveragePooling2D',
  'GlobalMaxPooling2D',
  'Flatten',
  'Reshape',
  'Dropout',
  'BatchNormalization',
  'Activation',
  'ReLU',
  'Softmax',
  'Add',
  'Concatenate',
  'UpSampling2D',
  'ZeroPadding2D',
] as const;

/** One of {@link SUPPORTED_LAYER_CLASSES}. */
export type SupportedLayerClass = (typeof SUPPORTED_LAYER_CLASSES)[number];

/** Whether `className` is one of {@link SUPPORTED_LAYER_CLASSES}. */
export function isSupportedLayerClass(className: string): className is SupportedLayerClass {
  return (SUPPORTED_LAYER_CLASSES as readonly string[]).includes(className);
}
