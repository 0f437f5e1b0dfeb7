import { UnsupportedLayerError } from '@nrm/core';
import { describe, expect, it } from 'vitest';
import { SUPPORTED_LAYER_CLASSES } from '../adapter/supported-layers.js';
import { dense, graphOf, node, snapshot } from '../testing/graphs.js';
import { stripFinalSoftmax } from './strip-final-softmax.js';

describe('stripFinalSoftmax', () => {
  const source = { name: 'predictions', className: 'Dense' };
  const graph = graphOf([
    node('in', 'input', []),
    dense('predictions', 'in', { source }),
    node('predictions/softmax', 'softmax', ['predictions'], { source }),
  ]);
  const withLayerMap = { ...graph, layers: { in: 'in', predictions: 'predictions/softmax' } };

  it('removes a final softmax, makes its input the output and warns', () => {
    const stripped = stripFinalSoftmax(withLayerMap);
    expect(stripped.nodes.map((n) => n.id)).toEqual(['in', 'predictions']);
    expect(stripped.outputs).toEqual(['predictions']);
    expect(stripped.layers).toEqual({ in: 'in', predictions: 'predictions' });
    expect(stripped.warnings).toEqual(["Final softmax of layer 'predictions' stripped: explaining logits"]);
  });

  it('keeps earlier warnings', () => {
    const stripped = stripFinalSoftmax({ ...graph, warnings: ['earlier'] });
    expect(stripped.warnings).toHaveLength(2);
    expect(stripped.warnings[0]).toBe('earlier');
  });

  it('rejects a softmax that is not the last layer', () => {
    const g = graphOf([
      node('in', 'input', []),
      node('sm', 'softmax', ['in'], { source: { name: 'sm', className: 'Activation' } }),
      dense('fc', 'sm'),
    ]);
    expect(() => stripFinalSoftmax(g)).toThrow(UnsupportedLayerError);
    expect(() => stripFinalSoftmax(g)).toThrow(/Layer 'sm' of class Activation is not supported \(softmax is only supported as the last layer\)/);
    try {
      stripFinalSoftmax(g);
    } catch (error) {
      expect(error).toMatchObject({ code: 'UNSUPPORTED_LAYER', layerName: 'sm', className: 'Activation' });
      expect((error as Error).message).toContain(SUPPORTED_LAYER_CLASSES.join(', '));
    }
  });

  it('rejects an output softmax that also feeds another node', () => {
    const g = graphOf([node('in', 'input', []), node('sm', 'softmax', ['in']), dense('fc', 'sm')], ['sm', 'fc']);
    expect(() => stripFinalSoftmax(g)).toThrow(UnsupportedLayerError);
  });

  it('does not mutate its input', () => {
    const before = snapshot(withLayerMap);
    stripFinalSoftmax(withLayerMap);
    expect(withLayerMap).toEqual(before);
  });
});
