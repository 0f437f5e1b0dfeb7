import { describe, expect, it } from 'vitest';
import { heatmapToRgba, imageToRgba, sumChannels } from './heatmap.js';

const pixel = (rgba: Uint8ClampedArray, i: number) => Array.from(rgba.slice(i * 4, i * 4 + 4));

describe('heatmapToRgba', () => {
  it('renders negative blue, zero white, positive red with bwr', () => {
    const rgba = heatmapToRgba([-1, 0, 1, 0.5], 2, 2);
    expect(rgba).toBeInstanceOf(Uint8ClampedArray);
    expect(rgba.length).toBe(16);
    expect(pixel(rgba, 0)).toEqual([0, 0, 255, 255]);
    expect(pixel(rgba, 1)).toEqual([255, 255, 255, 255]);
    expect(pixel(rgba, 2)).toEqual([255, 0, 0, 255]);
    expect(pixel(rgba, 3)).toEqual([255, 128, 128, 255]);
  });

  it('an all-zero map is the centre colour', () => {
    const rgba = heatmapToRgba(new Float32Array(3), 1, 3, { cmap: 'coldnhot' });
    expect(pixel(rgba, 2)).toEqual([0, 0, 0, 255]);
  });

  it('gray with symmetric=false is a min–max image', () => {
    const rgba = heatmapToRgba([1, 3], 1, 2, { cmap: 'gray', symmetric: false });
    expect(pixel(rgba, 0)).toEqual([0, 0, 0, 255]);
    expect(pixel(rgba, 1)).toEqual([255, 255, 255, 255]);
  });

  it('validates size, values and colormap', () => {
    expect(() => heatmapToRgba([1, 2, 3], 2, 2)).toThrow(/3 elements but a 2×2 heatmap needs 4/);
    expect(() => heatmapToRgba([Number.NaN], 1, 1)).toThrow(/non-finite/);
    expect(() => heatmapToRgba([1], 1, 1, { cmap: 'jet' })).toThrow(/Unknown colormap 'jet'/);
    expect(() => heatmapToRgba([1], 0, 1)).toThrow(/height/);
  });
});

describe('sumChannels', () => {
  it('sums the channel axis of an [H, W, C] array', () => {
    // 2×2 pixels, 3 channels
    const data = [1, 2, 3, 4, 5, 6, -1, 1, 0, 0.5, 0.25, 0.25];
    expect(Array.from(sumChannels(data, [2, 2, 3]))).toEqual([6, 15, 0, 1]);
  });

  it('is the identity for one channel', () => {
    const data = new Float32Array([1, -2, 3]);
    expect(Array.from(sumChannels(data, [1, 3, 1]))).toEqual([1, -2, 3]);
  });

  it('rejects a shape that does not match', () => {
    expect(() => sumChannels([1, 2, 3], [1, 1, 2])).toThrow(/shape \[1, 1, 2\]/);
  });
});

describe('imageToRgba', () => {
  it('renders grayscale and RGB images', () => {
    expect(pixel(imageToRgba([0, 1], [1, 2, 1], { vmin: 0, vmax: 1 }), 1)).toEqual([255, 255, 255, 255]);
    expect(pixel(imageToRgba([1, 0, 0.5], [1, 1, 3], { vmin: 0, vmax: 1 }), 0)).toEqual([255, 0, 128, 255]);
    expect(() => imageToRgba([1, 2], [1, 1, 2])).toThrow(/1 or 3 channels/);
  });
});
