/**
 * Shared helpers for the example-plan tests: load an example with an empty environment, look
 * up its triggers, levels and tiers by name, and check the roadmap's arithmetic.
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { asHeadroomErrors, formatError } from '../../errors.ts';
import { loadPlan } from '../load.ts';
import type { RawPlan } from '../schema.ts';
import type { Plan, PlanLevel, PlanTier, PlanTrigger } from '../types.ts';
import {
  fromCanonical,
  normalizeExpression,
  parseDurationMs,
  toQuantity,
  type Quantity,
} from '../units.ts';

/** Directory holding the example plans (`examples/` at the repository root). */
export const EXAMPLES = fileURLToPath(new URL('../../../examples', import.meta.url));

/** Example plan file names (`cfi.yaml`, …), sorted. */
export const FILES = readdirSync(EXAMPLES)
  .filter((f) => f.endsWith('.yaml'))
  .sort();

/** One minute, in milliseconds. */
export const MINUTE = 60_000;
/** One hour, in milliseconds. */
export const HOUR = 60 * MINUTE;
/** One day, in milliseconds. */
export const DAY = 24 * HOUR;
/** One week, in milliseconds. */
export const WEEK = 7 * DAY;
/** One month (a twelfth of a Julian year, as plans read `1 month`), in ms. */
export const MONTH = 2_629_800_000;
/** One quarter (three months), in ms. */
export const QUARTER = 3 * MONTH;

/** Loads `examples/<name>.yaml` with an empty environment, so every `${VAR:-default}` takes its default. */
export function loadExample(name: string): Plan {
  try {
    return loadPlan(join(EXAMPLES, `${name}.yaml`), { env: {} });
  } catch (err) {
    assert.fail(asHeadroomErrors(err).map(formatError).join('\n'));
  }
}

/** The trigger called `name`; fails the test when there is none. */
export function trigger(plan: Plan, name: string): PlanTrigger {
  const found = plan.triggers.find((t) => t.name === name);
  assert.ok(found, `${plan.name} has no trigger "${name}"`);
  return found;
}

/** The `severity` level of trigger `name`; fails the test when there is none. */
export function level(plan: Plan, name: string, severity: 'warning' | 'critical'): PlanLevel {
  const found = trigger(plan, name).levels.find((l) => l.severity === severity);
  assert.ok(found, `${plan.name} trigger "${name}" has no ${severity} level`);
  return found;
}

/** The tier called `name`; fails the test when there is none. */
export function tier(plan: Plan, name: string): PlanTier {
  const found = plan.tiers.find((t) => t.name === name);
  assert.ok(found, `${plan.name} has no tier "${name}"`);
  return found;
}

/** A scenario as written, by name; fails the test when there is none. */
export function scenario(plan: Plan, name: string): NonNullable<RawPlan['scenarios']>[number] {
  const found = plan.raw.scenarios?.find((s) => s.name === name);
  assert.ok(found, `${plan.name} has no scenario "${name}"`);
  return found;
}

/** A duration field as written (`5m`, `1w`), in milliseconds; fails the test when it is missing. */
export function ms(text: string | number | undefined): number {
  assert.ok(text !== undefined, 'duration is missing');
  const value = parseDurationMs(text);
  assert.ok(value !== undefined, `"${text}" is not a duration`);
  return value;
}

/**
 * Evaluates a formula as written in the plan over the plan's constant params and `extra` values
 * (canonical numbers, or objects for dotted paths such as `{ api: { replicas: 2 } }`), without
 * the formula graph: the roadmap's arithmetic, checked on its own.
 */
export function evaluate(
  plan: Plan,
  text: string | number,
  extra: Record<string, unknown> = {},
): Quantity {
  const scope: Record<string, unknown> = {};
  for (const [name, q] of Object.entries(plan.params))
    scope[name] = fromCanonical(plan.units, q.value, q.unit);
  Object.assign(scope, extra);
  return toQuantity(plan.units, plan.units.math.evaluate(normalizeExpression(String(text)), scope));
}

/** Asserts `actual` equals `expected` up to float noise. */
export function close(actual: number, expected: number, message?: string): void {
  assert.ok(
    Math.abs(actual - expected) <= Math.abs(expected) * 1e-9,
    `${message ?? ''} ${actual} ≠ ${expected}`,
  );
}

/** Element-wise `close`, for lists of canonical numbers (`99.9%` is 0.9990000000000001). */
export function closeAll(actual: (number | undefined)[], expected: (number | undefined)[]): void {
  assert.equal(actual.length, expected.length, `${actual.join()} vs ${expected.join()}`);
  actual.forEach((a, i) => {
    if (expected[i] === undefined || a === undefined) assert.equal(a, expected[i]);
    else close(a, expected[i]!, `[${i}]`);
  });
}
