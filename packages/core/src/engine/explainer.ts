import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';
import type { Composite, CompositeOptions, DeviceParams, NodeContext, ParamName } from '../contracts.js';
import { BackendLimitError, InvalidArgumentError, NonFiniteInputError, ShapeMismatchError, UnknownLayerError } from '../errors.js';
import type { Graph, IRNode } from '../ir.js';
import { enrollForDerived, releaseDerived } from '../ops/derived-tensors.js';
import { OPS } from '../ops/registry-of-ops.js';
import type { Registry } from '../registry.js';
import { stabilize } from '../stabilize.js';
import { runBranches } from './branches.js';
import { assertLive, isDeviceGraph, uploadGraph, type DeviceGraph } from './device-graph.js';
import { nonNegativeOutputs } from './non-negative.js';
import type { Condition, ExplainRequest, Explanation } from './requests.js';
import { resolveRules, type BoundRule } from './resolve-rules.js';
import { buildConditionMask, buildSeed } from './seeds.js';

/** Stored forward outputs, by node id (the full batch, or rows repeated for an expansion). */
interface Activations {
  get(id: string): Tensor | undefined;
  /** Where a rule's `ctx.report` goes (a clone is kept). */
  report?(node: string, name: string, value: Tensor): void;
  /** See `BranchNodeState.sharedForward`; present while walking the rows of an expansion. */
  sharedForward?(node: IRNode, branch: number, compute: (inputs: readonly Tensor[]) => Tensor): Tensor;
}

/** How to build an explainer. */
export interface ExplainerOptions {
  /**
   * The graph, or a {@link DeviceGraph} from `uploadGraph` whose parameters are already on the
   * device (shared by several explainers, optionally without a host copy).
   */
  readonly graph: Graph | DeviceGraph;
  readonly registry: Registry;
  /** A registered composite id, or a composite object. */
  readonly composite: string | Composite;
  /** Options handed to the composite's rules (`epsilon`, `low`, `high`, …). */
  readonly options?: CompositeOptions;
  /** Declare the model input non-negative (lets rules skip `x⁻` branches at the first layer). */
  readonly inputNonNegative?: boolean;
  /** Reject NaN/Inf inputs (default true; costs one small read per explanation). */
  readonly checkFinite?: boolean;
  /**
   * Transforms of the relevance **leaving** chosen layers (what a layer's rule hands to its
   * inputs), applied before it propagates further: e.g. amplitude filters. They compose with any
   * composite. A transform must return a new tensor of the same shape and not dispose its input.
   */
  readonly outgoing?: readonly { readonly layer: string; readonly transform: (relevance: Tensor) => Tensor }[];
}

/** A composite bound to a graph: parameters on the device, rules created, modified weights cached. */
export interface Explainer {
  readonly graph: Graph;
  readonly composite: Composite;
  /** Node id → the rule id bound to it. */
  readonly rules: Readonly<Record<string, string>>;
  /** Runs the forward and the backward walk; the caller disposes the result. */
  explain(input: Tensor, request: ExplainRequest): Explanation;
  /** The forward output of a layer (default: the graph's first output). */
  forward(input: Tensor, layer?: string): Tensor;
  /** Frees the device parameters and cached modified weights. */
  dispose(): void;
}

function nodeIdOf(graph: Graph, layer: string): string {
  const id = graph.layers[layer] ?? (graph.nodes.some((n) => n.id === layer) ? layer : undefined);
  if (id === undefined) throw new UnknownLayerError(layer, Object.keys(graph.layers));
  return id;
}

/** All nodes the target depends on (itself included), in topological order. */
function ancestors(graph: Graph, targetId: string): IRNode[] {
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const needed = new Set<string>();
  const stack = [targetId];
  while (stack.length) {
    const id = stack.pop()!;
    if (needed.has(id)) continue;
    needed.add(id);
    stack.push(...byId.get(id)!.inputs);
  }
  return graph.nodes.filter((n) => needed.has(n.id));
}

