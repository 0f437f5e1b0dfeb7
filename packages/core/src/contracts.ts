/**
 * The plugin contracts: rules, composites, graph adapters, backends, and the plugins that carry
 * them. Each contract has `specificationVersion: 'v1'` so that it can evolve without breaking
 * plugins written against an older version.
 */
import type { Tensor } from '@tensorflow/tfjs-core';
import type { Graph, IRNode, OpKind } from './ir.js';

/** Kernel and bias of a linear node, on the device. */
export interface DeviceParams {
  readonly kernel: Tensor;
  readonly bias?: Tensor | undefined;
}

/** The parameter a {@link Branch.param} modifier is asked to modify. */
export type ParamName = 'kernel' | 'bias';

/**
 * How a branch modifies the node's input(s) before the forward:
 * `identity` (x), `positive` (x⁺), `negative` (x⁻), `ones` (𝟙), `{fill: v}` (a tensor of x's shape
 * filled with v), or a function. Named modifiers let the engine skip work: on an input known to be
 * non-negative, a `negative` branch is zero.
 */
export type InputModifier =
  | 'identity'
  | 'positive'
  | 'negative'
  | 'ones'
  | { readonly fill: number }
  | ((x: Tensor) => Tensor);

/**
 * One branch of an LRP rule (Zennit's BasicHook, as data): a modified input and modified
 * parameters give a modified forward `z_i = f(input_i(x); param_i(W, b))`.
 */
export interface Branch {
  /** Input modifier; default `identity`. */
  readonly input?: InputModifier;
  /**
   * Parameter modifier, called once per node and explainer (the result is cached by this function:
   * branches that pass the same function share one modified kernel and what is derived from it).
   * Return `null` to drop the parameter (e.g. no bias). Omitted: parameters unchanged.
   */
  readonly param?: (p: Tensor, name: ParamName) => Tensor | null;
  /** Weight of this branch in the reducer `R_in = Σ_i c_i · input_i(x) ⊙ param_i(W)ᵀ seed_i`; default 1. */
  readonly coefficient?: number;
  /**
   * `false` when the seed mapper does not read this branch's forward output `z_i` (it derives what
   * it needs from the others and `z`, as `W⁻x + b⁻ = z − (W⁺x + b⁺)`): the engine skips that
   * forward and hands the node's stored output in its place. Only the transposed map then uses
   * `param`'s result: its bias is not computed, and where the op derives everything its transposed
   * map reads ahead (a stride-1 conv's flipped kernel), the modified kernel itself is freed.
   * Default `true`.
   */
  readonly forward?: boolean;
}

/** What a seed mapper may use besides the branches' outputs. */
export interface SeedContext {
  /** The node's unmodified output `z = W x + b`, as stored by the forward pass. */
  readonly z: Tensor;
  /** `t + ε·sign₀(t)` with `sign₀(0) = +1`. */
  stabilize(t: Tensor, epsilon: number): Tensor;
}

/**
 * A rule in branch form: the engine computes each branch's modified forward `z_i`, asks
 * `mapSeed` for one seed per branch, takes each seed through its branch's transposed linear map,
 * and reduces with `R_in = Σ_i c_i · input_i(x) ⊙ g_i`.
 */
export interface BranchPropagation {
  readonly branches: readonly Branch[];
  /** Relevance at the node output → one seed per branch (the same tensor may be returned twice). */
  mapSeed(relevance: Tensor, z: readonly Tensor[], ctx: SeedContext): readonly Tensor[];
}

/** What a rule in direct form sees of the node it acts on. */
export interface NodeContext {
  readonly node: IRNode;
  /** The node's inputs, as stored by the forward pass. */
  readonly inputs: readonly Tensor[];
  /** The node's output, as stored by the forward pass. */
  readonly output: Tensor;
  /** Per input: whether it is known to be ≥ 0 (after a ReLU, for instance). */
  readonly inputsNonNegative: readonly boolean[];
  /** The node's parameters on the device (linear nodes). */
  readonly params: DeviceParams | undefined;
  /** The node's forward with other inputs and/or parameters. */
  forward(inputs: readonly Tensor[], params?: DeviceParams): Tensor;
  /** The transposed linear map (one tensor per input); linear and parameter-free linear nodes only. */
  transpose(s: Tensor, params?: DeviceParams): Tensor[];
  /** The vector-Jacobian product at the stored forward point (the gradient's backward). */
  vjp(s: Tensor): Tensor[];
  /** Modified parameters, computed once per node and explainer and cached under `key`. */
  modifiedParams(key: string, modify: (p: Tensor, name: ParamName) => Tensor | null): DeviceParams;
  /** `t + ε·sign₀(t)` with `sign₀(0) = +1`. */
  stabilize(t: Tensor, epsilon: number): Tensor;
  /**
   * Reports a per-sample diagnostic of this node (e.g. R-LRP's layer factor); it appears in
   * `Explanation.reports[node id][name]` (the engine keeps a copy).
   */
  report(name: string, value: Tensor): void;
}

