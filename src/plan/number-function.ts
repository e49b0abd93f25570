/**
 * Formulas compiled once to plain number functions. After a plan is compiled and its units
 * checked, a trigger's expression — and every graph node it reads: derived metrics, drivers,
 * component capacities, usages, models, utilizations — becomes a `(metrics) => number` closure
 * over canonical numbers, with no mathjs Unit on the hot path. It returns what
 * `toQuantity(units, graph.evaluateExpr(expr, { metrics })).value` returns (the mathjs path):
 * the same operations on the same normalized numbers, so bit for bit in practice and within
 * 1e-9 relative by construction; it throws the same `MissingInputError` for the same missing
 * metric, reading inputs in the same order, so the alert engine sees no difference but the time.
 *
 * How: every value is held as mathjs holds it inside a Unit, normalized to base units
 * (`si-scale.ts`): a metric's canonical number is scaled in, arithmetic runs on those numbers
 * (`number-ops.ts`, from the parse tree by `number-ast.ts`), and the result is scaled out to its
 * canonical unit and rounded as `toQuantity` rounds. Each node's kind (number or Unit, and which
 * dimension) is found once, by evaluating it with mathjs at the probe inputs (every metric 1).
 *
 * What cannot be compiled exactly keeps the mathjs path: functions other than those of
 * `number-ops.ts`, offset units (`degC`), matrices, strings, a Unit raised to a power that
 * depends on an input, conditionals whose branches differ in kind, what-if overrides. And an
 * input for which mathjs leaves the real numbers (`sqrt` of a negative: a Complex) is evaluated
 * by mathjs, that time only.
 */
import type { CompiledExpression } from './expression.ts';
import { mangle } from './expression.ts';
import { MissingInputError, type FormulaGraph, type PathFormula } from './graph.ts';
import { applyFunction, compileAst, constantPart, type AstScope } from './number-ast.ts';
import { NotExact, type Metrics, type Part, type SiFn, type Tolerance } from './number-ops.ts';
import { canonicalScale, kindOf, type Scale } from './si-scale.ts';
import { roundTwelve } from './round-twelve.ts';
import { toQuantity } from './units.ts';

/**
 * A formula as a number function: canonical input values by engine input key (source metrics
 * and window keys) → the formula's canonical value. Throws `MissingInputError` when an input it
 * needs is missing (a source metric undefined or NaN, a window key undefined).
 */
export type NumberFunction = (metrics: Metrics) => number;

/** Compiles a plan's graph nodes once each; shared by every formula of the graph. */
class NumberCompiler {
  private readonly nodes = new Map<string, Part | undefined>();
  private readonly scales = new Map<string, Scale | undefined>();
  private readonly names = new Map<string, Part | undefined>();
  private readonly readsOverrides = new Map<string, boolean>();
  private readonly math;
  private readonly tolerance: Tolerance;

  /**
   * @param overrides node keys whose value is given (what-if and tier overrides): each is read
   *   from the inputs under its key, in its override unit, instead of being computed.
   */
  constructor(
    readonly graph: FormulaGraph,
    readonly revision: number,
    readonly overrides: ReadonlySet<string> = new Set(),
  ) {
    this.math = graph.units.math;
    // mathjs's config() without options reads the configuration; its typings require options.
    const read = this.math.config as unknown as () => { relTol: number; absTol: number };
    const config = read();
    this.tolerance = { relTol: config.relTol, absTol: config.absTol };
  }

  /** The scale of a canonical unit, found once per unit. */
  scale(unit: string): Scale | undefined {
    if (!this.scales.has(unit)) this.scales.set(unit, canonicalScale(this.graph.units, unit));
    return this.scales.get(unit);
  }

  /** Graph node `key`, or undefined when it has no exact number form. */
  node(key: string): Part | undefined {
    if (this.nodes.has(key)) return this.nodes.get(key);
    const part = this.compileNode(key);
    this.nodes.set(key, part);
    return part;
  }

