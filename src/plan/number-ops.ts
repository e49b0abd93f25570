/**
 * Number equivalents of the mathjs functions plan formulas use, over SI values (see
 * `si-scale.ts`): for each function, given its arguments' kinds, number code that returns what
 * mathjs would return, normalized. They follow mathjs 15 to the letter where it is not plain
 * arithmetic: comparisons within mathjs's relative tolerance (`larger(1, 1 + 1e-13)` is false),
 * `max`/`min` returning NaN when any argument is NaN, `pow` and `sqrt` of a negative base
 * (mathjs gives a Complex there: number code throws `NOT_EXACT`, and the caller evaluates that
 * input with mathjs instead). A function or a combination of kinds not listed has no number
 * form, and the formula keeps the mathjs path.
 */
import type { MathJsInstance, Unit } from 'mathjs';
import { kindOf, type ValueKind } from './si-scale.ts';

/** Source-metric and window values by engine input key, canonical units. */
export type Metrics = Readonly<Record<string, number | undefined>>;

/** A compiled (sub-)formula: its SI value from the inputs. */
export type SiFn = (m: Metrics) => number;

/** A compiled sub-expression: its mathjs value at the probe inputs and its number form. */
export interface Part {
  /** The mathjs value at the probe inputs (every metric 1); the exact value when `constant`. */
  probe: unknown;
  /** True when it reads no input. */
  constant: boolean;
  /** SI value from the inputs; undefined when the value has no number form (a string). */
  si?: SiFn;
}

/**
 * Thrown by number code where mathjs would leave the real numbers (a Complex result): the
 * caller then evaluates that input through mathjs, so the outcome is mathjs's.
 */
export class NotExact extends Error {
  constructor() {
    super('no exact number form for this input; evaluate with mathjs');
  }
}

/** The one instance number code throws (throwing it costs no stack trace). */
export const NOT_EXACT = new NotExact();

/** The tolerances of mathjs's comparisons (`config.relTol`, `config.absTol`). */
export interface Tolerance {
  relTol: number;
  absTol: number;
}

/** mathjs's `nearlyEqual` for numbers (utils/number.js), with relTol > 0. */
export function nearlyEqual(a: number, b: number, t: Tolerance): boolean {
  if (Number.isNaN(a) || Number.isNaN(b)) return false;
  if (!Number.isFinite(a) || !Number.isFinite(b)) return a === b;
  if (a === b) return true;
  return Math.abs(a - b) <= Math.max(t.relTol * Math.max(Math.abs(a), Math.abs(b)), t.absTol);
}

/** mathjs's `isInteger` for numbers. */
function isInteger(y: number): boolean {
  return Number.isFinite(y) && y === Math.round(y);
}

/** mathjs's `pow` of two real numbers, throwing `NOT_EXACT` where mathjs gives a Complex. */
export function powReal(x: number, y: number): number {
  const toZero = (x * x < 1 && y === Infinity) || (x * x > 1 && y === -Infinity);
  if (isInteger(y) || x >= 0) return toZero ? 0 : Math.pow(x, y);
  if (toZero) return 0;
  throw NOT_EXACT;
}

/** mathjs's `sqrt` of a real number, throwing `NOT_EXACT` for a negative one. */
function sqrtReal(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x >= 0) return Math.sqrt(x);
  throw NOT_EXACT;
}

/** What a number form is built from: the arguments' parts and number code, and mathjs. */
export interface OpArgs {
  parts: Part[];
  fns: SiFn[];
  kinds: ValueKind[];
  math: MathJsInstance;
  tolerance: Tolerance;
}

type Op = (a: OpArgs) => SiFn | undefined;

const truth = (b: boolean): number => (b ? 1 : 0);

/** True when all arguments are of one kind, and Units of one dimension. */
function sameKind({ parts, kinds }: OpArgs): boolean {
  if (!kinds.every((k) => k === kinds[0])) return false;
  if (kinds[0] === 'scalar') return true;
  const first = parts[0]!.probe as Unit;
  return parts.every((p) => first.equalBase(p.probe as Unit));
}

function binary(
  f: (x: number, y: number) => number,
  check: (a: OpArgs) => boolean = () => true,
): Op {
  return (a) => {
    if (a.fns.length !== 2 || !check(a)) return undefined;
    const [x, y] = a.fns as [SiFn, SiFn];
    return (m) => f(x(m), y(m));
  };
}

function unary(f: (x: number) => number, kinds: readonly ValueKind[] = ['scalar', 'unit']): Op {
  return (a) => {
    if (a.fns.length !== 1 || !kinds.includes(a.kinds[0]!)) return undefined;
    const [x] = a.fns as [SiFn];
    return (m) => f(x(m));
  };
}

