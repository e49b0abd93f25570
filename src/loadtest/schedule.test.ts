import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ArrivalSchedule, executorPlan, rateAt, rateSegments, stageAt, vusAt } from './schedule.ts';

function startsOf(schedule: ArrivalSchedule): { atMs: number; stage: number }[] {
  const out: { atMs: number; stage: number }[] = [];
  for (let at = schedule.next(); at !== undefined; at = schedule.next()) {
    out.push({ atMs: at, stage: schedule.stage });
  }
  return out;
}

describe('ArrivalSchedule', () => {
  it('constant 100/s over 1 s: exactly 100 starts, 10 ms apart, the first at 0', () => {
    const starts = startsOf(
      new ArrivalSchedule(rateSegments(100, [{ durationMs: 1000, target: 100 }], 1000)),
    );
    assert.equal(starts.length, 100);
    assert.equal(starts[0]!.atMs, 0);
    assert.ok(Math.abs(starts[99]!.atMs - 990) < 1e-6);
    assert.ok(starts.every((s, i) => Math.abs(s.atMs - i * 10) < 1e-6 && s.stage === 0));
  });

  it('a time unit of a minute: 120/min is 2/s', () => {
    const starts = startsOf(
      new ArrivalSchedule(rateSegments(120, [{ durationMs: 5000, target: 120 }], 60_000)),
    );
    assert.equal(starts.length, 10);
    assert.ok(Math.abs(starts[1]!.atMs - 500) < 1e-6);
  });

  it('a linear ramp 0 → 100/s over 10 s starts 500 iterations, at the inverse of t²/2·10', () => {
    const starts = startsOf(
      new ArrivalSchedule(rateSegments(0, [{ durationMs: 10_000, target: 100 }], 1000)),
    );
    assert.equal(starts.length, 500);
    // ∫ r = 5·t² (t in s): iteration k at t = √(k/5).
    for (const k of [1, 20, 125, 499]) {
      assert.ok(Math.abs(starts[k]!.atMs - Math.sqrt(k / 5) * 1000) < 1e-6, `k=${k}`);
    }
    const gaps = starts.slice(1).map((s, i) => s.atMs - starts[i]!.atMs);
    assert.ok(
      gaps.every((g, i) => i === 0 || g <= gaps[i - 1]! + 1e-9),
      'gaps shrink as the rate rises',
    );
  });

  it('ramping down 100 → 0/s: 500 iterations, gaps growing, none after the stage', () => {
    const starts = startsOf(
      new ArrivalSchedule(rateSegments(100, [{ durationMs: 10_000, target: 0 }], 1000)),
    );
    assert.equal(starts.length, 500);
    assert.ok(starts.at(-1)!.atMs < 10_000);
    const gaps = starts.slice(1).map((s, i) => s.atMs - starts[i]!.atMs);
    assert.ok(gaps.every((g, i) => i === 0 || g >= gaps[i - 1]! - 1e-9));
  });

  it('stages follow each other: ramp, hold, ramp down, with each start tagged by its stage', () => {
    const stages = [
      { durationMs: 2000, target: 50 },
      { durationMs: 4000, target: 50 },
      { durationMs: 2000, target: 0 },
    ];
    const starts = startsOf(new ArrivalSchedule(rateSegments(0, stages, 1000)));
    const perStage = [0, 1, 2].map((i) => starts.filter((s) => s.stage === i).length);
    assert.deepEqual(perStage, [50, 200, 50]);
    assert.ok(starts.filter((s) => s.stage === 1).every((s) => s.atMs >= 2000 && s.atMs < 6000));
    assert.ok(starts.every((s, i) => i === 0 || s.atMs > starts[i - 1]!.atMs));
  });

  it('a fractional count carries into the next stage (0 → 1/s over 3 s is 1.5 iterations)', () => {
    const stages = [
      { durationMs: 3000, target: 1 },
      { durationMs: 2000, target: 1 },
    ];
    const starts = startsOf(new ArrivalSchedule(rateSegments(0, stages, 1000)));
    assert.equal(starts.length, 4); // integral 1.5 + 2 = 3.5: iterations 0..3
    assert.deepEqual(
      starts.map((s) => s.stage),
      [0, 0, 1, 1],
    );
    assert.ok(Math.abs(starts[2]!.atMs - 3500) < 1e-6);
  });

  it('a zero-rate stage starts nothing and the schedule moves past it', () => {
    const stages = [
      { durationMs: 1000, target: 0 },
      { durationMs: 1000, target: 0 },
    ];
    assert.equal(startsOf(new ArrivalSchedule(rateSegments(0, stages, 1000))).length, 0);
  });

  it('a million iterations stay exact and take O(1) each', () => {
    const schedule = new ArrivalSchedule(
      rateSegments(10_000, [{ durationMs: 100_000, target: 10_000 }], 1000),
    );
    let n = 0;
    let last = 0;
    const t0 = performance.now();
    for (let at = schedule.next(); at !== undefined; at = schedule.next()) {
      n++;
      last = at;
    }
    assert.equal(n, 1_000_000);
    assert.ok(Math.abs(last - 99_999.9) < 1e-6);
    assert.ok(performance.now() - t0 < 2000);
  });
});