  private compileNode(key: string): Part | undefined {
    // An override stands in for the node, NaN included, as `graph.evaluate` reads it.
    if (this.overrides.has(key)) return this.input(key, this.graph.overrideUnit(key), false);
    const node = this.graph.nodes.get(key);
    if (!node) return undefined;
    // Params, capacities and whatever reads no metric nor override: the graph's cached value.
    if (this.graph.isInputFree(key) && !this.readsOverride(key)) {
      try {
        return constantPart(this.graph.evaluate(key, { metrics: {} }));
      } catch {
        return undefined;
      }
    }
    if (node.input) return this.input(node.input.metric, node.input.unit, true);
    if (node.alias !== undefined) return this.alias(node.alias, node.constant);
    return node.expr ? this.expression(node.expr) : undefined;
  }

  /** True when node `key` reads an overridden node, directly or through other nodes. */
  private readsOverride(key: string): boolean {
    if (this.overrides.size === 0) return false;
    let reads = this.readsOverrides.get(key);
    if (reads === undefined) {
      this.readsOverrides.set(key, false); // the graph has no cycles; this ends a revisit
      const node = this.graph.nodes.get(key);
      const deps = [...(node?.deps ?? []), ...(node?.alias !== undefined ? [node.alias] : [])];
      reads = deps.some((d) => this.overrides.has(d) || this.readsOverride(d));
      this.readsOverrides.set(key, reads);
    }
    return reads;
  }

  /** A source metric (missing when undefined or NaN) or a window key (missing when undefined). */
  private input(key: string, unit: string, nanIsMissing: boolean): Part | undefined {
    const scale = this.scale(unit);
    if (!scale) return undefined;
    const toSi = scale.toSi;
    const si: SiFn = nanIsMissing
      ? (m) => {
          const v = m[key];
          if (v === undefined || Number.isNaN(v)) throw new MissingInputError(key);
          return toSi(v);
        }
      : (m) => {
          const v = m[key];
          if (v === undefined) throw new MissingInputError(key);
          return toSi(v);
        };
    return { probe: scale.one, constant: false, si };
  }

  /** A node that is another under a second name, standing in `fallback` while it is missing. */
  private alias(target: string, fallback: unknown): Part | undefined {
    const part = this.node(target);
    if (part === undefined || fallback === undefined) return part;
    // The stand-in is a plain number: the metric must be one too, or the kind would change.
    if (typeof fallback !== 'number' || kindOf(part.probe) !== 'scalar' || !part.si) {
      return undefined;
    }
    const si = part.si;
    return {
      probe: part.probe,
      constant: false,
      si: (m) => {
        try {
          return si(m);
        } catch (err) {
          if (err instanceof MissingInputError) return fallback;
          throw err;
        }
      },
    };
  }

  /** A dotted path (`nats.storage.utilization`), from its nodes as the graph computes it. */
  path(formula: PathFormula): Part | undefined {
    const parts = (fs: PathFormula[]): Part[] | undefined => {
      const out: Part[] = [];
      for (const f of fs) {
        const p = this.path(f);
        if (p === undefined) return undefined;
        out.push(p);
      }
      return out;
    };
    const scope = { math: this.math, tolerance: this.tolerance };
    switch (formula.op) {
      case 'node':
        return this.node(formula.key);
      case 'multiply':
      case 'divide': {
        const args = parts([formula.left, formula.right]);
        return args && applyFunction(formula.op, args, scope);
      }
      case 'oneMinus': {
        const args = parts([formula.of]);
        return args && applyFunction('subtract', [constantPart(1), ...args], scope);
      }
    }
  }

