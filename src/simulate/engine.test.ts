import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Observation, Policy } from '../autoscale/index.ts';
import { createPolicy } from '../autoscale/index.ts';
import { mmc } from '../capacity/queueing/index.ts';
import { poissonArrivals } from './arrivals.ts';
import { runEngine, type EngineInput } from './engine.ts';
import { streamRng } from './rng.ts';
import { drawServiceTimes } from './service.ts';

/** A policy that answers from a schedule (replicas by call time) and records what it saw. */
function scripted(schedule: (now: number) => number | undefined, seen: Observation[] = []): Policy {
  return {
    name: 'scripted',
    initialState: () => null,
    decide(observation, _state, now) {
      seen.push(observation);
      const r = schedule(now);
      return {
        replicas: r ?? observation.currentReplicas,
        reason: 'scripted',
        state: null,
      };
    },
  };
}

function base(overrides: Partial<EngineInput>): EngineInput {
  return {
    arrivals: new Float64Array(),
    serviceMs: new Float64Array(),
    startMs: 0,
    endMs: 300_000,
    policy: scripted(() => undefined),
    min: 0,
    max: 100,
    initialReplicas: 1,
    startupMs: 0,
    intervalMs: 15_000,
    lagMs: 15_000,
    ...overrides,
  };
}

/** Mean of the waits and its batch-means standard error (20 batches), seconds. */
function meanAndError(waitsMs: Float64Array): { mean: number; se: number } {
  const batches = 20;
  const size = Math.floor(waitsMs.length / batches);
  const means: number[] = [];
  for (let b = 0; b < batches; b++) {
    let s = 0;
    for (let i = b * size; i < (b + 1) * size; i++) s += waitsMs[i]!;
    means.push(s / size / 1000);
  }
  const mean = means.reduce((a, v) => a + v, 0) / batches;
  const variance = means.reduce((a, v) => a + (v - mean) ** 2, 0) / (batches - 1);
  return { mean, se: Math.sqrt(variance / batches) };
}

