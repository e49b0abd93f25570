import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NOW, shopPlan, WEEK_MS } from '../../test/helpers/capacity-plan.ts';
import { costSummary, monthlyVolume, MONTH_MS } from './costs.ts';
import type { Frame } from './evaluate.ts';
import { fixFor } from './fixes.ts';
import { buildCapacityModel } from './model.ts';
import { tierOutlook } from './tiers.ts';
import { whatIf } from './whatif.ts';

const close = (a: number | undefined, b: number, tol = 1e-9): void =>
  assert.ok(a !== undefined && Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${a} ≉ ${b}`);

describe('what-if', () => {
  const plan = shopPlan();
  const model = buildCapacityModel({ plan, now: NOW, current: { db_conns: 8 }, history: [] });

  it('answers "5,000 companies": utilization, what breaks, replicas, tier and cost', () => {
    const r = whatIf(model, { drivers: { companies: 5000 } });
    const store = r.resources.find((x) => x.component === 'store')!;
    close(store.utilization, 2.5);
    assert.equal(store.status, 'full');
    const api = r.resources.find((x) => x.component === 'api')!;
    close(api.utilization, 5000 / 60 / 20);
    assert.deepEqual(api.replicas, { now: 2, needed: 9, max: 4 });
    // The database has no load model: it grows with the drivers set (5×).
    close(r.resources.find((x) => x.component === 'db')!.utilization, 0.4);
    assert.equal(r.firstToBreak?.component, 'api');
    assert.equal(r.tier.needed, 'Large');
    assert.equal(r.cost.nowMonthlyUsd, 100);
    assert.equal(r.cost.whatIfMonthlyUsd, 400);
    assert.equal(r.cost.deltaMonthlyUsd, 300);
  });

  it('answers "10× for 24 h" with the cost of the spike prorated', () => {
    const r = whatIf(model, { scale: 10, durationMs: 86_400_000 });
    assert.equal(r.drivers.companies!.value, 10000);
    assert.equal(r.loadScale, 10);
    close(r.cost.forDurationUsd, (300 * 86_400_000) / MONTH_MS);
  });

  it('sizes a worker pool for its wait objective with Erlang C', () => {
    // λ = 6/s, 0.5 s a job: 4 replicas leave P(wait > 1 s) = 6.9 %, 5 replicas 0.43 %.
    const r = whatIf(model, { scale: 1 });
    const mailer = r.resources.find((x) => x.component === 'mailer')!;
    assert.equal(mailer.replicas?.forWaitObjective, 5);
    assert.equal(mailer.replicas?.waitObjective, 'wait_p95 <= 1s');
    assert.equal(mailer.replicas?.needed, 5);
  });

  it('says when no tier of the roadmap holds the load', () => {
    const r = whatIf(model, { drivers: { companies: 50_000 } });
    assert.equal(r.tier.needed, undefined);
    assert.match(r.tier.reason, /roadmap ends/);
  });

  it('keeps today when nothing changes', () => {
    const r = whatIf(model, { scale: 1 });
    assert.equal(r.tier.needed, 'Small');
    assert.equal(r.cost.deltaMonthlyUsd, 0);
    assert.ok(r.resources.every((x) => x.status !== 'full'));
  });

  it('names the tier that fixes a breaking point and its extra cost', () => {
    const fix = fixFor(model, 'store', 'storage', 1, { companies: 2000 });
    assert.deepEqual(fix, {
      tier: 'Large',
      deltaMonthlyUsd: 300,
      changes: ['Bigger volume', 'More API replicas allowed'],
    });
  });
});

describe('tiers', () => {
  it('dates the deployed tier’s bound and the next tier’s first break', () => {
    const model = buildCapacityModel({ plan: shopPlan(), now: NOW, current: {}, history: [] });
    const [small, large] = tierOutlook(model, 3 * 52 * WEEK_MS);
    assert.equal(small!.position, 'deployed');
    assert.equal(large!.position, 'next');
    const bound = small!.bounds[0]!;
    assert.equal(bound.driver, 'companies');
    close(bound.fraction, 1000 / 1500);
    assert.ok(Math.abs((bound.at! - NOW) / WEEK_MS - 50) < 0.01);
    assert.equal(small!.firstToBreak?.component, 'store');
    // Full at 2,000 companies: after Small's bound of 1,500.
    assert.equal(small!.breaksWithinTier, false);
    assert.equal(large!.firstToBreak?.component, 'mailer');
  });
});

describe('costs', () => {
  const plan = shopPlan();
  const counter = (perHour: number): Frame[] =>
    Array.from({ length: 25 }, (_, i) => ({
      t: NOW + i * 3_600_000,
      metrics: { sms_sent_total: 1000 + i * perHour },
    }));

  it('extrapolates a counter’s increase to a month, across a reset', () => {
    const frames = counter(100);
    close(monthlyVolume(plan, 'sms_sent_total', frames).value, (100 * MONTH_MS) / 3_600_000);
    frames[10]!.metrics.sms_sent_total = 50; // a restart: the counter starts again
    for (let i = 11; i < frames.length; i++)
      frames[i]!.metrics.sms_sent_total = 50 + (i - 10) * 100;
    const v = monthlyVolume(plan, 'sms_sent_total', frames).value!;
    assert.ok(Math.abs(v / ((100 * MONTH_MS) / 3_600_000) - 1) < 0.03, String(v));
  });

  it('adds tier, unit costs, cost per driver unit, break-even and margin', () => {
    const c = costSummary(plan, {
      tierIndex: 0,
      replicas: {},
      drivers: { companies: 1000 },
      history: counter(100),
    });
    const sms = (100 * MONTH_MS) / 3_600_000;
    close(c.units[0]!.monthlyUsd, sms * 0.01);
    close(c.totalMonthlyUsd, 100 + sms * 0.01);
    close(c.perDriverUnit.companies, (100 + sms * 0.01) / 1000);
    assert.equal(c.revenue?.breakEvenUnits, Math.ceil((100 + sms * 0.01) / 10));
    assert.equal(c.revenue?.healthyUnits, Math.ceil(((100 + sms * 0.01) * 5) / 10));
    close(c.revenue?.margin, (10000 - c.totalMonthlyUsd!) / 10000);
  });

  it('says a unit cost needs history rather than guessing', () => {
    const c = costSummary(plan, { tierIndex: 0, replicas: {}, drivers: {}, history: [] });
    assert.equal(c.units[0]!.monthlyUsd, undefined);
    assert.match(c.units[0]!.note, /needs history/);
    assert.equal(c.totalMonthlyUsd, 100);
  });
});
