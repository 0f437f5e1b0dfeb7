/** Test support: structural checks of a graph. */
import type { Graph } from '@nrm/core';

/** Problems of `graph`: unknown or later inputs, duplicate ids, dangling outputs/layers. */
export function graphProblems(graph: Graph): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const node of graph.nodes) {
    if (seen.has(node.id)) problems.push(`duplicate id ${node.id}`);
    for (const input of node.inputs) if (!seen.has(input)) problems.push(`${node.id} reads ${input} before it exists`);
    seen.add(node.id);
  }
  if (!seen.has(graph.input)) problems.push(`input ${graph.input} missing`);
  for (const output of graph.outputs) if (!seen.has(output)) problems.push(`output ${output} missing`);
  for (const [name, id] of Object.entries(graph.layers)) if (!seen.has(id)) problems.push(`layer ${name} → missing ${id}`);
  return problems;
}
