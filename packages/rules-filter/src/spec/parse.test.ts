/** The `--filter` spec parser: accepted forms and clear errors. */
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '@nrm/core';
import { createFilter, formatFilterSpec, parseFilterSpec } from '../index.js';

describe('parseFilterSpec', () => {
  it('reads op, the two numbers and the layers', () => {
    expect(parseFilterSpec('clamp:0,0.2@conv3,conv4')).toEqual({ op: 'clamp', a1: 0, a2: 0.2, layers: ['conv3', 'conv4'] });
    expect(parseFilterSpec('pass:0,.05@conv3')).toEqual({ op: 'pass', a1: 0, a2: 0.05, layers: ['conv3'] });
    expect(parseFilterSpec('amplify:0.7,2@block5_conv3')).toEqual({ op: 'amplify', a1: 0.7, a2: 2, layers: ['block5_conv3'] });
  });

  it('allows spaces, an upper-case op, exponents and node ids', () => {
    expect(parseFilterSpec(' Clamp : 0 , 5e-2 @ conv3 , conv3/preact ')).toEqual({
      op: 'clamp',
      a1: 0,
      a2: 0.05,
      layers: ['conv3', 'conv3/preact'],
    });
  });

  it('round-trips through formatFilterSpec', () => {
    for (const text of ['clamp:0,0.6@a,b', 'pass:0.1,0.2@x', 'amplify:0.5,2@c']) {
      expect(formatFilterSpec(parseFilterSpec(text))).toBe(text);
    }
  });

  const errors: [string, RegExp][] = [
    ['band:0,1@conv3', /unknown filter 'band' \(expected one of clamp, pass, amplify\)/],
    ['clamp:0,abc@conv3', /a2 'abc' is not a number/],
    ['clamp:,0.2@conv3', /a1 '' is not a number/],
    ['clamp:0,Infinity@conv3', /a2 'Infinity' is not a number/],
    ['clamp:0x1,2@conv3', /a1 '0x1' is not a number/],
    ['amplify:0.5,two@conv3', /the factor 'two' is not a number/],
    ['clamp:0.2@conv3', /clamp takes exactly two numbers, got 1/],
    ['pass:0,0.2,0.5@conv3', /pass takes exactly two numbers, got 3/],
    ['clamp@conv3', /no parameters/],
    ['clamp:0,0.2', /no layers \(missing "@<layer>,…"\)/],
    ['clamp:0,0.2@', /no layers after "@"/],
    ['clamp:0,0.2@ ', /no layers after "@"/],
    ['clamp:0,0.2@conv3,,conv4', /an empty layer name/],
    ['clamp:0,0.2@conv3,conv3', /layer 'conv3' is listed twice/],
    ['pass:0.6,0.2@conv3', /needs a1 ≤ a2; got a1 = 0.6, a2 = 0.2/],
  ];

  it.each(errors)('%s fails with a clear InvalidArgumentError', (text, message) => {
    let error: unknown;
    try {
      parseFilterSpec(text);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidArgumentError);
    const text_ = (error as Error).message;
    expect(text_).toMatch(message);
    expect(text_).toContain(`Filter spec '${text}'`);
    expect(text_).toContain('<clamp|pass|amplify>:<a1>,<a2>@<layer>');
  });
});

describe('createFilter', () => {
  it('rejects an unknown op given as an object', () => {
    expect(() => createFilter({ op: 'median' as 'pass', a1: 0, a2: 1 })).toThrow(/Unknown filter 'median'/);
  });
});
