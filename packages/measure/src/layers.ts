/** Layer names → graph nodes, the `'input'` alias, topological positions and the target's ancestry. */
import { InvalidArgumentError, UnknownLayerError, type Graph, type IRNode } from '@nrm/core';
import { NotBelowTargetError } from './errors.js';

/** The alias accepted for the graph's input layer (besides its own name). */
export const INPUT_ALIAS = 'input';

/** A layer name resolved against a graph. */
export interface ResolvedLayer {
  /** The name as the caller gave it. */
  readonly name: string;
  /** The graph node whose output relevance is the layer's relevance. */
  readonly id: string;
  readonly node: IRNode;
  /** Output shape without the batch axis. */
  readonly shape: readonly number[];
  /** Index of the node in `graph.nodes` (topological order: lower = nearer the input). */
  readonly position: number;
  /** Whether this is the graph's input node. */
  readonly isInput: boolean;
  /** A name the engine resolves to {@link id} (the engine looks up `graph.layers` before node ids). */
  readonly engineName: string;
}

/** Resolves layer names the way the engine does, plus the alias {@link INPUT_ALIAS}. */
export class LayerResolver {
  private readonly byId: Map<string, { node: IRNode; position: number }>;
  private readonly below: Set<string>;

  constructor(
    readonly graph: Graph,
    /** The target layer's name; sets must lie on it or below it. */
    readonly targetLayer: string,
  ) {
    this.byId = new Map(graph.nodes.map((node, position) => [node.id, { node, position }]));
    const targetId = this.resolve(targetLayer, false).id;
    this.below = new Set<string>();
    const stack = [targetId];
    while (stack.length > 0) {
      const id = stack.pop()!;
      if (this.below.has(id)) continue;
      this.below.add(id);
      stack.push(...this.byId.get(id)!.node.inputs);
    }
  }

  /** The node behind a layer name; throws {@link UnknownLayerError} or {@link NotBelowTargetError}. */
  resolve(name: string, requireBelowTarget = true): ResolvedLayer {
    const graph = this.graph;
    const id =
      graph.layers[name] ?? (this.byId.has(name) ? name : undefined) ?? (name === INPUT_ALIAS ? graph.input : undefined);
    if (id === undefined || !this.byId.has(id)) {
      throw new UnknownLayerError(name, [...Object.keys(graph.layers), `${INPUT_ALIAS} (alias of the input layer)`]);
    }
    if (requireBelowTarget && !this.below.has(id)) throw new NotBelowTargetError(name, this.targetLayer);
    const { node, position } = this.byId.get(id)!;
    return { name, id, node, shape: node.outputShape, position, isInput: id === graph.input, engineName: this.engineName(id, name) };
  }

  private engineName(id: string, given: string): string {
    const layers = this.graph.layers;
    if (layers[given] === id) return given;
    if (layers[id] === undefined || layers[id] === id) return id;
    const alias = Object.keys(layers).find((k) => layers[k] === id);
    if (alias === undefined) {
      throw new InvalidArgumentError(`Node '${id}' cannot be addressed by the engine: its id is also a layer name of node '${layers[id]}'.`);
    }
    return alias;
  }
}
