import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileExpression } from './expression.ts';
import { defaultUnits, toQuantity } from './units.ts';
import { parseWaitObjective } from './wait-objective.ts';

describe('compileExpression', () => {
  const evaluate = (text: string, scope: Record<string, unknown> = {}): number =>
    toQuantity(
      defaultUnits(),
      compileExpression(text, defaultUnits(), new Set(Object.keys(scope))).evaluate(scope),
    ).value;

  const cases = [
    { name: 'a unit named like a function is the unit: req/min', text: '120 req/min', value: 2 },
    { name: 'per minute after a name', text: 'n * 1 req/min', scope: { n: 60 }, value: 1 },
    { name: 'min() called is still the function', text: 'min(3, 2)', value: 2 },
    { name: 'max() with units', text: 'max(1 GB, 2000 MB)', value: 2e9 },
  ];
  for (const c of cases) {
    it(c.name, () => assert.equal(evaluate(c.text, c.scope), c.value));
  }
});

describe('parseWaitObjective', () => {
  const cases = [
    { name: 'a percentile', text: 'wait_p95 <= 30s', want: { quantile: 0.95, waitSec: 30 } },
    {
      name: 'a fractional percentile and minutes',
      text: 'wait_p99.9 < 2m',
      want: { quantile: 0.999, waitSec: 120 },
    },
    { name: 'the mean', text: 'wait_mean <= 5s', want: { meanWaitSec: 5 } },
    { name: 'not a wait', text: 'latency_p95 <= 30s', want: undefined },
    { name: 'not a duration', text: 'wait_p95 <= 30 GB', want: undefined },
    { name: 'p100 is no percentile', text: 'wait_p100 <= 1s', want: undefined },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(parseWaitObjective(c.text), c.want));
});
