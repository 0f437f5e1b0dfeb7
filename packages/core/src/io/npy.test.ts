import { describe, expect, it } from 'vitest';
import { InvalidNpyError } from '../errors.js';
import { readNpy, writeNpy } from './npy.js';

function npyWith(header: string, body: Uint8Array): Uint8Array {
  const h = new TextEncoder().encode(header);
  const out = new Uint8Array(10 + h.length + body.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0], 0);
  new DataView(out.buffer).setUint16(8, h.length, true);
  out.set(h, 10);
  out.set(body, 10 + h.length);
  return out;
}

describe('npy', () => {
  it('round-trips float32 arrays of any rank, with a 64-byte aligned header', () => {
    for (const shape of [[3], [2, 3], [1, 2, 2, 3], []]) {
      const n = shape.reduce((a, b) => a * b, 1);
      const data = Float32Array.from({ length: n }, (_, i) => i * 0.5 - 1);
      const bytes = writeNpy({ shape, data });
      expect((bytes.length - 4 * n) % 64).toBe(0);
      const back = readNpy(bytes);
      expect(back.shape).toEqual(shape);
      expect(Array.from(back.data)).toEqual(Array.from(data));
    }
  });
  it('writes the header NumPy writes for a 1-d array', () => {
    const text = new TextDecoder().decode(writeNpy({ shape: [3], data: new Float32Array(3) }).subarray(10, 70));
    expect(text).toContain("'shape': (3,)");
    expect(text).toContain("'descr': '<f4'");
  });
  it('converts float64 and int arrays to float32', () => {
    const body = new Uint8Array(16);
    new DataView(body.buffer).setFloat64(0, 1.5, true);
    new DataView(body.buffer).setFloat64(8, -2, true);
    expect(Array.from(readNpy(npyWith("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }\n", body)).data)).toEqual([1.5, -2]);
  });
  it('rejects what it cannot read, saying why', () => {
    expect(() => readNpy(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]))).toThrow(InvalidNpyError);
    expect(() => readNpy(npyWith("{'descr': '<f4', 'fortran_order': True, 'shape': (2,), }\n", new Uint8Array(8)))).toThrow(/Fortran/);
    expect(() => readNpy(npyWith("{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }\n", new Uint8Array(8)))).toThrow(/dtype >f4/);
    expect(() => readNpy(npyWith("{'descr': '<f4', 'fortran_order': False, 'shape': (4,), }\n", new Uint8Array(8)))).toThrow(/truncated/);
  });
});
