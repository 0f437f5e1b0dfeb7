/**
 * `.npy` (NumPy format 1.0/2.0) reading and writing for float32 C-order arrays, so that Python
 * users interoperate. Pure: bytes in, bytes out; no file system.
 */
import { InvalidNpyError } from '../errors.js';

/** A float32 array with its shape (C order). */
export interface NpyArray {
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/**
 * Parses a `.npy` file. Accepts `<f4` (and converts `<f8`, `<i4`, `<i8`, `|u1`, `|b1` to float32);
 * throws {@link InvalidNpyError} on anything else (Fortran order, big-endian, truncated data).
 */
export function readNpy(bytes: Uint8Array, what = 'the .npy file'): NpyArray {
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) {
    throw new InvalidNpyError(`${what} is not a .npy file (no \\x93NUMPY magic).`);
  }
  const major = bytes[6];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerLen: number;
  let offset: number;
  if (major === 1) {
    headerLen = view.getUint16(8, true);
    offset = 10;
  } else if (major === 2 || major === 3) {
    headerLen = view.getUint32(8, true);
    offset = 12;
  } else {
    throw new InvalidNpyError(`${what} has unsupported .npy version ${String(major)}.`);
  }
  const header = new TextDecoder('latin1').decode(bytes.subarray(offset, offset + headerLen));
  const descr = /'descr'\s*:\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) {
    throw new InvalidNpyError(`${what} has a malformed header: ${header.trim()}`);
  }
  if (fortran === 'True') throw new InvalidNpyError(`${what} is in Fortran order; save it in C order.`);
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map((s) => Number.parseInt(s, 10));
  if (shape.some((d) => !Number.isFinite(d) || d < 0)) {
    throw new InvalidNpyError(`${what} has an invalid shape (${shapeText}).`);
  }
  const count = shape.reduce((a, b) => a * b, 1);
  const dataStart = offset + headerLen;
  const readers: Record<string, [number, (i: number) => number]> = {
    '<f4': [4, (i) => view.getFloat32(dataStart + 4 * i, true)],
    '<f8': [8, (i) => view.getFloat64(dataStart + 8 * i, true)],
    '<i4': [4, (i) => view.getInt32(dataStart + 4 * i, true)],
    '<i8': [8, (i) => Number(view.getBigInt64(dataStart + 8 * i, true))],
    '|u1': [1, (i) => view.getUint8(dataStart + i)],
    '|b1': [1, (i) => view.getUint8(dataStart + i)],
  };
  const reader = readers[descr];
  if (!reader) {
    throw new InvalidNpyError(`${what} has dtype ${descr}; supported: ${Object.keys(readers).join(', ')} (little-endian).`);
  }
  const [size, read] = reader;
  if (bytes.length - dataStart < count * size) {
    throw new InvalidNpyError(
      `${what} is truncated: shape (${shape.join(', ')}) needs ${count * size} data bytes, found ${bytes.length - dataStart}.`,
    );
  }
  let data: Float32Array;
  if (descr === '<f4' && (bytes.byteOffset + dataStart) % 4 === 0) {
    data = new Float32Array(bytes.buffer.slice(bytes.byteOffset + dataStart, bytes.byteOffset + dataStart + 4 * count));
  } else {
    data = new Float32Array(count);
    for (let i = 0; i < count; i++) data[i] = read(i);
  }
  return { shape, data };
}

/** Serializes a float32 array as a `.npy` (version 1.0, `<f4`, C order). */
export function writeNpy(array: NpyArray): Uint8Array {
  const count = array.shape.reduce((a, b) => a * b, 1);
  if (count !== array.data.length) {
    throw new InvalidNpyError(`shape (${array.shape.join(', ')}) holds ${count} values but data has ${array.data.length}.`);
  }
  const shapeText = array.shape.length === 1 ? `${array.shape[0]},` : array.shape.join(', ');
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${shapeText}), }`;
  const total = 10 + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const out = new Uint8Array(10 + header.length + 4 * count);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  new DataView(out.buffer).setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  const body = new Uint8Array(array.data.buffer, array.data.byteOffset, 4 * count);
  out.set(body, 10 + header.length);
  return out;
}
