import { describe, expect, it } from 'vitest';
import { graphProblems } from '../testing/graph-checks.js';
import { dense, graphOf, node, snapshot } from '../testing/graphs.js';
import { dropIdentities } from './drop-identities.js';

describe('dropIdentities', () => {
  const graph = graphOf([
    node('in', 'input', []),
    dense('a', 'in'),
    node('drop', 'dropout', ['a'], { attrs: { rate: 0.5 } }),
    node('lin', 'identity', ['drop']),
    node('sum', 'add', ['lin', 'a']),
    node('drop2', 'dropout', ['sum'], { attrs: { rate: 0.1 } }),
  ]);

  it('removes dropout and identity nodes and rewires consumers, outputs and layers', () => {
    const dropped = dropIdentities(graph);
    expect(graphProblems(dropped)).toEqual([]);
    expect(dropped.nodes.map((n) => `${n.id}:${n.inputs.join('+')}`)).toEqual(['in:', 'a:in', 'sum:a+a']);
    expect(dropped.outputs).toEqual(['sum']);
    expect(dropped.layers).toEqual({ in: 'in', a: 'a', drop: 'a', lin: 'a', sum: 'sum', drop2: 'sum' });
  });

  it('does not mutate its input', () => {
    const before = snapshot(graph);
    dropIdentities(graph);
    expect(graph).toEqual(before);
  });
});
