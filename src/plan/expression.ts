/**
 * Expressions of the plan language, parsed and evaluated by mathjs with units. This module
 * finds what an expression refers to (plan names, dotted component paths such as
 * `nats.storage.utilization`, and window functions such as `increase(restarts, 1h)`) so the
 * plan compiler can check references, order formulas and detect cycles.
 */
import type { EvalFunction, MathNode } from 'mathjs';
import { normalizeExpression, parseDurationMs, type UnitSystem } from './units.ts';

/** Window functions over a metric's recent history, PromQL style. */
export const WINDOW_FUNCTIONS = [
  'rate',
  'increase',
  'delta',
  'avg_over_time',
  'min_over_time',
  'max_over_time',
] as const;

/** One of the window functions. */
export type WindowFunction = (typeof WINDOW_FUNCTIONS)[number];

/** Aggregations across a metric's series, PromQL style: `sum(sms_pending)` → one value. */
export const AGGREGATE_FUNCTIONS = ['sum', 'avg', 'min', 'max', 'count'] as const;

/** One of the aggregations. */
export type AggregateFunction = (typeof AGGREGATE_FUNCTIONS)[number];

/**
 * A window function over a metric's history (`increase(worker_restarts, 1h)`) or an
 * aggregation across its series (`sum(sms_pending)`); either becomes one engine input.
 */
export interface WindowRef {
  /** The function. */
  fn: WindowFunction | AggregateFunction;
  /** True for an aggregation across series (then `windowMs` is 0). */
  aggregate: boolean;
  /** The metric it reads. */
  metric: string;
  /** Window length in milliseconds. */
  windowMs: number;
  /** Stable input key, PromQL-like: `increase(worker_restarts[1h])`. */
  key: string;
}

/** A parsed expression and what it refers to. */
export interface CompiledExpression {
  /** The text as written. */
  text: string;
  /** Plan names referenced as plain symbols (drivers, metrics, params, components). */
  symbols: string[];
  /** Dotted references, e.g. `['nats', 'storage', 'utilization']`. */
  paths: string[][];
  /** Window function calls; each becomes an input keyed by `key`. */
  windows: WindowRef[];
  /**
   * The parse tree `evaluate` runs: plan names mangled (`sms$worker`), window calls replaced by
   * symbols `__window0`, `__window1`, … (the index into `windows`), units over functions resolved.
   */
  node: MathNode;
  /** Evaluates with a scope of plan names (and window keys) to mathjs values. */
  evaluate(scope: Record<string, unknown>): unknown;
}

/** Why an expression could not be compiled, with the offending name when there is one. */
export class ExpressionError extends Error {
  constructor(
    message: string,
    readonly unknownName?: string,
  ) {
    super(message);
  }
}

const WINDOW_CALL = new RegExp(
  `\\b(${WINDOW_FUNCTIONS.join('|')})\\(\\s*([A-Za-z][\\w-]*)\\s*(?:,\\s*|\\[)([^\\])]+?)\\s*\\]?\\s*\\)`,
  'g',
);

const AGGREGATE_CALL = new RegExp(
  `\\b(${AGGREGATE_FUNCTIONS.join('|')})\\(\\s*([A-Za-z][\\w-]*)\\s*\\)`,
  'g',
);

/** Internal symbol for a plan name: mathjs symbols cannot hold `-`, so it becomes `$`. */
export function mangle(name: string): string {
  return name.replaceAll('-', '$');
}

function demangle(name: string): string {
  return name.replaceAll('$', '-');
}

/**
 * Compiles `text`. `names` are the plan's declared names (hyphens allowed); anything else
 * that is neither a unit nor a mathjs function is an unknown reference. `metrics` are the
 * source metrics, whose series `sum`/`avg`/`min`/`max`/`count` aggregate.
 */