function comparison(f: (x: number, y: number, t: Tolerance) => boolean): Op {
  return (a) => {
    if (a.fns.length !== 2 || !sameKind(a)) return undefined;
    const [x, y] = a.fns as [SiFn, SiFn];
    const t = a.tolerance;
    return (m) => truth(f(x(m), y(m), t));
  };
}

const larger = (x: number, y: number, t: Tolerance): boolean => x > y && !nearlyEqual(x, y, t);
const smaller = (x: number, y: number, t: Tolerance): boolean => x < y && !nearlyEqual(x, y, t);

/** mathjs's `max`/`min` of scalars: NaN when any argument is NaN, else the first extreme. */
function extreme(beats: (x: number, y: number, t: Tolerance) => boolean): Op {
  return (a) => {
    if (a.fns.length === 0 || !sameKind(a)) return undefined;
    const fns = a.fns;
    const t = a.tolerance;
    return (m) => {
      let res = fns[0]!(m);
      for (let i = 1; i < fns.length; i++) {
        const v = fns[i]!(m);
        if (Number.isNaN(v) || (!Number.isNaN(res) && beats(v, res, t))) res = v;
      }
      return res;
    };
  };
}

/** `x ^ y`: a Unit's power must be known at compile time (it decides the dimension). */
const pow: Op = (a) => {
  if (a.fns.length !== 2 || a.kinds[1] !== 'scalar') return undefined;
  if (a.kinds[0] === 'unit' && !a.parts[1]!.constant) return undefined;
  const [x, y] = a.fns as [SiFn, SiFn];
  return (m) => powReal(x(m), y(m));
};

const sqrt: Op = (a) => {
  if (a.fns.length !== 1) return undefined;
  const [x] = a.fns as [SiFn];
  // mathjs takes a Unit's square root as its power 0.5.
  return a.kinds[0] === 'unit' ? (m) => powReal(x(m), 0.5) : (m) => sqrtReal(x(m));
};

/** Functions of plain numbers that mathjs computes itself: called with the numbers. */
const SCALAR_FUNCTIONS = [
  'ceil',
  'floor',
  'fix',
  'round',
  'cbrt',
  'exp',
  'log',
  'log10',
  'log2',
  'log1p',
  'sign',
  'square',
  'cube',
  'mod',
] as const;

function scalarFunction(name: string): Op {
  return (a) => {
    if (!a.kinds.every((k) => k === 'scalar')) return undefined;
    const f = (a.math as unknown as Record<string, (...args: number[]) => unknown>)[name]!;
    const fns = a.fns;
    const result = (r: unknown): number => {
      if (typeof r === 'number') return r;
      if (typeof r === 'boolean') return truth(r);
      throw NOT_EXACT;
    };
    if (fns.length === 1) {
      const [x] = fns as [SiFn];
      return (m) => result(f(x(m)));
    }
    return (m) => result(f(...fns.map((fn) => fn(m))));
  };
}

const OPS: Record<string, Op> = {
  add: binary((x, y) => x + y, sameKind),
  subtract: binary((x, y) => x - y, sameKind),
  multiply: binary((x, y) => x * y),
  divide: binary((x, y) => x / y),
  unaryMinus: unary((x) => -x),
  unaryPlus: unary((x) => x),
  pow,
  sqrt,
  abs: unary(Math.abs),
  larger: comparison(larger),
  largerEq: comparison((x, y, t) => x >= y || nearlyEqual(x, y, t)),
  smaller: comparison(smaller),
  smallerEq: comparison((x, y, t) => x <= y || nearlyEqual(x, y, t)),
  equal: comparison(nearlyEqual),
  unequal: comparison((x, y, t) => !nearlyEqual(x, y, t)),
  // mathjs reads a Unit's truth from its value, as number code does from the SI value.
  and: binary((x, y) => truth(!!(x && y))),
  or: binary((x, y) => truth(!!(x || y))),
  xor: binary((x, y) => truth(!!x !== !!y)),
  not: unary((x) => truth(!x)),
  max: extreme(larger),
  min: extreme(smaller),
  ...Object.fromEntries(SCALAR_FUNCTIONS.map((name) => [name, scalarFunction(name)])),
};

/**
 * Number code for mathjs function `name` (an operator's function, `add`, or a called one,
 * `max`) over `args`, or undefined when there is none for these kinds of arguments.
 */
export function numberOp(name: string, args: OpArgs): SiFn | undefined {
  return Object.hasOwn(OPS, name) ? OPS[name]!(args) : undefined;
}

/** The kinds of `parts`' probe values, or undefined when one has none. */
export function kindsOf(parts: readonly Part[]): ValueKind[] | undefined {
  const kinds: ValueKind[] = [];
  for (const p of parts) {
    const k = kindOf(p.probe);
    if (k === undefined) return undefined;
    kinds.push(k);
  }
  return kinds;
}