function checkFinite(input: Tensor): void {
  const bad = tf.tidy(() => tf.sum(tf.cast(tf.logicalNot(tf.isFinite(input)), 'int32')));
  let count: number;
  try {
    count = bad.dataSync()[0]!;
  } catch (error) {
    // A backend without synchronous reads (WebGPU in Node): the check cannot run synchronously;
    // the caller checks on the host (or reads asynchronously) instead.
    if (error instanceof BackendLimitError && error.limit === 'synchronous reads') return;
    throw error;
  } finally {
    bad.dispose();
  }
  if (count > 0) {
    const data = input.dataSync();
    const first = data.findIndex((v) => !Number.isFinite(v));
    throw new NonFiniteInputError('The input', count, first);
  }
}

/** `f()` in a tidy that may also return `null`. */
function tidyOrNull(f: () => Tensor | null): Tensor | null {
  let result: Tensor | null = null;
  tf.tidy(() => {
    result = f();
    if (result) tf.keep(result);
  });
  return result;
}

/** Resolves the composite on the graph and uploads the parameters, once. */
export function createExplainer(options: ExplainerOptions): Explainer {
  const { registry } = options;
  const graph = isDeviceGraph(options.graph) ? options.graph.graph : options.graph;
  const composite = typeof options.composite === 'string' ? registry.composite(options.composite) : options.composite;
  const compositeOptions = { ...composite.defaultOptions, ...options.options };
  const nonNegative = nonNegativeOutputs(graph, options.inputNonNegative ?? false);
  const bound = resolveRules(graph, composite, registry, compositeOptions, nonNegative);
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const inputNode = byId.get(graph.input)!;
  const owned: Tensor[] = [];
  const keep = <T extends Tensor>(t: T): T => {
    owned.push(tf.keep(t));
    enrollForDerived(t);
    return t;
  };
  // A shared device graph is used as is (and not disposed here); a plain graph is uploaded now.
  const shared = isDeviceGraph(options.graph) ? options.graph : undefined;
  if (shared) assertLive(shared);
  const device = shared ?? uploadGraph(graph);
  const deviceParams = device.params;
  type Modifier = (p: Tensor, name: ParamName) => Tensor | null;
  /** Per node: modified parameters by modifier (a branch's `param`) or by a rule's own string key. */
  const modifiedCache = new Map<string, Map<Modifier | string, { params: DeviceParams; transposeOnly: boolean }>>();
  /**
   * A node's parameters through `modify`, computed once per explainer and key (each in its own
   * tidy, so that a modifier's intermediates are freed before anything else is allocated). Branches
   * are keyed by their modifier, so branches that pass the same function share one modified kernel
   * and whatever is derived from it. With `transposeOnly` (a branch with `forward: false`), no bias
   * is computed (transposed maps never read one), and the op may derive what its transposed map
   * reads at once; the modified kernel itself is then freed, its tensor object staying as the key
   * of those derived kernels (LRP-γ's `W↓` on VGG16: 56 MB less at the peak). A transposed map can
   * use any entry; a forward needs one made for a forward.
   */
  const modified = (node: IRNode, key: Modifier | string, modify: Modifier, transposeOnly = false): DeviceParams => {
    let byKey = modifiedCache.get(node.id);
    if (!byKey) modifiedCache.set(node.id, (byKey = new Map()));
    const cached = byKey.get(key);
    if (cached && (transposeOnly || !cached.transposeOnly)) return cached.params;
    const base = deviceParams.get(node.id);
    if (!base) throw new InvalidArgumentError(`Node '${node.id}' (${node.op}) has no parameters to modify.`);
    // A modifier may hand a parameter back unchanged: that one stays the device graph's.
    const own = (t: Tensor, original: Tensor) => (t === original ? t : keep(t));
    const kernel = own(tidyOrNull(() => modify(base.kernel, 'kernel')) ?? tf.zerosLike(base.kernel), base.kernel);
    const bias = base.bias && !transposeOnly ? tidyOrNull(() => modify(base.bias!, 'bias')) : null;
    const params: DeviceParams = { kernel, bias: bias ? own(bias, base.bias!) : undefined };
    // (A forward after a transpose-only entry replaces it; the old tensors are freed with the explainer.)
    byKey.set(key, { params, transposeOnly });
    const prepare = OPS[node.op].prepareTranspose;
    if (transposeOnly && kernel !== base.kernel && prepare && tf.tidy(() => prepare(node, params))) kernel.dispose();
    return params;
  };
  const outgoing = new Map<string, (relevance: Tensor) => Tensor>();
  for (const { layer, transform } of options.outgoing ?? []) {
    const id = nodeIdOf(graph, layer);
    if (outgoing.has(id)) throw new InvalidArgumentError(`Two outgoing transforms on layer '${layer}'; compose them into one.`);
    outgoing.set(id, transform);
  }
  let disposed = false;

  const runForward = (input: Tensor, nodes: readonly IRNode[]): Map<string, Tensor> => {
    const expected = [null, ...inputNode.outputShape];
    if (input.rank !== expected.length || input.shape.some((d, i) => i > 0 && d !== expected[i])) {
      throw new ShapeMismatchError('The input', expected, input.shape);
    }
    if (options.checkFinite !== false) checkFinite(input);
    const outputs = new Map<string, Tensor>();
    try {
      for (const node of nodes) {
        if (node.op === 'input') {
          outputs.set(node.id, tf.clone(input));
          continue;
        }
        const inputs = node.inputs.map((i) => outputs.get(i)!);
        outputs.set(node.id, tf.tidy(() => OPS[node.op].forward(node, inputs, deviceParams.get(node.id))));
      }
    } catch (error) {
      for (const t of outputs.values()) t.dispose();
      throw error;
    }
    return outputs;
  };

  const propagateNode = (node: IRNode, rule: BoundRule, relevance: Tensor, outputs: Activations): Tensor[] => {
    const inputs = node.inputs.map((i) => outputs.get(i)!);
    const output = outputs.get(node.id)!;
    const params = deviceParams.get(node.id);
    const inputsNonNegative = node.inputs.map((i) => nonNegative.has(i));
    const p = rule.propagation;
    if (p === 'pass') {
      if (node.op === 'input') return [tf.clone(relevance)];
      if (inputs.length !== 1 || inputs[0]!.size !== relevance.size) {
        throw new InvalidArgumentError(`Rule '${rule.ruleId}' passes relevance unchanged, which node '${node.id}' (${node.op}) cannot do.`);
      }
      return [tf.reshape(relevance, inputs[0]!.shape)];
    }
    if (p === 'gradient') return OPS[node.op].vjp(node, relevance, inputs, output, params);
    if ('branches' in p) {
      return runBranches(p, relevance, {
        node,
        inputs,
        output,
        inputsNonNegative,
        branchParams: (i) => {
          const branch = p.branches[i]!;
          return branch.param ? modified(node, branch.param, branch.param, branch.forward === false) : params;
        },
        sharedForward: outputs.sharedForward ? (i, compute) => outputs.sharedForward!(node, i, compute) : undefined,
      });
    }
    const ctx: NodeContext = {
      node,
      inputs: node.op === 'input' ? [output] : inputs,
      output,
      inputsNonNegative,
      params,
      forward: (xs, ps) => OPS[node.op].forward(node, xs, ps ?? params),
      transpose: (s, ps) => {
        const t = OPS[node.op].transpose;
        if (!t) throw new InvalidArgumentError(`Node '${node.id}' (${node.op}) is not linear: it has no transposed map.`);
        return t(node, s, ps ?? params, inputs.map((x) => x.shape));
      },
      vjp: (s) => OPS[node.op].vjp(node, s, inputs, output, params),
      modifiedParams: (key, modify) => modified(node, `${rule.ruleId}:${key}`, modify),
      stabilize,
      report: (name, value) => outputs.report?.(node.id, name, value),
    };
    return p.propagate(relevance, ctx);
  };

  return {
    graph,
    composite,
    rules: Object.fromEntries([...bound].map(([id, b]) => [id, b.ruleId])),
    forward(input, layer) {
      if (disposed) throw new InvalidArgumentError('This explainer has been disposed.');
      if (shared) assertLive(shared);
      const id = layer === undefined ? graph.outputs[0]! : nodeIdOf(graph, layer);
      const outputs = runForward(input, ancestors(graph, id));
      const result = outputs.get(id)!;
      for (const [k, t] of outputs) if (k !== id) t.dispose();
      return result;
    },
    explain(input, request) {
      if (disposed) throw new InvalidArgumentError('This explainer has been disposed.');
      if (shared) assertLive(shared);
      const targetId = nodeIdOf(graph, request.target.layer);
      const nodes = ancestors(graph, targetId);
      const position = new Map(nodes.map((n, i) => [n.id, i]));
      const conditionsById = new Map<string, Condition>();
      let expansion: { id: string; masks: Tensor } | undefined;
      for (const c of request.conditions ?? []) {
        const id = nodeIdOf(graph, c.layer);
        if (!position.has(id)) {
          throw new InvalidArgumentError(`Condition layer '${c.layer}' is not below the target layer '${request.target.layer}'; no relevance flows through it.`);
        }
        if (conditionsById.has(id) || expansion?.id === id) throw new InvalidArgumentError(`Two conditions on layer '${c.layer}'; merge them into one.`);
        if (c.expand) {
          if (expansion) throw new InvalidArgumentError('Only one condition per request may expand the batch (`expand`).');
          const shape = [c.expand.shape[0]!, ...byId.get(id)!.outputShape];
          if (c.expand.rank !== shape.length || c.expand.shape.some((d, i) => d !== 1 && d !== shape[i])) {
            throw new ShapeMismatchError(`The expand masks of layer '${c.layer}'`, shape, c.expand.shape);
          }
          expansion = { id, masks: c.expand };
        } else {
          conditionsById.set(id, c);
        }
      }
      const chunkSize = Math.max(1, Math.floor(request.chunkSize ?? expansion?.masks.shape[0] ?? 1));
      const recordIds = new Map<string, string>();
      for (const layer of request.record ?? []) recordIds.set(layer, nodeIdOf(graph, layer));
      const recordNodes = new Set(recordIds.values());
      // With stopAtRecorded, the walk ends at the lowest recorded node (nothing below is computed).
      const lowest = request.stopAtRecorded && recordNodes.size > 0 ? Math.min(...[...recordNodes].map((id) => position.get(id) ?? 0)) : 0;

      const outputs = runForward(input, nodes);
      const batch = input.shape[0]!;
      const masks = new Map<string, Tensor>();
      const recorded = new Map<string, Tensor[]>();
      const inputParts: Tensor[] = [];
      let seed: Tensor | undefined;
      const reports = new Map<string, Map<string, Tensor[]>>();
      const report = (id: string, name: string, value: Tensor) => {
        const byName = reports.get(id) ?? new Map<string, Tensor[]>();
        const list = byName.get(name) ?? [];
        // Called inside a node's tidy scope: keep the copy.
        list.push(tf.keep(tf.clone(value)));
        byName.set(name, list);
        reports.set(id, byName);
      };
      const mainActs: Activations = { get: (id) => outputs.get(id), report };
      const record = (id: string, t: Tensor) => {
        if (!recordNodes.has(id)) return;
        const list = recorded.get(id) ?? [];
        list.push(tf.clone(t));
        recorded.set(id, list);
      };

      /**
       * The backward walk over `nodes[to..from]` (in reverse), from the relevance in `pending`.
       * Whatever is pending elsewhere when a conditioned node is reached bypassed that node and is
       * dropped. What is still pending at the end stays in `pending` (the caller disposes it).
       */
      const walk = (
        pending: Map<string, Tensor>,
        from: number,
        to: number,
        acts: Activations,
        maskOf: (id: string) => Tensor | undefined,
        done?: (id: string) => void,
      ): void => {
        for (let i = from; i >= to; i--) {
          const node = nodes[i]!;
          try {
            step(node, pending, acts, maskOf);
          } finally {
            done?.(node.id);
          }
        }
      };

      /** One node of the backward walk: its relevance in `pending` goes to its inputs'. */
      const step = (node: IRNode, pending: Map<string, Tensor>, acts: Activations, maskOf: (id: string) => Tensor | undefined): void => {
        let relevance = pending.get(node.id);
        if (!relevance) return;
        pending.delete(node.id);
        const mask = maskOf(node.id);
        if (mask) {
          const masked = tf.mul(relevance, mask);
          relevance.dispose();
          relevance = masked;
          for (const t of pending.values()) t.dispose();
          pending.clear();
        }
        record(node.id, relevance);
        const current = relevance;
        let contributions: Tensor[];
        try {
          contributions = tf.tidy(() => {
            const raw = propagateNode(node, bound.get(node.id)!, current, acts);
            const transform = outgoing.get(node.id);
            return transform ? raw.map((r) => transform(r)) : raw;
          });
        } finally {
          current.dispose();
        }
        if (node.op === 'input') {
          inputParts.push(contributions[0]!);
          return;
        }
        node.inputs.forEach((inputId, k) => {
          const c = contributions[k]!;
          const previous = pending.get(inputId);
          if (previous) {
            pending.set(inputId, tf.add(previous, c));
            previous.dispose();
            c.dispose();
          } else {
            pending.set(inputId, c);
          }
        });
      };

      const run = (): Tensor => {
        for (const [id, condition] of conditionsById) masks.set(id, buildConditionMask(condition, outputs.get(id)!.shape));
        seed = buildSeed(request.target, outputs.get(targetId)!);
        const pending = new Map([[targetId, tf.clone(seed)]]);
        try {
          if (!expansion) {
            // One walk: a node's stored output is last read when the walk reaches the node itself
            // (its consumers come after it), so it is freed there — the peak memory of the
            // backward then holds the activations below the current node only.
            const release = (id: string) => {
              if (id === targetId) return;
              outputs.get(id)?.dispose();
              outputs.delete(id);
            };
            walk(pending, nodes.length - 1, lowest, mainActs, (id) => masks.get(id), release);
            return inputParts[0] ?? (lowest > 0 ? tf.zeros([0]) : tf.zerosLike(input));
          }
          // Above the expansion layer: one row per sample, up to the layer's relevance.
          const at = position.get(expansion.id)!;
          walk(pending, nodes.length - 1, at + 1, mainActs, (id) => masks.get(id));
          const atLayer = pending.get(expansion.id);
          const total = expansion.masks.shape[0]!;
          for (let n = 0; n < batch; n++) {
            // Modified forwards of sample n, shared by all of its chunks (they depend on x only).
            const sampleForwards = new Map<string, Tensor>();
            try {
              for (let start = 0; start < total; start += chunkSize) {
                const rows = Math.min(chunkSize, total - start);
                const tiled = new Map<string, Tensor>();
                const rowOf = (t: Tensor) => (t.shape[0] === 1 ? t : tf.slice(t, [n], [1]));
                const chunkForwards = new Map<string, Tensor>();
                const acts: Activations = {
                  report,
                  sharedForward(node, branch, compute) {
                    const key = `${node.id}#${branch}`;
                    let row = sampleForwards.get(key);
                    if (!row) {
                      row = tf.keep(tf.tidy(() => compute(node.inputs.map((id) => rowOf(outputs.get(id)!)))));
                      sampleForwards.set(key, row);
                    }
                    if (rows === 1) return row;
                    let repeated = chunkForwards.get(key);
                    if (!repeated) {
                      const one = row;
                      repeated = tf.keep(tf.tidy(() => tf.concat(Array<Tensor>(rows).fill(one), 0)));
                      chunkForwards.set(key, repeated);
                    }
                    return repeated;
                  },
                  get(id) {
                    let t = tiled.get(id);
                    if (!t) {
                      const full = outputs.get(id);
                      if (!full) return undefined;
                      // Asked for inside a node's tidy scope: keep it for the other nodes of this chunk.
                      // concat, not tile: tfjs-backend-wasm's Tile is ~17× slower than its Concat.
                      t = tf.keep(tf.tidy(() => (rows === 1 ? tf.clone(rowOf(full)) : tf.concat(Array<Tensor>(rows).fill(rowOf(full)), 0))));
                      tiled.set(id, t);
                    }
                    return t;
                  },
                };
                const rowMasks = new Map<string, Tensor>();
                const maskOf = (id: string) => {
                  const full = masks.get(id);
                  if (!full) return undefined;
                  let m = rowMasks.get(id);
                  if (!m) {
                    m = full.shape[0] === 1 ? full : tf.slice(full, [n], [1]);
                    rowMasks.set(id, m);
                  }
                  return m;
                };
                const below = new Map<string, Tensor>();
                if (atLayer) {
                  below.set(
                    expansion.id,
                    tf.tidy(() => tf.mul(rowOf(atLayer), tf.slice(expansion!.masks, [start], [rows]))),
                  );
                }
                try {
                  walk(below, at, lowest, acts, maskOf);
                } finally {
                  for (const t of below.values()) t.dispose();
                  for (const t of tiled.values()) t.dispose();
                  for (const t of chunkForwards.values()) t.dispose();
                  for (const [id, t] of rowMasks) if (t !== masks.get(id)) t.dispose();
                }
                if (!atLayer) {
                  if (lowest === 0) inputParts.push(tf.zeros([rows, ...outputs.get(graph.input)!.shape.slice(1)]));
                }
              }
            } finally {
              for (const t of sampleForwards.values()) t.dispose();
            }
          }
          if (inputParts.length === 0) return tf.zeros([0]);
          if (inputParts.length === 1) return inputParts.pop()!;
          const parts = inputParts.splice(0);
          try {
            return tf.concat(parts, 0);
          } finally {
            tf.dispose(parts);
          }
        } finally {
          for (const t of pending.values()) t.dispose();
        }
      };

      try {
        const inputRelevance = run();
        const rowsBelow = expansion ? expansion.masks.shape[0]! : 1;
        const below = expansion ? new Set(ancestors(graph, expansion.id).map((n) => n.id)) : undefined;
        const layers: Record<string, Tensor> = {};
        for (const [layer, id] of recordIds) {
          const parts = recorded.get(id);
          if (parts && parts.length > 0) {
            layers[layer] = parts.length === 1 ? tf.clone(parts[0]!) : tf.concat(parts, 0);
          } else {
            const rows = below?.has(id) ? batch * rowsBelow : batch;
            layers[layer] = tf.zeros([rows, ...byId.get(id)!.outputShape]);
          }
        }
        const reported: Record<string, Record<string, Tensor>> = {};
        for (const [id, byName] of reports) {
          reported[id] = {};
          for (const [name, parts] of byName) reported[id][name] = parts.length === 1 ? tf.clone(parts[0]!) : tf.concat(parts, 0);
        }
        const targetOutput = tf.clone(outputs.get(targetId)!);
        const result = { input: inputRelevance, layers, targetOutput, seed: seed!, reports: reported };
        return {
          ...result,
          dispose() {
            tf.dispose([result.input, result.targetOutput, result.seed, ...Object.values(result.layers)]);
            for (const byName of Object.values(result.reports)) tf.dispose(Object.values(byName));
          },
        };
      } catch (error) {
        tf.dispose([seed, ...inputParts].filter((t): t is Tensor => t !== undefined));
        throw error;
      } finally {
        for (const list of recorded.values()) tf.dispose(list);
        for (const byName of reports.values()) for (const list of byName.values()) tf.dispose(list);
        for (const t of masks.values()) t.dispose();
        for (const t of outputs.values()) t.dispose();
      }
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      for (const t of owned) releaseDerived(t);
      tf.dispose(owned);
      if (!shared) device.dispose();
    },
  };
}