describe('vusAt', () => {
  const stages = [
    { durationMs: 10_000, target: 10 },
    { durationMs: 10_000, target: 10 },
    { durationMs: 5000, target: 0 },
  ];

  it('starts at startVUs and steps up one VU every duration / Δ, as k6', () => {
    assert.equal(vusAt(0, stages, 0), 0);
    assert.equal(vusAt(0, stages, 999), 0);
    assert.equal(vusAt(0, stages, 1000), 1);
    assert.equal(vusAt(0, stages, 5500), 5);
    assert.equal(vusAt(0, stages, 10_000), 10);
    assert.equal(vusAt(0, stages, 15_000), 10);
  });

  it('ramping down keeps the higher count until each step is due', () => {
    assert.equal(vusAt(0, stages, 20_000), 10);
    assert.equal(vusAt(0, stages, 20_400), 10);
    assert.equal(vusAt(0, stages, 20_500), 9);
    assert.equal(vusAt(0, stages, 24_999), 1);
    assert.equal(vusAt(0, stages, 25_000), 0);
    assert.equal(vusAt(0, stages, 99_000), 0);
  });

  it('starts from startVUs when it is not 0', () => {
    assert.equal(vusAt(4, [{ durationMs: 1000, target: 8 }], 0), 4);
    assert.equal(vusAt(4, [{ durationMs: 1000, target: 8 }], 500), 6);
  });
});

describe('stageAt', () => {
  it('finds the stage of a time and says when it began; past the end is stages.length', () => {
    const stages = [{ durationMs: 1000 }, { durationMs: 2000 }];
    assert.deepEqual(stageAt(stages, 0), { index: 0, startMs: 0 });
    assert.deepEqual(stageAt(stages, 1000), { index: 1, startMs: 1000 });
    assert.deepEqual(stageAt(stages, 3000), { index: 2, startMs: 3000 });
  });
});

describe('executorPlan', () => {
  it('gives arrival-rate aims per second whatever the time unit, and the length', () => {
    const plan = executorPlan({
      executor: 'constant-arrival-rate',
      rate: 120,
      timeUnitMs: 60_000,
      durationMs: 30_000,
      maxVUs: 7,
    });
    assert.deepEqual(plan.aims, [{ target: 2, targetKind: 'rate' }]);
    assert.equal(plan.totalMs, 30_000);
    assert.equal(plan.maxVUs, 7);
    assert.equal(rateAt(plan.segments!, 10_000) * 1000, 2);
  });

  it('gives ramping-vus one aim per stage and no rate segments', () => {
    const plan = executorPlan({
      executor: 'ramping-vus',
      startVUs: 0,
      stages: [
        { durationMs: 1000, target: 5 },
        { durationMs: 2000, target: 0 },
      ],
      gracefulRampDownMs: 0,
    });
    assert.equal(plan.segments, undefined);
    assert.deepEqual(
      plan.aims.map((a) => a.target),
      [5, 0],
    );
    assert.equal(plan.totalMs, 3000);
  });
});
