// Float16 model files without tfjs-node: a tf.io save handler writing the
// standard layers-model `model.json` + `weights.bin` (weights stored as IEEE
// float16, `quantization: { dtype: 'float16' }` in the manifest), a loader
// reading them back from disk, and the in-place float16 rounding of a model.
//
// Shared by every example's training script (train.mjs of digits-cnn, digits-resnet,
// digits-autoencoder and ground-truth-shapes); a module of its own because the training scripts
// parse process.argv when they are loaded.

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

// float32 <-> IEEE-754 binary16, round-to-nearest-even (Node 20 has no Float16Array).
const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

export function float32ToFloat16Bits(value) {
  f32[0] = value;
  const x = u32[0];
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0); // inf / NaN
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00; // overflow -> inf
  if (e <= 0) {
    if (e < -10) return sign; // underflow -> signed zero
    mant |= 0x800000;
    const shift = 14 - e;
    let half = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    if (rem > halfway || (rem === halfway && half & 1)) half++;
    return sign | half; // subnormal (a carry correctly yields the smallest normal)
  }
  let half = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && half & 1)) half++; // a carry correctly bumps the exponent
  return sign | half;
}

export function float16BitsToFloat32(h) {
  const sign = h & 0x8000 ? -1 : 1;
  const e = (h >>> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return sign * m * 2 ** -24;
  if (e === 0x1f) return m ? NaN : sign * Infinity;
  return sign * (1024 + m) * 2 ** (e - 25);
}

/** Rounds every weight of `model` to the nearest float16 value, in place (what a float16 save stores). */
export function roundWeightsToFloat16(model) {
  const rounded = model.getWeights().map((w) => {
    const src = w.dataSync();
    const out = new Float32Array(src.length);
    for (let i = 0; i < src.length; i++) out[i] = float16BitsToFloat32(float32ToFloat16Bits(src[i]));
    return tf.tensor(out, w.shape, 'float32');
  });
  model.setWeights(rounded);
  tf.dispose(rounded);
}

/**
 * A tf.io IOHandler writing `<dir>/model.json` + `<dir>/weights.bin` in the
 * standard tfjs layers-model format. With `{ float16: true }` float32 weights
 * are stored as IEEE float16 and their manifest entries get
 * `quantization: { dtype: 'float16' }` (the format tfjs-converter's
 * --quantize_float16 writes); tf.io.decodeWeights / tf.loadLayersModel expand
 * them back to float32 on load. Halves weights.bin (220 KB -> 110 KB here).
 */
export function fileSaveHandler(dir, { float16 = false } = {}) {
  return {
    async save(artifacts) {
      mkdirSync(dir, { recursive: true });
      let weightData = tf.io.CompositeArrayBuffer.join(artifacts.weightData);
      let weightSpecs = artifacts.weightSpecs;
      if (float16) {
        if (weightSpecs.some((spec) => spec.dtype !== 'float32' || spec.quantization)) {
          throw new Error('float16 storage expects plain float32 weights');
        }
        const src = new Float32Array(weightData);
        const half = new Uint16Array(src.length);
        for (let i = 0; i < src.length; i++) half[i] = float32ToFloat16Bits(src[i]);
        weightData = half.buffer;
        weightSpecs = weightSpecs.map((spec) => ({ ...spec, quantization: { dtype: 'float16' } }));
      }
      const modelJson = {
        modelTopology: artifacts.modelTopology,
        format: artifacts.format ?? 'layers-model',
        generatedBy: artifacts.generatedBy ?? `TensorFlow.js tfjs-layers v${tfl.version_layers}`,
        convertedBy: artifacts.convertedBy ?? null,
        weightsManifest: [{ paths: ['weights.bin'], weights: weightSpecs }],
      };
      writeFileSync(join(dir, 'model.json'), JSON.stringify(modelJson));
      writeFileSync(join(dir, 'weights.bin'), new Uint8Array(weightData));
      return {
        modelArtifactsInfo: {
          dateSaved: new Date(),
          modelTopologyType: 'JSON',
          modelTopologyBytes: JSON.stringify(artifacts.modelTopology).length,
          weightSpecsBytes: JSON.stringify(weightSpecs).length,
          weightDataBytes: weightData.byteLength,
        },
      };
    },
  };
}

/** Reads `<dir>/model.json` + its weight files back into a LayersModel (no tfjs-node, no fetch). */
export async function loadModelFromDir(dir) {
  const modelJson = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
  const weightSpecs = [];
  const buffers = [];
  for (const group of modelJson.weightsManifest) {
    weightSpecs.push(...group.weights);
    for (const p of group.paths) {
      const b = readFileSync(join(dir, p));
      buffers.push(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
    }
  }
  const weightData = tf.io.CompositeArrayBuffer.join(buffers);
  return tfl.loadLayersModel(tf.io.fromMemory({ modelTopology: modelJson.modelTopology, weightSpecs, weightData }));
}
