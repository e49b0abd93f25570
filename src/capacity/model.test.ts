import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NOW, shopPlan, WEEK_MS } from '../../test/helpers/capacity-plan.ts';
import type { Frame } from './evaluate.ts';
import { breakingPoints } from './breaking-points.ts';
import { buildCapacityModel } from './model.ts';
import { project } from './projection.ts';
import { breaksByScale, firstToBreakByScale } from './scale.ts';

const GB = 1e9;
const close = (a: number | undefined, b: number, tol = 1e-9): void =>
  assert.ok(a !== undefined && Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${a} ≉ ${b}`);

describe('capacity model', () => {
  const plan = shopPlan();

  it('evaluates capacity, model and utilization now from the plan alone', () => {
    const m = buildCapacityModel({ plan, now: NOW, current: {}, history: [] });
    const store = m.resources.find((r) => r.ref.component === 'store')!;
    close(store.capacity, 2 * GB);
    close(store.model, 1 * GB);
    close(store.utilization, 0.5);
    assert.equal(store.calibration?.method, 'model');
    const api = m.resources.find((r) => r.ref.component === 'api')!;
    close(api.capacity, 20); // 2 replicas × 10 req/s
    close(api.utilization, 1000 / 60 / 20);
    assert.equal(m.drivers.companies!.source, 'static');
    assert.equal(m.drivers.companies!.method, 'declared');
    close(m.drivers.companies!.perWeek, 10);
    assert.equal(m.deployedTier, 0);
  });

  it('uses measurements now and scales the model to them', () => {
    const m = buildCapacityModel({
      plan,
      now: NOW,
      current: { companies_count: 1200, storage_used: 0.9 * GB, db_conns: 40 },
      history: [],
    });
    const store = m.resources.find((r) => r.ref.component === 'store')!;
    close(store.usage, 0.9 * GB);
    assert.equal(store.calibration?.method, 'latest');
    close(store.calibration!.slope, 0.75); // 0.9 GB measured for 1.2 GB modelled
    const [p] = project(m, { drivers: { companies: 2400 } }, (r) => r === store);
    close(p!.usage, 1.8 * GB);
    const db = m.resources.find((r) => r.ref.component === 'db')!;
    close(db.utilization, 0.4);
  });

  it('fits the model to history: bytes per company measured, not assumed', () => {
    const history: Frame[] = Array.from({ length: 60 }, (_, i) => {
      const companies = 600 + i * 10;
      return {
        t: NOW - (60 - i) * 86_400_000,
        metrics: { companies_count: companies, storage_used: 0.1 * GB + 0.8e6 * companies },
      };
    });
    const m = buildCapacityModel({
      plan,
      now: NOW,
      current: { companies_count: 1200, storage_used: 0.1 * GB + 0.8e6 * 1200 },
      history,
    });
    const store = m.resources.find((r) => r.ref.component === 'store')!;
    assert.equal(store.calibration?.method, 'history');
    close(store.calibration!.slope, 0.8, 1e-6);
    close(store.calibration!.intercept, 0.1 * GB, 1e-6);
    // Full at (2 GB − 0.1 GB) / 0.8 MB = 2,375 companies.
    const full = breaksByScale(m).find(
      (b) => b.component === 'store' && b.severity === 'capacity',
    )!;
    close(full.driverValues.companies, 2375, 1e-3);
  });

  it('finds the first to break by load, in the deployed configuration and in a later tier', () => {
    const m = buildCapacityModel({ plan, now: NOW, current: {}, history: [] });
    // The API scales out to its 4 replicas (40 req/s, 2,400 companies); the store fills at 2,000.
    const first = firstToBreakByScale(m)!;
    assert.equal(first.component, 'store');
    close(first.driverValues.companies, 2000, 1e-3);
    const api = breaksByScale(m).find((b) => b.component === 'api' && b.severity === 'capacity')!;
    close(api.driverValues.companies, 2400, 1e-3);
    close(api.threshold, 2); // twice the 2 replicas running now
    // Large: 20 GB and up to 40 API replicas; the 40 mail workers fill at 80 msg/s first.
    const large = firstToBreakByScale(m, plan.tiers[1]!.set)!;
    assert.equal(large.component, 'mailer');
    close(large.driverValues.companies, 80 / 0.006, 1e-3);
    const byScale = breaksByScale(m).filter((b) => b.component === 'store');
    assert.deepEqual(
      byScale.map((b) => [b.severity, Math.round(b.driverValues.companies!)]),
      [
        ['warning', 1400],
        ['critical', 1700],
        ['capacity', 2000],
      ],
    );
  });

  it('dates breaking points from the declared growth, with lead time and driver values', () => {
    const m = buildCapacityModel({ plan, now: NOW, current: {}, history: [] });
    const points = breakingPoints(m, { horizonMs: 3 * 52 * WEEK_MS });
    const store = points.filter((p) => p.component === 'store');
    const weeks = (t: number | undefined) => (t! - NOW) / WEEK_MS;
    assert.deepEqual(
      store.map((p) => p.severity),
      ['warning', 'critical', 'capacity'],
    );
    assert.ok(Math.abs(weeks(store[0]!.at) - 40) < 0.01, `${weeks(store[0]!.at)}`);
    assert.ok(Math.abs(weeks(store[2]!.at) - 100) < 0.01);
    close(store[0]!.driverValues.companies, 1400, 1e-4);
    assert.equal(store[0]!.leadTimeMs, 2 * WEEK_MS);
    assert.equal(store[0]!.basis, 'model');
    // Sorted: the store's warning (40 weeks) comes first; the API is full at 4 replicas (140 weeks).
    assert.equal(points[0]!.component, 'store');
    const api = points.find((p) => p.component === 'api' && p.severity === 'capacity')!;
    assert.ok(Math.abs(weeks(api.at) - 140) < 0.01, `${weeks(api.at)}`);
    // The measured-only database has no projection.
    assert.ok(
      points
        .filter((p) => p.component === 'db')
        .every((p) => p.basis === 'now' && p.at === undefined),
    );
  });

  it('forecasts a measured-only resource from its own history', () => {
    const history: Frame[] = Array.from({ length: 200 }, (_, i) => ({
      t: NOW - (200 - i) * 3_600_000,
      metrics: { db_conns: 20 + i * 0.1, companies_count: 1000 },
    }));
    const m = buildCapacityModel({
      plan,
      now: NOW,
      current: { db_conns: 40, companies_count: 1000 },
      history,
    });
    const full = breakingPoints(m, { horizonMs: 52 * WEEK_MS }).find(
      (p) => p.component === 'db' && p.severity === 'capacity',
    )!;
    assert.equal(full.basis, 'history');
    // +0.1 connection per hour from 40: 100 is reached about 600 hours on.
    const hours = (full.at! - NOW) / 3_600_000;
    assert.ok(hours > 500 && hours < 700, `${hours} h`);
    assert.ok(full.earliest! <= full.at! && full.at! <= full.latest!);
  });
});
