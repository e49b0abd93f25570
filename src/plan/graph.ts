/**
 * The formula graph of a plan: every param, driver, metric and component field as a node,
 * edges from what each expression refers to. It orders evaluation, finds cycles, and
 * evaluates any node or expression from live metric values (and what-if overrides).
 */
import type { CompiledExpression, WindowRef } from './expression.ts';
import { fromCanonical, type UnitSystem } from './units.ts';

/** Fields of a component resource that expressions can read: `nats.storage.utilization`. */
export const RESOURCE_FIELDS = ['capacity', 'usage', 'model', 'utilization', 'headroom'] as const;

/** One node: a constant or an expression, and the nodes it depends on. */
export interface GraphNode {
  /** Node key, e.g. `components.nats.capacity.storage`, `params.pool_size`, `metrics.cpu`. */
  key: string;
  /** Plan path of the field, for error locations. */
  path: (string | number)[];
  /** The expression, when the node is computed. */
  expr?: CompiledExpression;
  /** Keys of nodes it reads. */
  deps: string[];
  /** For source metrics: the metric name to read from inputs, and its canonical unit. */
  input?: { metric: string; unit: string };
  /** For nodes that are another node under a second name (a driver measured by a metric). */
  alias?: string;
  /** For fixed values (a driver's static `value`, a replica count). */
  constant?: unknown;
}

/** Values an evaluation reads: source metrics (canonical numbers) and overrides. */
export interface EvalInputs {
  /** Latest value of each source metric and window key, canonical units. */
  metrics: Record<string, number | undefined>;
  /** Overrides by node key (what-if drivers, tier `set`), canonical numbers. */
  overrides?: Record<string, number>;
}

/**
 * How a dotted path is computed from graph nodes, in evaluation order: a node, the product or
 * quotient of two formulas (left first), or one minus a formula (`headroom`).
 */
export type PathFormula =
  | { op: 'node'; key: string }
  | { op: 'multiply' | 'divide'; left: PathFormula; right: PathFormula }
  | { op: 'oneMinus'; of: PathFormula };

/** Thrown when an evaluation needs a metric that has no value: the caller reports `unknown`. */
export class MissingInputError extends Error {
  readonly metric: string;

  constructor(metric: string) {
    // Control flow, not a fault: a history with gaps throws it thousands of times, and the
    // stack trace would cost more than the evaluation.
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(`no value for metric "${metric}"`);
    Error.stackTraceLimit = limit;
    this.metric = metric;
  }
}

/** The plan's formulas as a graph. */
export class FormulaGraph {
  readonly nodes = new Map<string, GraphNode>();
  private overrideUnits = new Map<string, string>();
  private readonly constants = new Map<string, unknown>();
  private readonly inputFree = new Map<string, boolean>();
  private probe: EvalInputs | undefined;
  private changes = 0;

  /**
   * @param sections which section each plain name lives in (a driver measured by a metric of
   *   the same name is `drivers`), so references resolve whatever the declaration order.
   */
  constructor(
    /** The unit system its expressions are evaluated with. */
    readonly units: UnitSystem,
    private readonly sections: ReadonlyMap<string, string>,
    private readonly resourceFields: ReadonlyMap<string, ReadonlySet<string>>,
  ) {}

  /** Adds a node. */
  add(node: GraphNode): void {
    this.nodes.set(node.key, node);
    this.constants.clear();
    this.inputFree.clear();
    this.probe = undefined;
    this.changes++;
  }

  /** Declares the canonical unit overrides of `key` are given in. */
  setOverrideUnit(key: string, unit: string): void {
    this.overrideUnits.set(key, unit);
    this.changes++;
  }

  /** The canonical unit an override of `key` is given in (`` unless declared). */
  overrideUnit(key: string): string {
    return this.overrideUnits.get(key) ?? '';
  }

  /** Counts changes to the graph, so what is derived from it (compiled formulas) can be renewed. */
  get revision(): number {
    return this.changes;
  }

  /** Node keys an expression depends on. */
  dependencies(expr: CompiledExpression): string[] {
    const deps = new Set<string>();
    for (const s of expr.symbols) deps.add(this.symbolKey(s));
    for (const p of expr.paths) for (const k of this.pathKeys(p)) deps.add(k);
    for (const w of expr.windows) deps.add(`window:${w.key}`);
    return [...deps];
  }