/** A rule in direct form, for rules that do not fit the branch form. */
export interface DirectPropagation {
  /** Relevance at the node output → relevance at each of its inputs. */
  propagate(relevance: Tensor, ctx: NodeContext): Tensor[];
}

/** What `Rule.create` returns: a branch rule, a direct rule, or `'pass'` (relevance unchanged). */
export type Propagation = BranchPropagation | DirectPropagation | 'pass';

/** What a rule sees when it is created for one node. */
export interface RuleContext {
  readonly node: IRNode;
  readonly graph: Graph;
  readonly inputsNonNegative: readonly boolean[];
}

/** A rule's description (ESLint's `meta`). */
export interface RuleMeta<O extends object> {
  /** Human-readable name, e.g. `Epsilon`. */
  readonly name: string;
  /** One sentence: what the rule does. */
  readonly description: string;
  /** The ops this rule may be bound to; binding it elsewhere is an error. */
  readonly appliesTo: readonly OpKind[];
  readonly defaultOptions: O;
  /** Whether `Σ R_in = Σ R` holds on bias-free nodes (checked by the rule tester). */
  readonly conservative?: boolean;
  /** The formula, in words or symbols. */
  readonly formula?: string;
  readonly docs?: { readonly url?: string; readonly cite?: string };
}

/**
 * A propagation rule: small, stateless data plus behaviour. `create` is called once per node and
 * explainer; whatever it computes is reused for every explanation of that explainer.
 */
export interface Rule<O extends object = Record<string, never>> {
  readonly specificationVersion: 'v1';
  /** `namespace/name`, e.g. `lrp/epsilon`. */
  readonly id: string;
  readonly meta: RuleMeta<O>;
  create(options: Readonly<O>, ctx: RuleContext): Propagation;
}

/** Options a composite passes on to its rules (CLI: `--epsilon`, `--low`, `--high`). */
export interface CompositeOptions {
  readonly epsilon?: number;
  readonly low?: number;
  readonly high?: number;
  readonly [key: string]: unknown;
}

/** A reference to a rule and its options. */
export interface RuleRef {
  readonly rule: string;
  /** Fixed options, or options computed from the composite's options. */
  readonly options?: object | ((compositeOptions: CompositeOptions) => object);
}

/**
 * Which nodes a composite entry applies to. All given fields must hold; `position` picks the first
 * or last node (in topological order) among those matching `op` and `name`.
 */
export interface NodeMatch {
  readonly op?: OpKind | readonly OpKind[];
  readonly name?: string | RegExp;
  readonly position?: 'first' | 'last';
}

/** A composite maps nodes to rules; the first matching entry wins (Zennit's composites). */
export interface Composite {
  readonly specificationVersion: 'v1';
  /** e.g. `epsilon-plus-flat`. */
  readonly id: string;
  readonly description: string;
  readonly rules: readonly { readonly match: NodeMatch; readonly use: string | RuleRef }[];
  /** Option defaults (merged under the user's options). */
  readonly defaultOptions?: CompositeOptions;
  /** Whether the composite needs `low`/`high` (ZBox bounds). */
  readonly needsBounds?: boolean;
}

/** Why a backend can or cannot run here. */
export type SupportReport = { readonly supported: true } | { readonly supported: false; readonly reason: string };

/** A tfjs backend set-up. */
export interface Backend {
  readonly specificationVersion: 'v1';
  /** The tfjs backend name, e.g. `cpu`, `wasm`. */
  readonly id: string;
  /** Whether it can run here; never throws (a reason that names the fix when it cannot). */
  isSupported(): Promise<SupportReport>;
  /** Registers and activates the tfjs backend (`tf.setBackend`). */
  setup(): Promise<void>;
  /**
   * Optional: releases what {@link Backend.setup} acquired (the tfjs backend, a GPU device) so
   * the process can end without `process.exit()`; tensors on the backend are gone afterwards.
   */
  dispose?(): Promise<void>;
}

/** Options of `Registry.selectBackend`. */
export interface SelectBackendOptions {
  /**
   * Receives one line for each preferred backend that was skipped, with its reason and the
   * backend used instead, e.g. `backend 'tensorflow' skipped (package '@tensorflow/tfjs-node' is
   * not installed …); using 'wasm'`. Called only when a backend was found.
   */
  readonly notice?: (line: string) => void;
}

/** Translates a framework model into NRM's graph IR (never mutating the model). */
export interface GraphAdapter<M = unknown> {
  readonly specificationVersion: 'v1';
  /** e.g. `tfjs-layers`. */
  readonly id: string;
  canAdapt(model: unknown): model is M;
  toGraph(model: M): Graph;
}

/** A bundle of rules, composites, adapters and backends, registered with `createRegistry`. */
export interface Plugin {
  readonly specificationVersion: 'v1';
  /** The npm package name, e.g. `@nrm/rules-lrp`. */
  readonly name: string;
  // Rules are contravariant in their options; `any` lets a plugin list rules of any option type.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly rules?: readonly Rule<any>[];
  readonly composites?: readonly Composite[];
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly adapters?: readonly GraphAdapter<any>[];
  readonly backends?: readonly Backend[];
}
