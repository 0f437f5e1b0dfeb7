/** The drawing pad: draw a digit with the mouse, a pen or a finger (pointer events). */
import { centerDigit } from './center-digit.js';

/** Pixels of the pad's own bitmap (it is shown at this size too). */
export const PAD_SIZE = 280;
/** Stroke width on the pad (a 28 × 28 digit's strokes are about 2–3 pixels wide). */
const STROKE = 20;

/** A drawing pad on a canvas. */
export interface DrawPad {
  /** Wipes the pad. */
  clear(): void;
  /** Whether anything is drawn. */
  isEmpty(): boolean;
}

/**
 * Makes `canvas` a drawing pad; after each stroke `onDigit` gets the drawing as a 28 × 28
 * MNIST-style digit (see {@link centerDigit}).
 */
export function createDrawPad(canvas: HTMLCanvasElement, onDigit: (pixels: Float32Array) => void): DrawPad {
  canvas.width = PAD_SIZE;
  canvas.height = PAD_SIZE;
  canvas.style.touchAction = 'none';
  const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
  let empty = true;
  let last: { x: number; y: number } | null = null;

  const clear = (): void => {
    ctx.fillStyle = '#000';
    ctx.fillRect(0, 0, PAD_SIZE, PAD_SIZE);
    empty = true;
  };
  const point = (e: PointerEvent): { x: number; y: number } => {
    const r = canvas.getBoundingClientRect();
    return { x: ((e.clientX - r.left) / r.width) * PAD_SIZE, y: ((e.clientY - r.top) / r.height) * PAD_SIZE };
  };
  const stroke = (to: { x: number; y: number }): void => {
    const from = last ?? to;
    ctx.strokeStyle = '#fff';
    ctx.lineWidth = STROKE;
    ctx.lineCap = 'round';
    ctx.lineJoin = 'round';
    ctx.beginPath();
    ctx.moveTo(from.x, from.y);
    ctx.lineTo(to.x + (from === to ? 0.01 : 0), to.y);
    ctx.stroke();
    last = to;
    empty = false;
  };
  const finish = (): void => {
    if (last === null) return;
    last = null;
    const rgba = ctx.getImageData(0, 0, PAD_SIZE, PAD_SIZE).data;
    const grey = new Float32Array(PAD_SIZE * PAD_SIZE);
    for (let i = 0; i < grey.length; i++) grey[i] = rgba[i * 4]! / 255;
    onDigit(centerDigit(grey, PAD_SIZE, PAD_SIZE));
  };

  canvas.addEventListener('pointerdown', (e) => {
    canvas.setPointerCapture(e.pointerId);
    last = null;
    stroke(point(e));
  });
  canvas.addEventListener('pointermove', (e) => {
    if (last !== null) stroke(point(e));
  });
  canvas.addEventListener('pointerup', finish);
  canvas.addEventListener('pointercancel', finish);
  clear();
  return { clear, isEmpty: () => empty };
}
