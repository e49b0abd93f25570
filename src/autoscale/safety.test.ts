/**
 * The safety rails around a scripted policy: clamp, scale-down stabilization, rate limits, the
 * flap budget (and its backlog exception), KEDA-style fallback, holds on failed reads, dry run.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HOUR_MS, withSafety } from './safety.ts';
import { at, drive, failed, obs } from './test-support.ts';
import type { Observation, Policy } from './types.ts';

/** A policy that answers `want(now)` and counts its calls in state. */
function scripted(want: (now: number, o: Observation) => number): Policy<number> {
  return {
    name: 'scripted',
    initialState: () => 0,
    decide: (o, calls, now) => ({
      replicas: want(now, o),
      reason: `inner: ${want(now, o)}`,
      state: calls + 1,
    }),
  };
}

describe('safety: bounds and stabilization', () => {
  it('clamps to min and max and says so', () => {
    const p = withSafety(
      scripted(() => 99),
      { min: 2, max: 10 },
    );
    const d = p.decide(obs(5), p.initialState(), 0);
    assert.equal(d.replicas, 10);
    assert.equal(d.reason, 'inner: 99; clamped to max 10');
    const low = withSafety(
      scripted(() => 0),
      { min: 2, max: 10, scaleDownStabilizationMs: 0 },
    );
    assert.equal(low.decide(obs(5), low.initialState(), 0).replicas, 2);
  });

  it('moves a pool outside its bounds to the bound at once', () => {
    const p = withSafety(
      scripted(() => 30),
      { min: 2, max: 10 },
    );
    const d = p.decide(obs(40), p.initialState(), 0);
    assert.equal(d.replicas, 10);
    assert.match(d.reason, /bounds: current 40 is outside 2\.\.10 → 10/);
  });

  it('holds a scale-down at the highest recommendation of the window (default 300 s)', () => {
    const p = withSafety(
      scripted((now) => (now < 60_000 ? 10 : now < 120_000 ? 7 : 3)),
      { min: 1, max: 20 },
    );
    const { steps } = drive(p, {
      startReplicas: 10,
      everyMs: 15_000,
      untilMs: 480_000,
      observe: (_, r) => obs(r),
    });
    assert.equal(at(steps, 60_000), 10);
    assert.match(
      steps[4]!.reason,
      /scale-down stabilization: highest recommendation in the last 5m is 10/,
    );
    // 10 was last recommended at 45 s, so it leaves the window (strictly older than 300 s) at
    // 345 s; then the 7s of 60 ... 105 s hold until 405 s.
    assert.equal(at(steps, 330_000), 10);
    assert.equal(at(steps, 345_000), 7);
    assert.equal(at(steps, 390_000), 7);
    assert.equal(at(steps, 405_000), 3);
  });

  it('never delays a scale-up', () => {
    const p = withSafety(
      scripted((now) => (now === 0 ? 2 : 12)),
      { min: 1, max: 20 },
    );
    const { steps } = drive(p, {
      startReplicas: 2,
      everyMs: 15_000,
      untilMs: 30_000,
      observe: (_, r) => obs(r),
    });
    assert.equal(at(steps, 15_000), 12);
  });
});

describe('safety: rate limits and the flap budget', () => {
  it('adds at most maxScaleUpStep per window, counting changes already made', () => {
    const p = withSafety(
      scripted(() => 20),
      { min: 1, max: 50, maxScaleUpStep: 3, rateWindowMs: 60_000 },
    );
    const { steps } = drive(p, {
      startReplicas: 2,
      everyMs: 15_000,
      untilMs: 150_000,
      observe: (_, r) => obs(r),
    });
    assert.deepEqual(
      steps.map((s) => s.replicas),
      [5, 5, 5, 5, 8, 8, 8, 8, 11, 11],
    );
    assert.match(steps[1]!.reason, /rate limit: at most \+3 per 1m \(\+3 already\) → 5/);
  });

  it('removes at most maxScaleDownStep per window', () => {
    const p = withSafety(
      scripted(() => 1),
      {
        min: 1,
        max: 50,
        maxScaleDownStep: 2,
        rateWindowMs: 30_000,
        scaleDownStabilizationMs: 0,
      },
    );
    const { steps } = drive(p, {
      startReplicas: 9,
      everyMs: 15_000,
      untilMs: 90_000,
      observe: (_, r) => obs(r),
    });
    assert.deepEqual(
      steps.map((s) => s.replicas),
      [7, 7, 5, 5, 3, 3],
    );
  });

  it('caps replica changes at the flap budget in every hour', () => {
    const p = withSafety(
      scripted((now) => (Math.floor(now / 60_000) % 2 === 0 ? 4 : 6)),
      {
        min: 1,
        max: 10,
        flapBudgetPerHour: 5,
        scaleDownStabilizationMs: 0,
      },
    );
    const { steps } = drive(p, {
      startReplicas: 4,
      everyMs: 15_000,
      untilMs: 4 * HOUR_MS,
      observe: (_, r) => obs(r, { queueLength: 10 }),
    });
    const changeTimes: number[] = [];
    let previous = 4;
    for (const s of steps) {
      if (s.replicas !== previous) changeTimes.push(s.now);
      previous = s.replicas;
    }
    // Unlimited, it would change every minute: 240 times.
    assert.ok(changeTimes.length >= 16 && changeTimes.length <= 20, String(changeTimes.length));
    for (const t of changeTimes) {
      const inHour = changeTimes.filter((u) => u >= t && u < t + HOUR_MS).length;
      assert.ok(inHour <= 5, `${inHour} changes in the hour from ${t}`);
    }
    assert.ok(
      steps.some((s) =>
        /flap budget: 5 changes in the last hour \(budget 5\) → hold/.test(s.reason),
      ),
    );
  });

  it('lets a scale-up through a spent budget while the backlog grows', () => {
    const p = withSafety(
      scripted((now) => (now < 60_000 ? ((now / 15_000) % 2 === 0 ? 3 : 2) : 8)),
      {
        min: 1,
        max: 10,
        flapBudgetPerHour: 2,
        scaleDownStabilizationMs: 0,
      },
    );
    const { steps } = drive(p, {
      startReplicas: 2,
      everyMs: 15_000,
      untilMs: 105_000,
      observe: (now, r) => obs(r, { queueLength: now < 60_000 ? 5 : now }),
    });
    // 2 → 3 → 2 spends the budget; 3 is then held back at 30 s and 45 s.
    assert.deepEqual(
      steps.slice(0, 4).map((s) => s.replicas),
      [3, 2, 2, 2],
    );
    assert.equal(at(steps, 60_000), 8);
    assert.match(
      steps[4]!.reason,
      /flap budget spent .* but the backlog is growing \(5 → 60000\): scale-up allowed/,
    );
  });
});

