import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { comparePolicies, runPolicy, type RunSettings } from './compare.ts';
import { prepareJobs } from './jobs.ts';
import { parseServiceTime } from './service.ts';
import { parseTrace, type Trace } from './trace.ts';

/** 40 minutes: 20/min, a ramp to 120/min and back. */
function burst(): Trace {
  const counts = [
    ...Array<number>(10).fill(20),
    40,
    70,
    100,
    120,
    120,
    120,
    100,
    70,
    40,
    20,
    ...Array<number>(20).fill(20),
  ];
  return parseTrace(counts.map((c, i) => ({ line: i + 1, cells: [String(i * 60), String(c)] })));
}

const settings: RunSettings = {
  slo: { quantile: 0.95, waitSec: 30 },
  min: 1,
  max: 50,
  startupMs: 60_000,
  intervalMs: 15_000,
};

describe('running and comparing policies', () => {
  it('gives the same result for the same seed, and another for another seed', () => {
    const service = parseServiceTime('exp:6s');
    const a = prepareJobs(burst(), service, 1);
    const b = prepareJobs(burst(), service, 1);
    assert.deepEqual(a.arrivals, b.arrivals);
    assert.deepEqual(a.serviceMs, b.serviceMs);
    assert.deepEqual(
      runPolicy(a, settings, 'target-latency'),
      runPolicy(b, settings, 'target-latency'),
    );
    const c = prepareJobs(burst(), service, 2);
    assert.notDeepEqual(c.arrivals, a.arrivals);
    assert.deepEqual(c.arrivalsPerMinute, a.arrivalsPerMinute, 'the counts are the trace’s');
  });

  it('runs every policy on the same jobs', () => {
    const jobs = prepareJobs(burst(), parseServiceTime('lognormal:6s,0.8'), 3);
    const names = ['hpa', 'step', 'target-latency', 'predictive', 'oracle', 'fixed:8'];
    const seen: number[] = [];
    const results = comparePolicies(jobs, settings, names, (i) => seen.push(i));
    assert.deepEqual(
      results.map((r) => r.summary.policy),
      names,
    );
    assert.ok(results.every((r) => r.summary.jobs === jobs.arrivals.length));
    assert.ok(results.every((r) => r.timeline.length === 40));
    assert.deepEqual(
      results[5]!.summary,
      runPolicy(jobs, settings, 'fixed:8').summary,
      'a run does not depend on the runs before it',
    );
    assert.deepEqual([...new Set(seen)], [0, 1, 2, 3, 4, 5]);
    const fixed = results[5]!.summary;
    assert.equal(fixed.scale_events, 0);
    assert.equal(fixed.max_replicas, 8);
    assert.ok(Math.abs(fixed.worker_seconds / (8 * 40 * 60) - 1) < 0.05);
    // The oracle sizes ahead with instant workers: it meets the objective nearly everywhere.
    const oracle = results[4]!.summary;
    assert.ok(oracle.slo_violation_minutes <= 2, JSON.stringify(oracle));
  });

  it('refuses unknown policies and fixed sizes outside the bounds, naming the flag', () => {
    const jobs = prepareJobs(burst(), parseServiceTime('exp:6s'), 1);
    assert.throws(() => runPolicy(jobs, settings, 'magic'), /--policy "magic" is not a policy/);
    assert.throws(
      () => comparePolicies(jobs, settings, ['hpa', 'fixed:99']),
      /--compare fixed:99 is outside --min 1 .. --max 50/,
    );
  });
});
