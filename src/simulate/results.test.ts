import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { EngineRun } from './engine.ts';
import { quantileSorted, summarize } from './results.ts';

function run(waitsSec: number[], minutes: number): EngineRun {
  return {
    waitsMs: Float64Array.from(waitsSec, (w) => w * 1000),
    workerMs: 120_000,
    finishMs: minutes * 60_000,
    workersPerMinute: new Float64Array(minutes).fill(1),
    maxReplicas: 1,
    scaleEvents: 0,
    decisions: 0,
    events: 0,
  };
}

describe('run summary', () => {
  it('uses nearest-rank quantiles', () => {
    const sorted = Float64Array.from({ length: 20 }, (_, i) => i + 1);
    assert.equal(quantileSorted(sorted, 0.95), 19);
    assert.equal(quantileSorted(sorted, 0.5), 10);
    assert.equal(quantileSorted(sorted, 1), 20);
    assert.ok(Number.isNaN(quantileSorted(new Float64Array(), 0.5)));
  });

  it('judges each minute by the jobs that arrived in it', () => {
    // Minute 0: 20 jobs, one waits 40 s (5 %: p95 is still 0) — met. Minute 1: 2 of 20 wait
    // 40 s (p95 40 s) — violated. Minute 2: no jobs — met.
    const arrivals = Float64Array.from({ length: 40 }, (_, i) => (i < 20 ? i * 1000 : 60_000 + i));
    const waits = arrivals.map((_, i) => (i === 3 || i === 25 || i === 30 ? 40 : 0));
    const r = summarize('x', run(Array.from(waits), 3), arrivals, 0, {
      quantile: 0.95,
      waitSec: 30,
    });
    assert.deepEqual(
      r.timeline.map((p) => [p.arrivals, p.wait_p95, p.violated]),
      [
        [20, 0, false],
        [20, 40, true],
        [0, null, false],
      ],
    );
    assert.equal(r.summary.slo_violation_minutes, 1);
    assert.equal(r.summary.minutes, 3);
    assert.equal(r.summary.worker_seconds, 120);
    assert.equal(r.summary.wait_mean, 3);
    assert.equal(r.summary.wait_p99, 40);
    const mean = summarize('x', run(Array.from(waits), 3), arrivals, 0, { meanWaitSec: 2.5 });
    assert.deepEqual(
      mean.timeline.map((p) => p.violated),
      [false, true, false],
    );
    assert.deepEqual(Object.keys(r.summary), [
      'policy',
      'jobs',
      'worker_seconds',
      'minutes',
      'slo_violation_minutes',
      'wait_mean',
      'wait_p50',
      'wait_p95',
      'wait_p99',
      'max_replicas',
      'scale_events',
    ]);
  });
});