  /**
   * An expression: its references first, in the order `evaluateExpr` builds its scope
   * (symbols, paths, windows), each into a slot; then the tree over the slots.
   */
  expression(expr: CompiledExpression): Part | undefined {
    // A path over a name that is also a plain symbol replaces that symbol in mathjs's scope.
    if (expr.paths.some((p) => expr.symbols.includes(p[0]!))) return undefined;
    const refs: [name: string, part: Part | undefined][] = [
      ...expr.symbols.map((s): [string, Part | undefined] => [
        mangle(s),
        this.node(this.graph.symbolKey(s)),
      ]),
      // Keyed as the tree spells them: `sms$worker.replicas`.
      ...expr.paths.map((p): [string, Part | undefined] => [
        p.map(mangle).join('.'),
        this.pathPart(p),
      ]),
      ...expr.windows.map((w, i): [string, Part | undefined] => [
        `__window${i}`,
        this.input(w.key, this.graph.windowUnit(w), false),
      ]),
    ];
    const values = new Float64Array(refs.length);
    const slots = new Map<string, Part>();
    const fills: [index: number, si: SiFn][] = [];
    for (const [i, [name, part]] of refs.entries()) {
      if (part === undefined) return undefined;
      if (slots.has(name)) continue;
      if (part.constant) {
        slots.set(name, part);
        continue;
      }
      if (!part.si) return undefined;
      fills.push([i, part.si]);
      slots.set(name, { probe: part.probe, constant: false, si: () => values[i]! });
    }
    const scopeNames = new Set([
      ...slots.keys(),
      ...expr.paths.map((p) => mangle(p[0]!)),
      ...expr.windows.map((w) => mangle(w.key)),
    ]);
    const scope: AstScope = {
      ...{ math: this.math, tolerance: this.tolerance },
      ...{ slots, scopeNames, names: this.names },
    };
    const body = compileAst(expr.node, scope);
    if (body === undefined || (body.constant && fills.length === 0)) return body;
    if (!body.si) return undefined;
    return { probe: body.probe, constant: false, si: withSlots(fills, values, body.si) };
  }

  private pathPart(path: string[]): Part | undefined {
    try {
      return this.path(this.graph.pathFormula(path));
    } catch {
      return undefined;
    }
  }
}

/** Number code that fills the slots in order, then runs the body over them. */
function withSlots(fills: [number, SiFn][], values: Float64Array, body: SiFn): SiFn {
  if (fills.length === 1) {
    const [[i, f]] = fills as [[number, SiFn]];
    return (m) => {
      values[i] = f(m);
      return body(m);
    };
  }
  if (fills.length === 2) {
    const [[i, f], [j, g]] = fills as [[number, SiFn], [number, SiFn]];
    return (m) => {
      values[i] = f(m);
      values[j] = g(m);
      return body(m);
    };
  }
  return (m) => {
    for (let k = 0; k < fills.length; k++) values[fills[k]![0]] = fills[k]![1](m);
    return body(m);
  };
}

const compilers = new WeakMap<
  FormulaGraph,
  { revision: number; bySignature: Map<string, NumberCompiler> }
>();

/**
 * The graph's compiler for one set of overridden keys (sorted, joined by newlines: the set's
 * signature); all of a graph's compilers are renewed when it changed since they were made.
 */
function compilerFor(graph: FormulaGraph, signature = ''): NumberCompiler {
  let entry = compilers.get(graph);
  if (entry?.revision !== graph.revision) {
    entry = { revision: graph.revision, bySignature: new Map() };
    compilers.set(graph, entry);
  }
  let compiler = entry.bySignature.get(signature);
  if (!compiler) {
    const overrides = new Set(signature === '' ? [] : signature.split('\n'));
    compiler = new NumberCompiler(graph, graph.revision, overrides);
    entry.bySignature.set(signature, compiler);
  }
  return compiler;
}

/** SI value → canonical number, as `toQuantity` converts the probe's kind; undefined if unknown. */
function canonicalOut(
  compiler: NumberCompiler,
  probe: unknown,
  unit: string,
): ((v: number) => number) | undefined {
  const kind = kindOf(probe);
  if (kind === 'scalar') return (v) => v;
  if (kind !== 'unit') return undefined;
  const u = probe as { dimensions: number[]; equalBase(o: unknown): boolean };
  if (u.dimensions.every((d) => d === 0)) return (v) => v;
  const scale = compiler.scale(unit);
  return scale && u.equalBase(scale.one) ? scale.fromSi : undefined;
}

