/**
 * Threshold conditions: the comparison that turns a trigger's value into "active or not", with
 * PromQL's filtering semantics, and a small parser for the short form plans use (`"> 70%"`).
 */
import { HeadroomError } from '../errors.ts';
import type { ComparisonOp, Condition } from './types.ts';

/** Every comparison operator, longest first so that `>=` is never read as `>`. */
export const COMPARISON_OPS: readonly ComparisonOp[] = ['>=', '<=', '==', '!=', '>', '<'];

/** True when `value op threshold` holds (NaN never holds, except for `!=` as in IEEE 754). */
export function holds(condition: Condition, value: number): boolean {
  const t = condition.threshold;
  switch (condition.op) {
    case '>':
      return value > t;
    case '>=':
      return value >= t;
    case '<':
      return value < t;
    case '<=':
      return value <= t;
    case '==':
      return value === t;
    case '!=':
      return value !== t;
  }
}

/** Problems with a condition object, as sentences (empty when it is valid). */
export function conditionProblems(condition: unknown): string[] {
  if (typeof condition !== 'object' || condition === null) return ['condition must be an object'];
  const { op, threshold } = condition as Partial<Condition>;
  const problems: string[] = [];
  if (!COMPARISON_OPS.includes(op as ComparisonOp)) {
    problems.push(`unknown operator ${JSON.stringify(op)}; use one of ${COMPARISON_OPS.join(' ')}`);
  }
  if (typeof threshold !== 'number' || Number.isNaN(threshold)) {
    problems.push('threshold must be a number');
  }
  return problems;
}

/** The condition in PromQL syntax, e.g. `> 0.7` (for the Prometheus-rules exporter). */
export function formatCondition(condition: Condition): string {
  const t = condition.threshold;
  const text = Number.isFinite(t) ? String(t) : t > 0 ? '+Inf' : '-Inf';
  return `${condition.op} ${text}`;
}

// An unsigned decimal number: digits with an optional fraction, or a bare fraction, then an
// optional exponent. The sign is read separately so that "- 5" gets a clear message.
const NUMBER = /^(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/;

const EXAMPLE = 'write it like "> 70%", ">= 0.85" or "< 500"';

/**
 * Parses the short form of a condition. Grammar (whitespace allowed between the parts):
 *
 *     condition := op [sign] number ["%"]
 *     op        := ">=" | "<=" | "==" | "!=" | ">" | "<"
 *     number    := digits ["." digits] [("e"|"E") [sign] digits]   (or "." digits)
 *
 * `%` divides by 100 (`"> 70%"` → `{ op: '>', threshold: 0.7 }`). Units are not understood here:
 * the plan layer converts them to base units first. Throws `HeadroomError('PLAN_EXPRESSION')`.
 */
export function parseCondition(text: string): Condition {
  const fail = (message: string, hint = EXAMPLE): never => {
    throw new HeadroomError('PLAN_EXPRESSION', `condition ${JSON.stringify(text)}: ${message}`, {
      hint,
    });
  };
  if (typeof text !== 'string') fail('must be a string');
  let rest = text.trim();
  if (rest === '') fail('is empty');
  const op = COMPARISON_OPS.find((o) => rest.startsWith(o));
  if (op === undefined) {
    if (rest.startsWith('=>')) fail('unknown operator "=>"', 'did you mean ">="?');
    if (rest.startsWith('=<')) fail('unknown operator "=<"', 'did you mean "<="?');
    if (rest.startsWith('=')) fail('unknown operator "="', 'use "==" to test equality');
    fail('must start with a comparison operator (> >= < <= == !=)');
  }
  rest = rest.slice(op!.length).trimStart();
  let sign = 1;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    sign = rest.startsWith('-') ? -1 : 1;
    rest = rest.slice(1);
  }
  const match = NUMBER.exec(rest);
  if (match === null) fail(`expected a number after "${op}"`);
  const digits = match![0];
  rest = rest.slice(digits.length).trimStart();
  let threshold = sign * Number(digits);
  if (rest.startsWith('%')) {
    // Divide rather than multiply by 0.01 so that 70% is exactly 0.7.
    threshold /= 100;
    rest = rest.slice(1).trimStart();
  }
  if (rest !== '') {
    fail(
      `unexpected ${JSON.stringify(rest)} after the number`,
      'only plain numbers and % are understood here; write other units in base units (bytes, seconds)',
    );
  }
  if (!Number.isFinite(threshold)) fail('the number is too large');
  return { op: op!, threshold };
}
