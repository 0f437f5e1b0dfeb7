import { describe, expect, it } from 'vitest';
import { tfjsLayersAdapter } from './adapter/tfjs-layers-adapter.js';
import * as api from './index.js';
import { tfjsLayers } from './plugin.js';

describe('tfjsLayers plugin', () => {
  it('carries the tfjs-layers adapter', () => {
    expect(tfjsLayers).toEqual({ specificationVersion: 'v1', name: '@nrm/graph', adapters: [tfjsLayersAdapter] });
  });

  it('the package index exports the public API', () => {
    expect(Object.keys(api).sort()).toEqual(
      [
        'PREACTIVATION_SUFFIX',
        'SOFTMAX_SUFFIX',
        'SUPPORTED_LAYER_CLASSES',
        'canonicalize',
        'dropIdentities',
        'foldAffineIntoParams',
        'foldBatchNorm',
        'graphFromLayersModel',
        'isSupportedLayerClass',
        'layersModelToGraph',
        'loadGraph',
        'loadLayersModelFromFiles',
        'loadLayersModelFromMemory',
        'splitActivations',
        'stripFinalSoftmax',
        'tfjsLayers',
        'tfjsLayersAdapter',
        'RECOMMENDED_COMPOSITES',
        'RESNET_BN_EPSILON',
        'buildConvAutoencoder',
        'buildResNet50',
        'buildVgg16',
        'zeroModelBiases',
      ].sort(),
    );
  });
});