describe('simulation engine', () => {
  it('reproduces Erlang C on an M/M/c queue at 10^5 jobs', () => {
    // M/M/4 at 70 % utilisation. The mean wait of 10^5 jobs has a standard error of about
    // 6 % here (waits are rare and long-tailed), so each seed is checked against 3.5 standard
    // errors measured by batch means, the pooled mean of 5 seeds (5 × 10^5 jobs) within 3 %,
    // and the share of jobs that wait (much steadier) within 2 %.
    const [lambda, S, c, n] = [2.8, 1, 4, 100_000];
    const theory = mmc({ arrivalRatePerSec: lambda, serviceTimeSec: S, servers: c });
    let pooled = 0;
    for (let seed = 1; seed <= 5; seed++) {
      const arrivals = poissonArrivals(lambda, n, streamRng(seed, 1));
      const serviceMs = drawServiceTimes({ kind: 'exp', meanSec: S }, n, streamRng(seed, 2));
      const run = runEngine(
        base({
          arrivals,
          serviceMs,
          endMs: arrivals[n - 1]! + 1,
          policy: createPolicy({ kind: 'fixed', replicas: c }, { min: c, max: c }),
          min: c,
          max: c,
          initialReplicas: c,
        }),
      );
      const { mean, se } = meanAndError(run.waitsMs);
      assert.ok(
        Math.abs(mean - theory.meanWaitSec) < 3.5 * se,
        `seed ${seed}: ${mean} vs ${theory.meanWaitSec} ± ${se}`,
      );
      const waited = run.waitsMs.filter((w) => w > 0).length / n;
      assert.ok(Math.abs(waited / theory.probabilityOfWait - 1) < 0.02, `P(wait) ${waited}`);
      pooled += mean / 5;
    }
    assert.ok(
      Math.abs(pooled / theory.meanWaitSec - 1) < 0.03,
      `pooled ${pooled} vs Erlang C ${theory.meanWaitSec}`,
    );
  });

  it('drains gracefully: busy workers finish their job, take no other, then leave', () => {
    // 4 jobs of 100 s at t = 0 on 4 workers; at 15 s the policy wants 1; a 5th job at 20 s.
    const run = runEngine(
      base({
        arrivals: Float64Array.from([0, 0, 0, 0, 20_000]),
        serviceMs: new Float64Array(5).fill(100_000),
        initialReplicas: 4,
        policy: scripted((now) => (now >= 15_000 ? 1 : undefined)),
      }),
    );
    // Nobody was stopped: the first four ran to 100 s; the 5th waited for a worker that stays.
    assert.deepEqual(Array.from(run.waitsMs), [0, 0, 0, 0, 80_000]);
    // 4 workers until 100 s, then 1 until the end (300 s): 400 + 200 worker-seconds.
    assert.equal(run.workerMs, 600_000);
    assert.equal(run.scaleEvents, 1);
  });

  it('lets idle workers leave first, at once', () => {
    const run = runEngine(
      base({
        arrivals: Float64Array.from([0]),
        serviceMs: Float64Array.from([100_000]),
        initialReplicas: 4,
        endMs: 60_000,
        policy: scripted((now) => (now >= 15_000 ? 2 : undefined)),
      }),
    );
    // 4 until 15 s, then 2 (the busy one and one idle) until its job ends at 100 s.
    assert.equal(run.workerMs, 4 * 15_000 + 2 * 85_000);
    assert.equal(run.finishMs, 100_000);
  });

  it('never loses a job whatever the policy does', () => {
    const n = 20_000;
    const arrivals = poissonArrivals(3, n, streamRng(7, 1));
    const serviceMs = drawServiceTimes(
      { kind: 'lognormal', meanSec: 2, sigma: 1 },
      n,
      streamRng(7, 2),
    );
    const rng = streamRng(7, 3);
    const run = runEngine(
      base({
        arrivals,
        serviceMs,
        endMs: arrivals[n - 1]! + 1,
        startupMs: 30_000,
        policy: scripted(() => 1 + Math.floor(rng.uniform() * 12)),
      }),
    );
    assert.ok(run.waitsMs.every((w) => Number.isFinite(w) && w >= 0));
    const work = serviceMs.reduce((a, s) => a + s, 0);
    assert.ok(run.workerMs >= work, 'every job was served in full by a paid worker');
    assert.ok(run.scaleEvents > 100);
  });

  it('delays new capacity by the start-up time, and charges for it meanwhile', () => {
    const input = (startupMs: number) =>
      base({
        arrivals: Float64Array.from([1_000, 2_000]),
        serviceMs: Float64Array.from([1_000_000, 1_000_000]),
        initialReplicas: 1,
        endMs: 60_000,
        startupMs,
        policy: scripted(() => 2),
      });
    const slow = runEngine(input(60_000));
    assert.deepEqual(Array.from(slow.waitsMs), [0, 58_000]);
    const fast = runEngine(input(0));
    assert.deepEqual(Array.from(fast.waitsMs), [0, 0]);
    // The second worker is paid for from the moment it was asked for (t = 0), starting or not.
    assert.equal(slow.finishMs, 1_060_000);
    assert.equal(slow.workerMs, 2 * slow.finishMs);
    assert.equal(fast.workerMs, 2 * fast.finishMs);
  });

  it('shows the policy metrics as they were lagMs ago, and live replica counts', () => {
    const arrivals = Float64Array.from({ length: 40 }, (_, i) => 5_000 + i * 5_000);
    const observe = (lagMs: number): Observation[] => {
      const seen: Observation[] = [];
      runEngine(
        base({
          arrivals,
          serviceMs: new Float64Array(40).fill(1),
          initialReplicas: 0,
          endMs: 200_000,
          lagMs,
          drainLimitMs: 0,
          policy: scripted(() => 0, seen),
        }),
      );
      return seen;
    };
    const queued = (t: number): number => arrivals.filter((a) => a <= t).length;
    for (const lagMs of [0, 15_000, 45_000]) {
      observe(lagMs).forEach((o, k) => {
        const now = k * 15_000;
        assert.equal(o.at, Math.max(0, now - lagMs), `lag ${lagMs} call ${k}`);
        assert.equal(o.queueLength, queued(o.at));
        assert.equal(o.currentReplicas, 0);
        if (o.at >= 15_000) assert.equal(o.arrivalRatePerSec, 3 / 15);
      });
    }
  });
});
