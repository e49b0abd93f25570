/**
 * Evaluating a graph node or an expression under what-if and tier overrides through number
 * functions (`number-function.ts`), for the capacity model: a breaking point's date is a
 * bisection over hundreds of projections, each reading a resource's usage, model and capacity
 * with the drivers (and a tier's `set`) overridden. `evaluateNumber` returns what
 * `toQuantity(units, graph.evaluate(key, inputs)).value` returns, MissingInputError included.
 *
 * An override changes a value's kind (a driver written `5000 users` is a Unit; overridden, a
 * plain number), so number code is compiled per set of overridden keys a target reads: the
 * set's signature picks the compiler, and since a projection overrides the same keys at every
 * step, each target is compiled once per kind of scenario. Targets without a number form, and
 * inputs number code cannot take exactly, are evaluated by mathjs.
 */
import type { CompiledExpression } from './expression.ts';
import type { EvalInputs, FormulaGraph } from './graph.ts';
import { overriddenCode, type NumberFunction } from './number-function.ts';
import { NotExact, type Metrics } from './number-ops.ts';
import { reachFrom } from './reach.ts';
import { toQuantity } from './units.ts';

/** A node key or an expression over the graph. */
type Target = string | CompiledExpression;

interface GraphCache {
  revision: number;
  /** Node keys each target reads, transitively (itself included for a node key). */
  reach: Map<Target, ReadonlySet<string>>;
  /** Number code by target and signature; null where it has none. */
  code: Map<Target, Map<string, NumberFunction | null>>;
  /** Per target, the choice of code by which of the keys it reads are overridden. */
  choices: Map<Target, Choice>;
}

/**
 * A decision over the keys a target reads, in order: at depth i, whether `keys[i]` is
 * overridden picks the branch; a leaf holds the overridden keys and their code. A call walks
 * it with no string made nor array sorted (a projection makes hundreds of calls per target).
 */
interface Choice {
  keys: readonly string[];
  root: Branch;
}

interface Branch {
  absent?: Branch;
  present?: Branch;
  leaf?: { read: readonly string[]; code: NumberFunction | null };
}

const caches = new WeakMap<FormulaGraph, GraphCache>();

function cacheOf(graph: FormulaGraph): GraphCache {
  let cache = caches.get(graph);
  if (cache?.revision !== graph.revision) {
    cache = { revision: graph.revision, reach: new Map(), code: new Map(), choices: new Map() };
    caches.set(graph, cache);
  }
  return cache;
}

/** Every node key `target` reads, directly or through other nodes. */
function reachOf(graph: FormulaGraph, cache: GraphCache, target: Target): ReadonlySet<string> {
  let keys = cache.reach.get(target);
  if (!keys) {
    keys = reachFrom(graph, typeof target === 'string' ? [target] : graph.dependencies(target));
    cache.reach.set(target, keys);
  }
  return keys;
}

function codeOf(
  graph: FormulaGraph,
  cache: GraphCache,
  target: Target,
  signature: string,
): NumberFunction | null {
  let bySignature = cache.code.get(target);
  if (!bySignature) cache.code.set(target, (bySignature = new Map()));
  let code = bySignature.get(signature);
  if (code === undefined) {
    code = overriddenCode(graph, target, signature) ?? null;
    bySignature.set(signature, code);
  }
  return code;
}

/** The code for `target` under overrides of exactly those keys it reads that `overrides` holds. */
function leafOf(
  graph: FormulaGraph,
  cache: GraphCache,
  target: Target,
  overrides: EvalInputs['overrides'],
): { read: readonly string[]; code: NumberFunction | null } {
  let choice = cache.choices.get(target);
  if (!choice) {
    // What the target reads is few keys; a tier's overrides can be many.
    choice = { keys: [...reachOf(graph, cache, target)].sort(), root: {} };
    cache.choices.set(target, choice);
  }
  let branch = choice.root;
  if (overrides) {
    for (const key of choice.keys) {
      branch = overrides[key] !== undefined ? (branch.present ??= {}) : (branch.absent ??= {});
    }
  }
  if (!branch.leaf) {
    const read = overrides ? choice.keys.filter((key) => overrides[key] !== undefined) : [];
    branch.leaf = { read, code: codeOf(graph, cache, target, read.join('\n')) };
  }
  return branch.leaf;
}

function mathjsValue(graph: FormulaGraph, target: Target, inputs: EvalInputs): number {
  const value =
    typeof target === 'string'
      ? graph.evaluate(target, inputs)
      : graph.evaluateExpr(target, inputs);
  return toQuantity(graph.units, value).value;
}

/**
 * Node `target` (or an expression) under `inputs` as a canonical number, equal to the mathjs
 * path; throws `MissingInputError` when a metric it needs has no value.
 */
export function evaluateNumber(graph: FormulaGraph, target: Target, inputs: EvalInputs): number {
  const cache = cacheOf(graph);
  const { code, read } = leafOf(graph, cache, target, inputs.overrides);
  if (code) {
    let lookup: Metrics = inputs.metrics;
    if (read.length > 0) {
      // Metric names hold no dot and node keys always do: one lookup holds both.
      const both = Object.create(inputs.metrics) as Record<string, number | undefined>;
      for (const key of read) both[key] = inputs.overrides![key];
      lookup = both;
    }
    try {
      return code(lookup);
    } catch (err) {
      if (!(err instanceof NotExact)) throw err;
    }
  }
  return mathjsValue(graph, target, inputs);
}
