import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { Actuator } from '../actuators/actuator.ts';
import { parsePlan } from '../plan/load.ts';
import type { Sample } from '../sources/source.ts';
import { openSqliteStore } from '../store/sqlite.ts';
import { AutoscaleStage } from './autoscale-stage.ts';

const PLAN = `version: 1
name: stage
interval: 15s
sources:
  q: { kind: http-probe, url: "http://127.0.0.1:9/" }
metrics:
  waiting: { from: q, field: up }
  done_rate: { from: q, field: up, unit: msg/s }
  users: { from: q, field: up }
drivers:
  users: { metric: users, value: 10 }
components:
  worker:
    kind: worker
    queue: waiting
    per_replica: { throughput: 10 msg/s }
    usage: { throughput: done_rate }
    replicas: { current: 1, min: 1, max: 20 }
  later:
    kind: worker
    queue: waiting
    per_replica: { throughput: 10 msg/s }
    usage: { throughput: done_rate }
    replicas: { current: 1, min: 1, max: 4 }
tiers:
  - { name: Small, until: { users: 100 } }
  - { name: Big }
autoscale:
  worker: { policy: target-latency, slo: wait_p95 <= 10s, min: 1, max: 20, actuator: { kind: test } }
  later: { policy: target-latency, slo: wait_p95 <= 10s, min: 1, max: 4, from_tier: Big }
`;

function recorder(): Actuator & { calls: number[]; fail?: boolean } {
  let replicas = 1;
  const a = {
    kind: 'test',
    calls: [] as number[],
    fail: false,
    current: () => Promise.resolve(replicas),
    scale(n: number) {
      if (a.fail) return Promise.reject(new Error('pm2 exited 1'));
      a.calls.push(n);
      replicas = n;
      return Promise.resolve();
    },
    close: () => Promise.resolve(),
  };
  return a;
}

const samples = (at: number, waiting: number, done: number, users = 10): Sample[] => [
  { metric: 'waiting', labels: {}, value: waiting, at },
  { metric: 'done_rate', labels: {}, value: done, at },
  { metric: 'users', labels: {}, value: users, at },
];

