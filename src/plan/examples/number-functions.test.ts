// Every example plan's formulas as number functions equal the mathjs path: each trigger, each
// component field and path, on seeded random inputs (ordinary values, zeros, negatives, equal
// values, NaN, ±Infinity, missing metrics); and the alert engine over `triggerSpecs` gives the
// same statuses, transitions and state as over the mathjs path.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { basename } from 'node:path';
import {
  evaluate,
  type EngineState,
  type Input,
  type Series,
  type TriggerSpec,
} from '../../rules/index.ts';
import {
  describeOutcome,
  outcome,
  RandomInputs,
  sameOutcome,
} from '../../testing/number-equivalence.ts';
import { compileExpression, type CompiledExpression } from '../expression.ts';
import { nodeNumberFunction, numberFunction, type NumberFunction } from '../number-function.ts';
import { triggerSpecs } from '../trigger-specs.ts';
import type { Plan } from '../types.ts';
import { toQuantity } from '../units.ts';
import { FILES, loadExample } from './load-example.ts';

const TRIALS = 400;

/** Asserts the number function equals `exact` on `TRIALS` random sets of inputs `keys`. */
function assertEquivalent(
  what: string,
  fn: NumberFunction,
  exact: NumberFunction,
  keys: string[],
  seed: number,
): void {
  const random = new RandomInputs(seed);
  for (let i = 0; i < TRIALS; i++) {
    const inputs = random.next(keys);
    const [got, want] = [outcome(() => fn(inputs)), outcome(() => exact(inputs))];
    assert.ok(
      sameOutcome(got, want),
      `${what} with ${JSON.stringify(inputs)}: number ${describeOutcome(got)}, mathjs ${describeOutcome(want)}`,
    );
  }
}

function mathjsOf(plan: Plan, expr: CompiledExpression): NumberFunction {
  return (metrics) => toQuantity(plan.units, plan.graph.evaluateExpr(expr, { metrics })).value;
}

/** Dotted paths of every component resource: capacity, and usage, model, utilization, headroom where they exist. */
function componentPaths(plan: Plan): string[] {
  const paths: string[] = [];
  for (const [name, c] of Object.entries(plan.raw.components ?? {})) {
    paths.push(`${name}.replicas`);
    const resources = new Set(
      (['capacity', 'per_replica', 'usage', 'model'] as const).flatMap((f) =>
        Object.keys(c[f] ?? {}),
      ),
    );
    for (const r of resources) {
      if (c.capacity?.[r] !== undefined || c.per_replica?.[r] !== undefined) {
        paths.push(`${name}.${r}.capacity`);
      }
      if (c.usage?.[r] !== undefined) paths.push(`${name}.${r}.usage`);
      if (c.model?.[r] !== undefined) paths.push(`${name}.${r}.model`);
      if (c.usage?.[r] !== undefined || c.model?.[r] !== undefined) {
        paths.push(`${name}.${r}.utilization`, `${name}.${r}.headroom`);
      }
    }
  }
  return paths;
}

function compilePlanExpression(plan: Plan, text: string): CompiledExpression {
  const raw = plan.raw as unknown as Record<string, object | undefined>;
  const names = new Set(
    ['params', 'metrics', 'drivers', 'components'].flatMap((s) => Object.keys(raw[s] ?? {})),
  );
  const sources = new Set(Object.values(plan.metrics).flatMap((m) => (m.source ? [m.name] : [])));
  return compileExpression(text, plan.units, names, sources);
}

/**
 * The specs as they were before number functions: a trigger on one source metric reads its
 * value (that fast path is older than number functions), every other compute goes through mathjs.
 */
function mathjsSpecs(plan: Plan): TriggerSpec[] {
  return triggerSpecs(plan).map((spec, i) => {
    const t = plan.triggers[i]!;
    const text = t.expr.text.trim();
    if (t.inputs.length === 1 && t.inputs[0] === text && plan.metrics[text]?.source) return spec;
    return { ...spec, compute: mathjsOf(plan, t.expr) };
  });
}