  /** The first cycle found, as node keys `[a, b, a]`, or undefined. */
  findCycle(): string[] | undefined {
    const state = new Map<string, 'visiting' | 'done'>();
    const stack: string[] = [];
    const visit = (key: string): string[] | undefined => {
      if (state.get(key) === 'done') return undefined;
      if (state.get(key) === 'visiting') return [...stack.slice(stack.indexOf(key)), key];
      state.set(key, 'visiting');
      stack.push(key);
      for (const dep of this.nodes.get(key)?.deps ?? []) {
        const cycle = visit(dep);
        if (cycle) return cycle;
      }
      stack.pop();
      state.set(key, 'done');
      return undefined;
    };
    for (const key of this.nodes.keys()) {
      const cycle = visit(key);
      if (cycle) return cycle;
    }
    return undefined;
  }

  /** Source metrics (and window keys) a set of nodes needs, transitively. */
  inputsOf(keys: string[]): string[] {
    const out = new Set<string>();
    const seen = new Set<string>();
    const walk = (key: string): void => {
      if (seen.has(key)) return;
      seen.add(key);
      if (key.startsWith('window:')) out.add(key.slice('window:'.length));
      const node = this.nodes.get(key);
      if (node?.input) out.add(node.input.metric);
      for (const dep of node?.deps ?? []) walk(dep);
    };
    keys.forEach(walk);
    return [...out];
  }

  /** Evaluates an expression against inputs; throws MissingInputError when data is missing. */
  evaluateExpr(
    expr: CompiledExpression,
    inputs: EvalInputs,
    memo = new Map<string, unknown>(),
  ): unknown {
    const scope: Record<string, unknown> = {};
    for (const s of expr.symbols) scope[s] = this.evaluate(this.symbolKey(s), inputs, memo);
    for (const p of expr.paths) setPath(scope, p, this.evaluatePath(p, inputs, memo));
    for (const w of expr.windows) {
      const v = inputs.metrics[w.key];
      if (v === undefined) throw new MissingInputError(w.key);
      scope[w.key] = fromCanonical(this.units, v, this.windowUnit(w));
    }
    return expr.evaluate(scope);
  }

  /** Canonical unit of a window function's value: the metric's, per second for `rate`. */
  windowUnit(w: WindowRef): string {
    const unit = this.nodes.get(`metrics.${w.metric}`)?.input?.unit ?? '';
    if (w.fn === 'count') return '';
    if (w.fn !== 'rate') return unit;
    return { '': '1/s', B: 'B/s' }[unit] ?? '';
  }

  /**
   * Probe inputs for unit checks: every source metric and window key set to 1. Built once per
   * set of nodes and shared: a caller may add keys (at 1) for an expression's own windows.
   */
  probeInputs(): EvalInputs {
    if (this.probe) return this.probe;
    const metrics: Record<string, number> = {};
    for (const node of this.nodes.values()) {
      if (node.input) metrics[node.input.metric] = 1;
      for (const w of node.expr?.windows ?? []) metrics[w.key] = 1;
    }
    this.probe = { metrics };
    return this.probe;
  }

  /** Evaluates one node (memoised per call chain). */
  evaluate(key: string, inputs: EvalInputs, memo = new Map<string, unknown>()): unknown {
    if (memo.has(key)) return memo.get(key);
    const override = inputs.overrides?.[key];
    const cacheable = !inputs.overrides && this.isInputFree(key);
    let value: unknown;
    if (override !== undefined) {
      value = fromCanonical(this.units, override, this.overrideUnit(key));
    } else if (cacheable && this.constants.has(key)) {
      value = this.constants.get(key);
    } else {
      const node = this.nodes.get(key);
      if (!node) throw new Error(`internal: no formula node ${key}`);
      value = this.computeNode(node, inputs, memo);
      // Capacities and params read no metric: evaluate them once, not once per series per cycle.
      if (cacheable) this.constants.set(key, value);
    }
    memo.set(key, value);
    return value;
  }

  /** True when a node reads no metric (directly or through its dependencies). */
  isInputFree(key: string): boolean {
    let free = this.inputFree.get(key);
    if (free === undefined) {
      const node = this.nodes.get(key);
      free = node !== undefined && node.alias === undefined && this.inputsOf([key]).length === 0;
      this.inputFree.set(key, free);
    }
    return free;
  }