describe('the autoscale stage', () => {
  const plan = parsePlan(PLAN, 'stage.yaml', { env: {} });

  it('observes the queue and the completion rate, and scales a growing backlog out through the actuator', async () => {
    const actuator = recorder();
    const stage = new AutoscaleStage(plan, (pool, config) => (config ? actuator : undefined));
    const t0 = 1_700_000_000_000;
    await stage.run(samples(t0, 100, 10), t0);
    // The queue grew by 3,000 in 15 s while 10 msg/s were done: about 210 msg/s arrive.
    const pools = await stage.run(samples(t0 + 15_000, 3100, 10), t0 + 15_000);
    const worker = pools.find((p) => p.name === 'worker')!;
    assert.equal(worker.active, true);
    assert.equal(worker.actuator, 'test');
    assert.ok(actuator.calls.length > 0 && actuator.calls.at(-1)! > 10, `${actuator.calls}`);
    assert.equal(worker.replicas.current, actuator.calls.at(-1));
    assert.match(worker.decisions.at(-1)!.reason, /target-latency/);
  });

  it('keeps a pool whose from_tier is not deployed inactive, and runs it once it is; without an actuator it only advises', async () => {
    const stage = new AutoscaleStage(plan, () => undefined);
    const t0 = 1_700_000_000_000;
    let later = (await stage.run(samples(t0, 500, 10), t0)).find((p) => p.name === 'later')!;
    assert.equal(later.active, false);
    assert.equal(later.inactive_reason, 'in force from Big');
    await stage.run(samples(t0 + 15_000, 500, 10, 500), t0 + 15_000);
    later = (await stage.run(samples(t0 + 30_000, 900, 10, 500), t0 + 30_000)).find(
      (p) => p.name === 'later',
    )!;
    assert.equal(later.active, true);
    assert.equal(later.actuator, 'advisory');
    assert.equal(later.replicas.desired, 4);
  });

  it('reports a failing actuator and goes on', async () => {
    const actuator = recorder();
    actuator.fail = true;
    const stage = new AutoscaleStage(plan, (pool, config) => (config ? actuator : undefined));
    const t0 = 1_700_000_000_000;
    await stage.run(samples(t0, 100, 10), t0);
    const pools = await stage.run(samples(t0 + 15_000, 3100, 10), t0 + 15_000);
    const worker = pools.find((p) => p.name === 'worker')!;
    assert.match(worker.error ?? '', /scaling to \d+ failed: pm2 exited 1/);
    assert.equal(worker.replicas.current, 1);
    assert.match(worker.decisions.at(-1)!.error ?? '', /pm2 exited 1/);
  });

  it('falls back to the maximum after three unreadable queue metrics in a row', async () => {
    const actuator = recorder();
    const stage = new AutoscaleStage(plan, (pool, config) => (config ? actuator : undefined));
    const t0 = 1_700_000_000_000;
    await stage.run(samples(t0, 10, 10), t0);
    for (let i = 1; i <= 4; i++) {
      const only = samples(t0 + i * 15_000, 0, 10).filter((s) => s.metric !== 'waiting');
      await stage.run(only, t0 + i * 15_000);
    }
    assert.equal(actuator.calls.at(-1), 20);
  });

  it("feeds the pool's oldest_wait metric (its largest series) to target-latency's margin controller", async () => {
    const text = PLAN.replace(
      '  users: { from: q, field: up }\n',
      '  users: { from: q, field: up }\n  oldest: { from: q, field: up }\n',
    ).replace(
      'slo: wait_p95 <= 10s, min: 1, max: 20,',
      'slo: wait_p95 <= 10s, oldest_wait: oldest, min: 1, max: 20,',
    );
    const marginAfter = async (oldestSec: number[]): Promise<number> => {
      const dir = mkdtempSync(join(tmpdir(), 'headroom-stage-'));
      const store = await openSqliteStore({ path: join(dir, 's.db') });
      try {
        const stage = new AutoscaleStage(
          parsePlan(text, 'stage.yaml', { env: {} }),
          (pool, config) => (config ? recorder() : undefined),
          store,
        );
        const t0 = 1_700_000_000_000;
        for (let i = 0; i < 40; i++) {
          const at = t0 + i * 15_000;
          await stage.run(
            [
              ...samples(at, 100, 10),
              ...oldestSec.map((value, k) => ({
                metric: 'oldest',
                labels: { queue: `q${k}` },
                value,
                at,
              })),
            ],
            at,
          );
        }
        const states = await store.loadState<Record<string, unknown>>('autoscale:stage');
        return (states as { worker: { inner: { estimates: { margin: number } } } }).worker.inner
          .estimates.margin;
      } finally {
        await store.close();
        rmSync(dir, { recursive: true, force: true });
      }
    };
    // 10 minutes with a job waiting 9 s against a 10 s budget (late: over half of it) raise
    // the margin from 1.4; 1 s waits lower it. The largest series counts, not the sum.
    const late = await marginAfter([1, 9]);
    const early = await marginAfter([1, 1]);
    assert.ok(late > 1.4, `late ${late}`);
    assert.ok(early < 1.4, `early ${early}`);
  });

  it('rejects an oldest_wait that names no metric, at the field', () => {
    assert.throws(
      () =>
        parsePlan(
          PLAN.replace(
            'slo: wait_p95 <= 10s, min: 1, max: 20,',
            'slo: wait_p95 <= 10s, oldest_wait: oldst, min: 1, max: 20,',
          ),
          'stage.yaml',
          { env: {} },
        ),
      (err: { errors: { location: { path?: string }; message: string }[] }) => {
        assert.equal(err.errors[0]!.location.path, 'autoscale.worker.oldest_wait');
        assert.match(err.errors[0]!.message, /unknown metric "oldst"/);
        return true;
      },
    );
  });
});