/** Engine inputs: each metric three labelled series (aggregations one), some unknown. */
function engineInputs(plan: Plan, random: RandomInputs): Record<string, Input> {
  const keys = [...new Set(plan.triggers.flatMap((t) => t.inputs))];
  const inputs: Record<string, Input> = {};
  const series = [0, 1, 2].map(() => random.next(keys));
  for (const key of keys) {
    const aggregate = /^(sum|avg|min|max|count)\(/.test(key);
    const values = (aggregate ? series.slice(0, 1) : series).map((s) => s[key]);
    if (values[0] === undefined) {
      inputs[key] = { unknown: 'no data' };
      continue;
    }
    inputs[key] = values.map((v, k): Series => ({
      labels: aggregate ? {} : { instance: `i-${k}` },
      value: v ?? NaN,
    }));
  }
  return inputs;
}

/** Deep equality where numbers may differ by 1e-9 relative (NaN equals NaN). */
function assertClose(a: unknown, b: unknown, where: string): void {
  if (typeof a === 'number' && typeof b === 'number') {
    assert.ok(sameOutcome({ value: a }, { value: b }), `${where}: ${a} vs ${b}`);
    return;
  }
  if (typeof a !== 'object' || a === null || typeof b !== 'object' || b === null) {
    assert.equal(a, b, where);
    return;
  }
  assert.deepEqual(Object.keys(a).sort(), Object.keys(b).sort(), `${where}: keys`);
  for (const k of Object.keys(a)) {
    assertClose(
      (a as Record<string, unknown>)[k],
      (b as Record<string, unknown>)[k],
      `${where}.${k}`,
    );
  }
}

for (const file of FILES) {
  const name = basename(file, '.yaml');
  describe(`${file}: number functions equal the mathjs path`, () => {
    const plan = loadExample(name);

    it('every trigger', () => {
      plan.triggers.forEach((t, i) => {
        const fn = numberFunction(plan.graph, t.expr);
        assert.ok(fn, `trigger ${t.name} (${t.expr.text}) has no number function`);
        assertEquivalent(
          `trigger ${t.name}: ${t.expr.text}`,
          fn,
          mathjsOf(plan, t.expr),
          t.inputs,
          1000 + i,
        );
      });
    });

    it('every component field', () => {
      let i = 0;
      for (const key of plan.graph.nodes.keys()) {
        if (!key.startsWith('components.')) continue;
        const fn = nodeNumberFunction(plan.graph, key);
        assert.ok(fn, `${key} has no number function`);
        const exact: NumberFunction = (metrics) =>
          toQuantity(plan.units, plan.graph.evaluate(key, { metrics })).value;
        assertEquivalent(key, fn, exact, plan.graph.inputsOf([key]), 2000 + i++);
      }
    });

    it('every component path (capacity, usage, model, utilization, headroom, replicas)', () => {
      componentPaths(plan).forEach((path, i) => {
        const expr = compilePlanExpression(plan, path);
        const fn = numberFunction(plan.graph, expr);
        assert.ok(fn, `${path} has no number function`);
        const keys = plan.graph.inputsOf(plan.graph.dependencies(expr));
        assertEquivalent(path, fn, mathjsOf(plan, expr), keys, 3000 + i);
      });
    });

    it('the alert engine: the same statuses, transitions and state', () => {
      const [fast, slow] = [triggerSpecs(plan), mathjsSpecs(plan)];
      const random = new RandomInputs(4000);
      let now = Date.UTC(2025, 0, 1);
      let [a, b]: (EngineState | undefined)[] = [undefined, undefined];
      for (let cycle = 0; cycle < 40; cycle++) {
        const inputs = engineInputs(plan, random);
        const x = evaluate({ triggers: fast, inputs, now, previous: a });
        const y = evaluate({ triggers: slow, inputs, now, previous: b });
        assertClose(x, y, `cycle ${cycle}`);
        [a, b] = [x.state, y.state];
        now += 60_000;
      }
    });
  });
}
