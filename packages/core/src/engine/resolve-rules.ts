import type { Composite, CompositeOptions, NodeMatch, Propagation, Rule, RuleRef } from '../contracts.js';
import { InvalidArgumentError } from '../errors.js';
import { STRUCTURAL_OPS, type Graph, type IRNode } from '../ir.js';
import type { Registry } from '../registry.js';

/** The rule bound to one node, after resolution. */
export interface BoundRule {
  /** Rule id, or `builtin/gradient` / `builtin/pass` when the composite has no entry for the node. */
  readonly ruleId: string;
  readonly options: Readonly<Record<string, unknown>>;
  readonly propagation: Propagation | 'gradient';
}

function matchesBasic(match: NodeMatch, node: IRNode): boolean {
  if (match.op !== undefined) {
    const ops: readonly string[] = typeof match.op === 'string' ? [match.op] : match.op;
    if (!ops.includes(node.op)) return false;
  }
  if (match.name !== undefined) {
    if (typeof match.name === 'string' ? match.name !== node.id : !match.name.test(node.id)) return false;
  }
  return true;
}

function matches(match: NodeMatch, node: IRNode, graph: Graph): boolean {
  if (!matchesBasic(match, node)) return false;
  if (match.position === undefined) return true;
  const candidates = graph.nodes.filter((n) => matchesBasic(match, n));
  const pick = match.position === 'first' ? candidates[0] : candidates[candidates.length - 1];
  return pick?.id === node.id;
}

function refOf(use: string | RuleRef): RuleRef {
  return typeof use === 'string' ? { rule: use } : use;
}

/**
 * Binds every node of the graph to a rule of the composite (first matching entry wins) and
 * creates the rule's propagation once. Nodes with no entry: the input passes relevance on;
 * structural ops and others use the plain gradient (as Zennit leaves unmatched layers alone).
 */
export function resolveRules(
  graph: Graph,
  composite: Composite,
  registry: Registry,
  compositeOptions: CompositeOptions,
  nonNegative: ReadonlySet<string>,
): Map<string, BoundRule> {
  const bound = new Map<string, BoundRule>();
  for (const node of graph.nodes) {
    const entry = composite.rules.find((e) => matches(e.match, node, graph));
    if (!entry) {
      const builtin = node.op === 'input' ? 'builtin/pass' : 'builtin/gradient';
      bound.set(node.id, { ruleId: builtin, options: {}, propagation: node.op === 'input' ? 'pass' : 'gradient' });
      continue;
    }
    const ref = refOf(entry.use);
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const rule: Rule<any> = registry.rule(ref.rule);
    if (!rule.meta.appliesTo.includes(node.op) && !(STRUCTURAL_OPS as readonly string[]).includes(node.op)) {
      throw new InvalidArgumentError(
        `Composite '${composite.id}' binds rule '${rule.id}' to node '${node.id}' (${node.op}), but the rule applies only to: ${rule.meta.appliesTo.join(', ')}.`,
      );
    }
    const given = typeof ref.options === 'function' ? ref.options(compositeOptions) : (ref.options ?? {});
    const options = Object.freeze({ ...rule.meta.defaultOptions, ...stripUndefined(given as Record<string, unknown>) });
    const propagation = rule.create(options, {
      node,
      graph,
      inputsNonNegative: node.inputs.map((i) => nonNegative.has(i)),
    });
    bound.set(node.id, { ruleId: rule.id, options, propagation });
  }
  return bound;
}

function stripUndefined(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}