describe('safety: failed reads, fallback and dry run', () => {
  it('holds on a failed read and falls back after more than N failures in a row (KEDA)', () => {
    const inner = scripted(() => 4);
    const p = withSafety(inner, {
      min: 1,
      max: 10,
      fallbackAfterFailures: 3,
      fallbackReplicas: 6,
      scaleDownStabilizationMs: 0,
    });
    const { steps, state } = drive(p, {
      startReplicas: 4,
      everyMs: 15_000,
      untilMs: 6 * 15_000,
      observe: (now, r) => (now >= 15_000 && now < 75_000 ? failed(r) : obs(r)),
    });
    assert.deepEqual(
      steps.map((s) => s.replicas),
      [4, 4, 4, 4, 6, 4],
    );
    assert.match(
      steps[1]!.reason,
      /hold: metrics read failed \(1 in a row; fallback after 3\); keep 4/,
    );
    assert.match(steps[4]!.reason, /fallback: 4 failed reads in a row \(more than 3\) → 6/);
    // The inner policy never saw the failed reads; a good read resets the count.
    assert.equal(state.inner, 2);
    assert.equal(state.failures, 0);
  });

  it('falls back through the other rails: a drop to the fallback is stabilized', () => {
    const p = withSafety(
      scripted(() => 9),
      { min: 1, max: 10, fallbackAfterFailures: 0, fallbackReplicas: 2 },
    );
    const { steps } = drive(p, {
      startReplicas: 9,
      everyMs: 15_000,
      untilMs: 330_000,
      observe: (now, r) => (now === 0 ? obs(r) : failed(r)),
    });
    assert.equal(at(steps, 15_000), 9);
    assert.match(
      steps[1]!.reason,
      /fallback: 1 failed reads in a row \(more than 0\) → 2; scale-down stabilization/,
    );
    assert.equal(at(steps, 300_000), 2);
  });

  it('dry run computes and reports, but never changes the replicas', () => {
    const p = withSafety(
      scripted((now) => 1 + ((now / 15_000) % 9)),
      {
        min: 1,
        max: 10,
        dryRun: true,
        scaleDownStabilizationMs: 0,
        fallbackAfterFailures: 1,
        fallbackReplicas: 8,
      },
    );
    const { steps } = drive(p, {
      startReplicas: 3,
      everyMs: 15_000,
      untilMs: 3 * 60_000,
      observe: (now, r) =>
        now % 120_000 === 60_000 || now % 120_000 === 75_000 ? failed(r) : obs(r),
    });
    for (const s of steps) {
      assert.equal(s.replicas, 3);
      assert.match(s.reason, /^dry run: would scale to \d+ because /);
    }
    assert.equal(steps[2]!.reason, 'dry run: would scale to 3 because inner: 3');
    assert.match(steps[5]!.reason, /^dry run: would scale to 8 because fallback/);
  });

  it('refuses inconsistent options', () => {
    const inner = scripted(() => 1);
    assert.throws(() => withSafety(inner, { min: 5, max: 2 }), /min \(5\) is above max \(2\)/);
    assert.throws(() => withSafety(inner, { min: 1, max: 2, fallbackReplicas: 2 }), /go together/);
  });
});