  private computeNode(node: GraphNode, inputs: EvalInputs, memo: Map<string, unknown>): unknown {
    if (node.input) {
      const v = inputs.metrics[node.input.metric];
      if (v === undefined || Number.isNaN(v)) throw new MissingInputError(node.input.metric);
      return fromCanonical(this.units, v, node.input.unit);
    }
    if (node.alias !== undefined) {
      try {
        return this.evaluate(node.alias, inputs, memo);
      } catch (err) {
        if (err instanceof MissingInputError && node.constant !== undefined) return node.constant;
        throw err;
      }
    }
    if (node.constant !== undefined) return node.constant;
    if (!node.expr) throw new Error(`internal: formula node ${node.key} has no expression`);
    return this.evaluateExpr(node.expr, inputs, memo);
  }

  /** The node key a plain name refers to (`params.pool_size`, `drivers.companies`, …). */
  symbolKey(name: string): string {
    return `${this.sections.get(name) ?? 'components'}.${name}`;
  }

  /** True when component `c` declares `field.resource` (e.g. `capacity.storage`). */
  private declares(
    component: string | undefined,
    field: string,
    resource: string | undefined,
  ): boolean {
    return this.resourceFields.get(component ?? '')?.has(`${field}.${resource}`) ?? false;
  }

  /** Node keys a dotted path reads. */
  pathKeys(path: string[]): string[] {
    const [component, second, third] = path;
    const base = `components.${component}`;
    if (second === 'replicas') return [`${base}.replicas`];
    if (second === undefined || third === undefined) return [`${base}.${second ?? ''}`];
    const capacity = this.declares(component, 'capacity', second)
      ? `${base}.capacity.${second}`
      : `${base}.per_replica.${second}`;
    const usage = this.declares(component, 'usage', second)
      ? `${base}.usage.${second}`
      : `${base}.model.${second}`;
    if (third === 'capacity')
      return capacity.includes('per_replica') ? [capacity, `${base}.replicas`] : [capacity];
    if (third === 'usage' || third === 'model') return [`${base}.${third}.${second}`];
    return [capacity, usage, ...(capacity.includes('per_replica') ? [`${base}.replicas`] : [])];
  }

  /**
   * How a dotted path is computed: `capacity` is the declared capacity (or an override of it),
   * else per-replica capacity × replicas; `utilization` is usage (live, else the model) ÷
   * capacity; `headroom` is one minus that.
   */
  pathFormula(path: string[], overrides?: Record<string, number>): PathFormula {
    const [component, second, third] = path;
    const base = `components.${component}`;
    const node = (key: string): PathFormula => ({ op: 'node', key });
    if (second === 'replicas') return node(`${base}.replicas`);
    const direct = `${base}.capacity.${second}`;
    const capacity: PathFormula =
      this.declares(component, 'capacity', second) || overrides?.[direct] !== undefined
        ? node(direct)
        : {
            op: 'multiply',
            left: node(`${base}.per_replica.${second}`),
            right: node(`${base}.replicas`),
          };
    const usage = node(
      this.declares(component, 'usage', second)
        ? `${base}.usage.${second}`
        : `${base}.model.${second}`,
    );
    const utilization: PathFormula = { op: 'divide', left: usage, right: capacity };
    switch (third) {
      case 'capacity':
        return capacity;
      case 'usage':
      case 'model':
        return node(`${base}.${third}.${second}`);
      case 'utilization':
        return utilization;
      case 'headroom':
        return { op: 'oneMinus', of: utilization };
      default:
        throw new Error(`internal: unsupported path ${path.join('.')}`);
    }
  }

  private evaluatePath(path: string[], inputs: EvalInputs, memo: Map<string, unknown>): unknown {
    const math = this.units.math;
    const run = (f: PathFormula): unknown => {
      switch (f.op) {
        case 'node':
          return this.evaluate(f.key, inputs, memo);
        case 'multiply':
          return math.multiply(run(f.left) as number, run(f.right) as number);
        case 'divide':
          return math.divide(run(f.left) as number, run(f.right) as number);
        case 'oneMinus':
          return math.subtract(1, run(f.of) as number);
      }
    };
    return run(this.pathFormula(path, inputs.overrides));
  }
}

function setPath(scope: Record<string, unknown>, path: string[], value: unknown): void {
  let obj = scope;
  for (let i = 0; i < path.length - 1; i++) {
    const k = path[i]!;
    const next = obj[k];
    if (next === null || typeof next !== 'object' || (next as { type?: string }).type === 'Unit')
      obj[k] = {};
    obj = obj[k] as Record<string, unknown>;
  }
  obj[path[path.length - 1]!] = value;
}