export function compileExpression(
  text: string,
  system: UnitSystem,
  names: ReadonlySet<string>,
  metrics: ReadonlySet<string> = new Set(),
): CompiledExpression {
  const windows: WindowRef[] = [];
  let source = normalizeExpression(text).replace(WINDOW_CALL, (_all, fn, metric, window) => {
    const windowMs = parseDurationMs(String(window).trim());
    if (windowMs === undefined || windowMs <= 0) {
      throw new ExpressionError(
        `${fn}(): "${window}" is not a duration; write e.g. ${fn}(${metric}, 5m)`,
      );
    }
    const ref: WindowRef = {
      fn,
      aggregate: false,
      metric,
      windowMs,
      key: `${fn}(${metric}[${window.trim()}])`,
    };
    windows.push(ref);
    return `__window${windows.length - 1}`;
  });
  // `sum(m)` of a source metric aggregates its series; `max(a, b)` stays mathjs's max.
  source = source.replace(AGGREGATE_CALL, (call: string, fn: AggregateFunction, metric: string) => {
    if (!metrics.has(metric)) return call;
    windows.push({ fn, aggregate: true, metric, windowMs: 0, key: `${fn}(${metric})` });
    return `__window${windows.length - 1}`;
  });
  // Hyphenated plan names (sms-worker) would parse as subtraction: rewrite the known ones. One
  // pass over the text's words, whatever the number of names.
  source = source.replace(/[\w$-]+/g, (word) =>
    word.includes('-') && names.has(word) ? mangle(word) : word,
  );
  let node: MathNode;
  try {
    node = system.math.parse(source);
  } catch (err) {
    throw new ExpressionError(`cannot parse "${text}": ${(err as Error).message}`);
  }
  node = unitsOverFunctions(node, system);
  const { symbols, paths } = collectReferences(node, system, names);
  const code: EvalFunction = node.compile();
  return {
    text,
    symbols,
    paths,
    windows,
    node,
    evaluate(scope) {
      const mathScope: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(scope)) mathScope[mangle(k)] = v;
      windows.forEach((w, i) => (mathScope[`__window${i}`] = scope[w.key]));
      return code.evaluate(mathScope);
    },
  };
}

/**
 * A unit whose name is also a mathjs function (`min` in `1000 req/min`) would evaluate to the
 * function: where such a name is not called, it is the unit.
 */
function unitsOverFunctions(root: MathNode, system: UnitSystem): MathNode {
  const called = new Set<MathNode>();
  root.traverse((node) => {
    if (node.type === 'FunctionNode') called.add((node as unknown as { fn: MathNode }).fn);
  });
  return root.transform((node) => {
    if (node.type !== 'SymbolNode' || called.has(node)) return node;
    const name = (node as unknown as { name: string }).name;
    const shadowed =
      typeof (system.math as unknown as Record<string, unknown>)[name] === 'function';
    return shadowed && system.isUnit(name) ? system.math.parse(`unit("${name}")`) : node;
  });
}

function collectReferences(
  root: MathNode,
  system: UnitSystem,
  names: ReadonlySet<string>,
): { symbols: string[]; paths: string[][] } {
  const symbols = new Set<string>();
  const paths: string[][] = [];
  const functionNames = new Set<MathNode>();
  const inAccessor = new Set<MathNode>();
  root.traverse((node) => {
    if (node.type === 'FunctionNode') functionNames.add((node as unknown as { fn: MathNode }).fn);
    if (node.type === 'AccessorNode' && !inAccessor.has(node)) {
      const chain = accessorChain(node, inAccessor);
      if (chain) paths.push(chain.map(demangle));
    }
  });
  root.traverse((node) => {
    if (node.type !== 'SymbolNode' || functionNames.has(node) || inAccessor.has(node)) return;
    const name = (node as unknown as { name: string }).name;
    if (name.startsWith('__window')) return;
    const plain = demangle(name);
    if (names.has(plain)) symbols.add(plain);
    else if (!system.isUnit(name) && !(name in system.math)) {
      throw new ExpressionError(`unknown name "${plain}"`, plain);
    }
  });
  for (const path of paths) {
    const head = path[0]!;
    if (!names.has(head)) throw new ExpressionError(`unknown name "${head}"`, head);
  }
  return { symbols: [...symbols], paths };
}

/** `a.b.c` as ['a','b','c'], marking every node of the chain as consumed. */
function accessorChain(node: MathNode, consumed: Set<MathNode>): string[] | undefined {
  const parts: string[] = [];
  let current: MathNode = node;
  const seen: MathNode[] = [];
  while (current.type === 'AccessorNode') {
    const acc = current as unknown as { object: MathNode; index: { dimensions: MathNode[] } };
    const dim = acc.index.dimensions[0] as unknown as { type: string; value: unknown } | undefined;
    if (!dim || dim.type !== 'ConstantNode' || typeof dim.value !== 'string') return undefined;
    parts.unshift(dim.value);
    seen.push(current);
    current = acc.object;
  }
  if (current.type !== 'SymbolNode') return undefined;
  parts.unshift((current as unknown as { name: string }).name);
  for (const n of [...seen, current]) consumed.add(n);
  return parts;
}
