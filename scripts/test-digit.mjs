#!/usr/bin/env node
/**
 * Writes one test digit of a shipped digits model as an input for `nrm`: a float32 `.npy` of shape
 * [1, 28, 28, 1] (pixels in [0, 1], the models' input) and/or an 8-bit grayscale PNG (for
 * `nrm images`). The digits are the 12 test digits in `<model-dir>/test-digits.json`.
 *
 *   node scripts/test-digit.mjs --label 3 --npy digit.npy --png digit.png
 *   node scripts/test-digit.mjs --model-dir examples/digits-resnet/model --position 0 --npy x.npy
 *
 * Plain Node (no dependencies), so it runs before or without a build.
 */
import { mkdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { deflateSync } from 'node:zlib';

const USAGE = `node scripts/test-digit.mjs [--model-dir examples/digits-cnn/model] (--label <0-9> | --position <0-11>) [--npy out.npy] [--png out.png]`;

/** A float32, C-order `.npy` (format 1.0) of `data` with `shape`. */
export function npyBytes(data, shape) {
  const dict = `{'descr': '<f4', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  const unpadded = 10 + dict.length + 1;
  const header = dict + ' '.repeat((64 - (unpadded % 64)) % 64) + '\n';
  const out = Buffer.alloc(10 + header.length + data.length * 4);
  out.write('\x93NUMPY', 0, 'latin1');
  out[6] = 1;
  out[7] = 0;
  out.writeUInt16LE(header.length, 8);
  out.write(header, 10, 'latin1');
  Buffer.from(Float32Array.from(data).buffer).copy(out, 10 + header.length);
  return out;
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes) {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, body) {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(body.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), body])), 0);
  return Buffer.concat([head, body, crc]);
}

/** An 8-bit grayscale PNG of `pixels` (row-major, values in [0, 1]). */
export function grayPngBytes(pixels, width, height) {
  const raw = Buffer.alloc(height * (width + 1));
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const v = Math.min(1, Math.max(0, pixels[y * width + x]));
      raw[y * (width + 1) + 1 + x] = Math.round(v * 255);
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 0; // grayscale
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

function write(path, bytes) {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, bytes);
  console.log(`wrote ${path}`);
}

function main() {
  const { values } = parseArgs({
    options: {
      'model-dir': { type: 'string', default: 'examples/digits-cnn/model' },
      label: { type: 'string' },
      position: { type: 'string' },
      npy: { type: 'string' },
      png: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help || (!values.npy && !values.png) || (values.label === undefined) === (values.position === undefined)) {
    console.log(USAGE);
    process.exit(values.help ? 0 : 2);
  }
  const digits = JSON.parse(readFileSync(join(values['model-dir'], 'test-digits.json'), 'utf8'));
  const digit =
    values.position !== undefined ? digits[Number(values.position)] : digits.find((d) => d.label === Number(values.label));
  if (!digit) {
    console.error(`test-digit: no such digit in ${values['model-dir']}/test-digits.json (${digits.length} digits, labels ${digits.map((d) => d.label).join(',')})`);
    process.exit(1);
  }
  console.log(`test digit: label ${digit.label}, test index ${digit.index}, mnist package index ${digit.sourceIndex}`);
  if (values.npy) write(values.npy, npyBytes(digit.pixels, [1, 28, 28, 1]));
  if (values.png) write(values.png, grayPngBytes(digit.pixels, 28, 28));
}

if (process.argv[1] && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href) main();
