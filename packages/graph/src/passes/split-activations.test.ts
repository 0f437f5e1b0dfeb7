import { describe, expect, it } from 'vitest';
import { graphProblems } from '../testing/graph-checks.js';
import { dense, graphOf, node, snapshot } from '../testing/graphs.js';
import { splitActivations } from './split-activations.js';

describe('splitActivations', () => {
  const source = { name: 'fc', className: 'Dense' };
  const graph = graphOf(
    [
      node('in', 'input', []),
      dense('fc', 'in', { activation: 'relu', source }),
      dense('mid', 'fc', { activation: 'linear' }),
      dense('out', 'mid', { activation: 'softmax', source: { name: 'out', className: 'Dense' } }),
    ],
    ['out'],
  );

  it('splits a fused ReLU: linear part <layer>/preact, the relu node takes the layer name', () => {
    const split = splitActivations(graph);
    expect(graphProblems(split)).toEqual([]);
    expect(split.nodes.map((n) => `${n.id}:${n.op}:${n.inputs.join('+')}`)).toEqual([
      'in:input:',
      'fc/preact:dense:in',
      'fc:relu:fc/preact',
      'mid:dense:fc',
      'out:dense:mid',
      'out/softmax:softmax:out',
    ]);
    expect(split.layers).toEqual({ in: 'in', fc: 'fc', mid: 'mid', out: 'out/softmax' });
    expect(split.outputs).toEqual(['out/softmax']);
    expect(split.nodes.every((n) => n.activation === undefined)).toBe(true);
    const relu = split.nodes.find((n) => n.id === 'fc');
    expect(relu).toMatchObject({ op: 'relu', outputShape: [4], source });
    expect(split.nodes.find((n) => n.id === 'fc/preact')?.params).toBe(graph.nodes[1]?.params);
  });

  it('rewires consumers of a split softmax and keeps the logits under the layer name', () => {
    const g = graphOf([node('in', 'input', []), dense('a', 'in', { activation: 'softmax' }), dense('b', 'a')]);
    const split = splitActivations(g);
    expect(split.nodes.find((n) => n.id === 'b')?.inputs).toEqual(['a/softmax']);
    expect(split.nodes.find((n) => n.id === 'a')?.op).toBe('dense');
  });

  it('picks a free id when <layer>/preact is taken', () => {
    const g = graphOf([node('in', 'input', []), node('x/preact', 'relu', ['in']), dense('x', 'x/preact', { activation: 'relu' })]);
    const split = splitActivations(g);
    expect(split.nodes.map((n) => n.id)).toEqual(['in', 'x/preact', 'x/preact_2', 'x']);
    expect(split.nodes.find((n) => n.id === 'x')?.inputs).toEqual(['x/preact_2']);
  });

  it('does not mutate its input', () => {
    const before = snapshot(graph);
    splitActivations(graph);
    expect(graph).toEqual(before);
  });
});
