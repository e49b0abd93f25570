// The capacity model's numbers come from number functions compiled per set of overridden keys
// (`plan/number-evaluator.ts`): on every example plan, every graph node and trigger under
// seeded random metrics and random overrides of the drivers, params, usages, models, capacities
// and replicas it reads equals the mathjs path — the value, or the same MissingInputError.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { describe, it } from 'node:test';
import { NOW } from '../../test/helpers/capacity-plan.ts';
import type { CompiledExpression } from '../plan/expression.ts';
import type { EvalInputs, FormulaGraph } from '../plan/graph.ts';
import { loadPlan } from '../plan/load.ts';
import { evaluateNumber } from '../plan/number-evaluator.ts';
import { reachFrom } from '../plan/reach.ts';
import { toQuantity } from '../plan/units.ts';
import {
  describeOutcome,
  outcome,
  RandomInputs,
  sameOutcome,
} from '../testing/number-equivalence.ts';
import { buildCapacityModel } from './model.ts';

const EXAMPLES = readdirSync('examples').filter((f) => f.endsWith('.yaml'));
const TRIALS = 60;
const OVERRIDABLE =
  /^(drivers\.|params\.|components\.[^.]+\.(replicas$|(usage|capacity|per_replica|model)\.))/;

function mathjs(graph: FormulaGraph, target: string | CompiledExpression, inputs: EvalInputs) {
  const v =
    typeof target === 'string'
      ? graph.evaluate(target, inputs)
      : graph.evaluateExpr(target, inputs);
  return toQuantity(graph.units, v).value;
}

/** Random metrics and overrides for `target`, `TRIALS` times; counts the evaluations compared. */
function compare(
  graph: FormulaGraph,
  target: string | CompiledExpression,
  what: string,
  seed: number,
): number {
  const start = typeof target === 'string' ? [target] : graph.dependencies(target);
  const reached = [...reachFrom(graph, start)];
  const metrics = graph.inputsOf(start);
  const overridable = reached.filter((k) => OVERRIDABLE.test(k));
  const random = new RandomInputs(seed);
  for (let i = 0; i < TRIALS; i++) {
    // A random part of what it reads overridden (none, some, all), at random values.
    const keys = overridable.filter(() => random.next(['pick']).pick !== undefined && i % 3 !== 0);
    const overrides = random.next(keys) as Record<string, number>;
    const inputs: EvalInputs = { metrics: random.next(metrics), overrides };
    const [got, want] = [
      outcome(() => evaluateNumber(graph, target, inputs)),
      outcome(() => mathjs(graph, target, inputs)),
    ];
    assert.ok(
      sameOutcome(got, want),
      `${what} with ${JSON.stringify(inputs)}: number ${describeOutcome(got)}, mathjs ${describeOutcome(want)}`,
    );
  }
  return TRIALS;
}

describe('capacity numbers under overrides equal the mathjs path', () => {
  for (const file of EXAMPLES) {
    it(`every node and trigger of ${file}`, () => {
      const plan = loadPlan(`examples/${file}`, { env: {} });
      const current = Object.fromEntries(Object.keys(plan.metrics).map((m, i) => [m, 1 + i]));
      // Building the model declares the unit of every override it makes.
      buildCapacityModel({ plan, now: NOW, current, history: [] });
      let compared = 0;
      let seed = 1;
      for (const key of plan.graph.nodes.keys()) compared += compare(plan.graph, key, key, seed++);
      for (const t of plan.triggers)
        compared += compare(plan.graph, t.expr, `trigger ${t.name}`, seed++);
      assert.ok(compared > 0);
    });
  }
});
