import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { describe, it } from 'node:test';
import { NOW, shopPlan } from '../../test/helpers/capacity-plan.ts';
import { loadPlan } from '../plan/load.ts';
import { exprValue } from './evaluate.ts';
import { buildCapacityModel } from './model.ts';
import { scenarioInputs } from './projection.ts';
import { reachedKeys } from './reach.ts';

const EXAMPLES = readdirSync('examples').filter((f) => f.endsWith('.yaml'));

describe('reachedKeys', () => {
  it('follows a utilization through capacity, usage and the formulas they read', () => {
    const plan = shopPlan();
    const storage = plan.triggers.find((t) => t.name === 'storage')!;
    const keys = reachedKeys(plan.graph, storage.expr);
    assert.ok(keys.has('components.store.capacity.storage'));
    assert.ok(keys.has('components.store.usage.storage'));
    assert.ok(!keys.has('components.api.model.requests'));
  });

  it('adds the edges it is given, transitively', () => {
    const plan = shopPlan();
    const storage = plan.triggers.find((t) => t.name === 'storage')!;
    const usage = 'components.store.usage.storage';
    const keys = reachedKeys(plan.graph, { ...storage.expr }, (k) =>
      k === usage ? ['components.store.model.storage'] : [],
    );
    assert.ok(keys.has('components.store.model.storage'));
    assert.ok(keys.has('params.bytes_per_company'));
  });
});

describe('scenarioInputs for one expression', () => {
  for (const file of EXAMPLES) {
    it(`gives every trigger of ${file} the value the whole projection gives, at 1x and 30x drivers`, () => {
      const plan = loadPlan(`examples/${file}`, { env: {} });
      const current = Object.fromEntries(Object.keys(plan.metrics).map((m, i) => [m, 1 + i]));
      const model = buildCapacityModel({ plan, now: NOW, current, history: [] });
      let defined = 0;
      for (const factor of [1, 30]) {
        const drivers = Object.fromEntries(
          Object.values(model.drivers).flatMap((d) =>
            d.now === undefined ? [] : [[d.name, d.now * factor]],
          ),
        );
        for (const t of plan.triggers) {
          const whole = exprValue(plan, t.expr, scenarioInputs(model, { drivers }));
          const only = exprValue(plan, t.expr, scenarioInputs(model, { drivers }, t.expr));
          assert.equal(only, whole, `${file} trigger ${t.name} at ${factor}x`);
          if (whole !== undefined) defined++;
        }
      }
      assert.ok(defined > 0, `${file}: no trigger evaluated`);
    });
  }
});