/** True when two numbers are equal within 1e-9 relative (NaN equal to NaN). */
function agree(x: number, y: number): boolean {
  if (Number.isNaN(x) || Number.isNaN(y)) return Number.isNaN(x) && Number.isNaN(y);
  return x === y || Math.abs(x - y) <= 1e-9 * Math.max(Math.abs(x), Math.abs(y));
}

/** Every input at 1: the inputs the parts' probe values were computed from. */
const PROBE: Metrics = new Proxy({}, { get: () => 1 });

/**
 * A number function from a compiled part and the mathjs path it must equal: canonical out,
 * rounded as `toQuantity` rounds, mathjs for an input number code cannot take. Undefined when
 * the part has no number form, or when the number code disagrees with the part's mathjs value
 * at the probe inputs (a safeguard: it never should).
 */
function finish(
  compiler: NumberCompiler,
  part: Part | undefined,
  exact?: NumberFunction,
): NumberFunction | undefined {
  if (part === undefined) return undefined;
  let expected: number;
  let unit: string;
  try {
    ({ value: expected, unit } = toQuantity(compiler.graph.units, part.probe));
  } catch {
    return undefined;
  }
  if (part.constant) return () => expected;
  const out = canonicalOut(compiler, part.probe, unit);
  const si = part.si;
  if (out === undefined || si === undefined) return undefined;
  const fn: NumberFunction = (m) => {
    try {
      return roundTwelve(out(si(m)));
    } catch (err) {
      if (err instanceof NotExact && exact) return exact(m);
      throw err;
    }
  };
  try {
    return agree(fn(PROBE), expected) ? fn : undefined;
  } catch {
    return undefined;
  }
}

/**
 * `expr` (a trigger's expression, or any expression over the graph's names) as a number
 * function equal to `toQuantity(units, graph.evaluateExpr(expr, { metrics })).value`, or
 * undefined when it has no exact number form (then evaluate it with mathjs). Compiled nodes are
 * shared by every expression of the graph. Takes no what-if overrides.
 */
export function numberFunction(
  graph: FormulaGraph,
  expr: CompiledExpression,
): NumberFunction | undefined {
  const exact: NumberFunction = (metrics) =>
    toQuantity(graph.units, graph.evaluateExpr(expr, { metrics })).value;
  const compiler = compilerFor(graph);
  return finish(compiler, compiler.expression(expr), exact);
}

/**
 * Graph node `key` (`components.nats.capacity.storage`, `metrics.processing_rate`, …) as a
 * number function equal to `toQuantity(units, graph.evaluate(key, { metrics })).value`, or
 * undefined when it has no exact number form.
 */
export function nodeNumberFunction(graph: FormulaGraph, key: string): NumberFunction | undefined {
  const exact: NumberFunction = (metrics) =>
    toQuantity(graph.units, graph.evaluate(key, { metrics })).value;
  const compiler = compilerFor(graph);
  return finish(compiler, compiler.node(key), exact);
}

/**
 * Number code for graph node `key` (or expression `expr`) under overrides of the keys of
 * `signature` (sorted, newline-joined): a function of one lookup that holds the source metrics
 * and window keys and, under their node keys, the override values, canonical. It equals
 * `toQuantity(units, graph.evaluate(key, inputs)).value` for inputs whose overrides the code
 * reads are exactly those keys, and throws `NotExact` for an input only mathjs can evaluate.
 * Undefined when it has no exact number form. See `number-evaluator.ts`.
 */
export function overriddenCode(
  graph: FormulaGraph,
  target: string | CompiledExpression,
  signature: string,
): NumberFunction | undefined {
  const compiler = compilerFor(graph, signature);
  return finish(
    compiler,
    typeof target === 'string' ? compiler.node(target) : compiler.expression(target),
  );
}
