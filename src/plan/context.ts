/**
 * The compile context: shared helpers that turn plan text into checked values and collect
 * every problem as a located `HeadroomError` (compilation never stops at the first one).
 */
import { closest } from 'fastest-levenshtein';
import { HeadroomError, type ErrorCode } from '../errors.ts';
import { compileExpression, ExpressionError, type CompiledExpression } from './expression.ts';
import type { FormulaGraph } from './graph.ts';
import type { RawPlan } from './schema.ts';
import type { FieldPath, SourceMap } from './source-map.ts';
import type { ConditionOp, PlanCondition } from './types.ts';
import { parseDurationMs, toQuantity, type Quantity, type UnitSystem } from './units.ts';

const CONDITION = /^\s*(>=|<=|==|!=|>|<)\s*(.+?)\s*$/;

/** State shared by the compile passes. */
export class CompileContext {
  readonly errors: HeadroomError[] = [];
  /** False when references are broken, so evaluating the graph would only echo those errors. */
  graphComplete = true;
  /** The metrics read from a source (aggregations apply to them), found once per compile. */
  private readonly sourceMetrics: ReadonlySet<string>;

  constructor(
    readonly raw: RawPlan,
    readonly map: SourceMap,
    readonly units: UnitSystem,
    readonly names: ReadonlySet<string>,
    readonly graph: FormulaGraph,
  ) {
    this.sourceMetrics = new Set(
      Object.entries(raw.metrics ?? {}).flatMap(([n, m]) => (m.from !== undefined ? [n] : [])),
    );
  }

  /** Records an error at a plan path. */
  fail(code: ErrorCode, path: FieldPath, message: string, hint?: string, key = false): void {
    this.errors.push(new HeadroomError(code, message, { ...this.map.locate(path, { key }), hint }));
  }

  /** Records an unknown reference with a "did you mean" among `candidates`. */
  unknown(
    path: FieldPath,
    what: string,
    name: string,
    candidates: Iterable<string>,
    key = false,
  ): void {
    const list = [...candidates];
    const guess = list.length > 0 ? closest(name, list) : undefined;
    const hint = guess
      ? `did you mean "${guess}"? Known ${what}s: ${list.join(', ')}`
      : `declare a ${what} named "${name}" first`;
    this.fail('PLAN_REFERENCE', path, `unknown ${what} "${name}"`, hint, key);
  }

  /** Compiles an expression; reports syntax errors and unknown names. */
  expr(text: string | number, path: FieldPath): CompiledExpression | undefined {
    try {
      const compiled = compileExpression(String(text), this.units, this.names, this.sourceMetrics);
      for (const name of compiled.symbols) {
        if (
          this.raw.components?.[name] &&
          !this.raw.params?.[name] &&
          !this.raw.drivers?.[name] &&
          !this.raw.metrics?.[name]
        ) {
          const resource =
            Object.keys(
              this.raw.components[name]!.capacity ?? this.raw.components[name]!.per_replica ?? {},
            )[0] ?? 'resource';
          this.fail(
            'PLAN_REFERENCE',
            path,
            `"${name}" is a component; refer to one of its fields`,
            `write e.g. ${name}.${resource}.utilization or ${name}.replicas${this.units.isUnit(name) ? ` (a component named "${name}" hides the unit "${name}"; rename one)` : ''}`,
          );
          return undefined;
        }
      }
      for (const w of compiled.windows) {
        if (!this.raw.metrics?.[w.metric])
          this.unknown(path, 'metric', w.metric, Object.keys(this.raw.metrics ?? {}));
      }
      return compiled;
    } catch (err) {
      if (err instanceof ExpressionError && err.unknownName) {
        this.unknown(path, 'name', err.unknownName, this.names);
      } else {
        this.fail(
          'PLAN_EXPRESSION',
          path,
          (err as Error).message,
          'check the expression syntax; quantities are written like `100 GB` or `(200 ms)`',
        );
      }
      return undefined;
    }
  }

  /** Evaluates a constant expression (no plan names) to a canonical quantity. */
  constant(text: string | number, path: FieldPath): Quantity | undefined {
    const compiled = this.expr(text, path);
    if (!compiled) return undefined;
    if (compiled.symbols.length + compiled.paths.length + compiled.windows.length > 0) {
      this.fail(
        'PLAN_EXPRESSION',
        path,
        `"${text}" must be a constant here, not a formula`,
        'write a number with its unit, e.g. `100 GB`',
      );
      return undefined;
    }
    try {
      return toQuantity(this.units, compiled.evaluate({}));
    } catch (err) {
      if (/^\s*[\d.]+\s*-\s*[\d.]+\s*[A-Za-z]/.test(String(text))) {
        this.fail(
          'PLAN_SCHEMA',
          path,
          `"${text}" reads as a subtraction, not a range`,
          'a range is written { min: 400 USD/month, max: 600 USD/month }; "400-600" subtracts',
        );
      } else {
        this.fail(
          'PLAN_UNIT',
          path,
          `cannot evaluate "${text}": ${(err as Error).message}`,
          'write a number with its unit, e.g. `100 GB`',
        );
      }
      return undefined;
    }
  }

