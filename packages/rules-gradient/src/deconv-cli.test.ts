import { parseArgs } from 'node:util';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '@nrm/core';
import { DECONV_CLI_OPTIONS, DECONV_COMPOSITES, DECONV_USAGE, parseDeconvArgs } from './deconv-cli.js';
import { gradientMethods } from './index.js';

const parse = (argv: string[]) => parseDeconvArgs(parseArgs({ args: argv, options: DECONV_CLI_OPTIONS, strict: true, allowPositionals: false }).values);
const base = ['--model', 'm/model.json', '--input', 'x.npy', '--layer', 'conv1', '--channel', '7'];

describe('nrm deconv contract', () => {
  it('parses the documented command line, with the defaults', () => {
    expect(parse([...base, '--png', 'out.png'])).toEqual({
      modelPath: 'm/model.json',
      inputPath: 'x.npy',
      layer: 'conv1',
      channel: 7,
      position: 'max',
      method: 'deconvnet',
      composite: 'deconvnet',
      backend: 'wasm',
      out: undefined,
      png: 'out.png',
    });
    expect(parse([...base, '--method', 'guided', '--position', '3,4', '--out', 'p.npy', '--backend', 'cpu'])).toMatchObject({
      method: 'guided',
      composite: 'guided-backprop',
      position: [3, 4],
      out: 'p.npy',
      png: undefined,
      backend: 'cpu',
    });
    expect(parse([...base, '--position', 'all', '--out', 'p.npy']).position).toBe('all');
  });
  it('names the flag that is wrong', () => {
    expect(() => parse(['--model', 'm', '--input', 'x', '--channel', '1', '--png', 'o.png'])).toThrow(/deconv needs --layer/);
    expect(() => parse([...base.slice(0, -2), '--png', 'o.png'])).toThrow(/deconv needs --channel/);
    expect(() => parse([...base.slice(0, -2), '--channel=-1', '--png', 'o.png'])).toThrow(/--channel must be a non-negative integer, got '-1'/);
    expect(() => parse([...base.slice(0, -1), '2.5', '--png', 'o.png'])).toThrow(InvalidArgumentError);
    expect(() => parse([...base, '--position', '3,x', '--png', 'o.png'])).toThrow(/--position must be max, all or comma-separated/);
    expect(() => parse([...base, '--method', 'lrp', '--png', 'o.png'])).toThrow(/--method must be one of deconvnet, guided, got 'lrp'/);
    expect(() => parse([...base, '--method', 'toString', '--png', 'o.png'])).toThrow(/--method must be one of/);
    expect(() => parse(base)).toThrow(/--out <projection.npy> and\/or --png/);
  });
  it('runs composites the plugin registers, and the usage names every flag', () => {
    const ids = gradientMethods.composites!.map((c) => c.id);
    for (const id of Object.values(DECONV_COMPOSITES)) expect(ids).toContain(id);
    for (const flag of Object.keys(DECONV_CLI_OPTIONS).filter((f) => f !== 'help')) expect(DECONV_USAGE).toContain(`--${flag}`);
  });
});