  /** A constant of an expected dimension (by canonical unit), else a PLAN_UNIT error. */
  quantityOf(
    text: string | number,
    path: FieldPath,
    unit: string,
    example: string,
  ): number | undefined {
    const q = this.constant(text, path);
    if (!q) return undefined;
    if (q.unit !== unit) {
      this.fail(
        'PLAN_UNIT',
        path,
        `"${text}" is ${describe(q)}, but ${describeUnit(unit)} belongs here`,
        `write e.g. ${example}`,
      );
      return undefined;
    }
    return q.value;
  }

  /** A duration in ms; reports `100 GB` where a duration belongs as a unit error. */
  duration(text: string | number | undefined, path: FieldPath, fallbackMs: number): number {
    if (text === undefined) return fallbackMs;
    const ms = parseDurationMs(text);
    if (ms !== undefined) return ms;
    const q = safeQuantity(this.units, text);
    if (q && q.unit !== 's') {
      this.fail(
        'PLAN_UNIT',
        path,
        `"${text}" is ${describe(q)}, but a duration belongs here`,
        'write a duration such as 30s, 10m, 1h or 7d',
      );
    } else {
      this.fail(
        'PLAN_SCHEMA',
        path,
        `"${text}" is not a duration`,
        'write a duration such as 30s, 10m, 1h or 7d',
      );
    }
    return fallbackMs;
  }

  /** The canonical unit of an expression, found by evaluating it on probe inputs (every metric = 1). */
  probeUnit(expr: CompiledExpression, path: FieldPath): string | undefined {
    if (!this.graphComplete) return undefined;
    const inputs = this.graph.probeInputs();
    for (const w of expr.windows) inputs.metrics[w.key] = 1;
    try {
      return toQuantity(this.units, this.graph.evaluateExpr(expr, inputs)).unit;
    } catch (err) {
      this.fail(
        'PLAN_UNIT',
        path,
        `units do not fit in "${expr.text}": ${(err as Error).message}`,
        'make both sides of + - and comparisons the same kind of quantity; write divisors with units in parentheses, e.g. / (200 ms)',
      );
      return undefined;
    }
  }

  /** Parses `> 70%` against the unit of the value it will be compared with. */
  condition(text: string, path: FieldPath, unit: string | undefined): PlanCondition | undefined {
    const m = CONDITION.exec(text);
    if (!m) {
      this.fail(
        'PLAN_SCHEMA',
        path,
        `"${text}" is not a condition`,
        'write an operator and a threshold, e.g. "> 70%" or "<= 200ms"',
      );
      return undefined;
    }
    // A threshold compared with a duration may be written as one: `> 5m` means minutes there.
    const ms = unit === 's' ? parseDurationMs(m[2]!) : undefined;
    const q =
      ms !== undefined
        ? { value: ms / 1000, unit: 's', dimension: 'duration' }
        : this.constant(m[2]!, path);
    if (!q) return undefined;
    if (unit !== undefined && this.graphComplete && q.unit !== unit) {
      this.fail(
        'PLAN_UNIT',
        path,
        `threshold "${m[2]}" is ${describe(q)}, but the value it is compared with is ${describeUnit(unit)}`,
        `write the threshold in ${describeUnit(unit)}${unit === '' ? ' (a number, or a percentage like 70%)' : ''}`,
      );
      return undefined;
    }
    return { op: m[1] as ConditionOp, threshold: q.value, unit: q.unit, text };
  }
}

/** Describes a quantity's dimension for messages: `bytes (100 GB)`. */
export function describe(q: Quantity): string {
  return q.unit === '' ? 'a plain number' : `${q.dimension} (${q.unit})`;
}

/** Describes a canonical unit for messages. */
export function describeUnit(unit: string): string {
  const names: Record<string, string> = {
    '': 'a plain number or ratio',
    B: 'bytes',
    s: 'a duration',
    '1/s': 'a rate (per second)',
    USD: 'money (USD)',
    'USD/month': 'money per month (e.g. 30 USD/month)',
  };
  return names[unit] ?? unit;
}

function safeQuantity(units: UnitSystem, text: string | number): Quantity | undefined {
  try {
    return toQuantity(units, units.math.evaluate(String(text)));
  } catch {
    return undefined;
  }
}
