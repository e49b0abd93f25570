import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mmc } from '../capacity/queueing/mmc.ts';
import { HeadroomError } from '../errors.ts';
import {
  createBreakpointSearch,
  DRAIN_PAUSE_MS,
  judgeStep,
  roundRate,
  searchThresholds,
  type StepVerdict,
} from './breakpoint.ts';
import { formatThreshold, parseThresholdArg } from './thresholds.ts';
import type {
  BreakpointMove,
  BreakpointSpec,
  MetricsView,
  StepMeasurement,
  Threshold,
} from './types.ts';

/** What a synthetic system does at an offered rate (per second) on the n-th step (1-based). */
interface Behaviour {
  /** Completions per second. */
  achieved: number;
  /** p95 latency, ms (every percentile reads it); undefined when nothing completed. */
  p95Ms: number | undefined;
  /** Share of completions that failed. */
  errorShare?: number;
  /** Iterations dropped over the step. */
  dropped?: number;
}
type System = (ratePerS: number, stepNumber: number) => Behaviour;

const SPEC: BreakpointSpec = {
  startRate: 100,
  maxRate: 10_000,
  stepMs: 10_000,
  growth: 1.3,
  resolution: 0.05,
  maxDurationMs: 3_600_000,
  maxVUs: 1000,
};
const P95_300 = parseThresholdArg('http_req_duration: p(95)<300', '--threshold');

function measurement(offered: number, b: Behaviour, durationS: number): StepMeasurement {
  const count = Math.round(b.achieved * durationS);
  const view: MetricsView = {
    durationS,
    dropped: b.dropped ?? 0,
    count: () => count,
    failed: () => Math.round(count * (b.errorShare ?? 0)),
    percentileMs: () => b.p95Ms,
    meanMs: () => b.p95Ms,
    minMs: () => b.p95Ms,
    maxMs: () => b.p95Ms,
  };
  return { offered, achieved: b.achieved, concurrency: (b.achieved * (b.p95Ms ?? 0)) / 1000, view };
}

/** Runs a search against a system as the runner would; the clock advances by each pause and step. */
function drive(
  system: System,
  spec: Partial<BreakpointSpec> = {},
  thresholds: Threshold[] = [P95_300],
) {
  const s = { ...SPEC, ...spec };
  const search = createBreakpointSearch(s, thresholds);
  const steps: { rate: number; pauseMs: number; endMs: number }[] = [];
  let elapsedMs = 0;
  let move: BreakpointMove = search.first();
  while (move.kind === 'step') {
    assert.ok(steps.length < 100, 'the search does not end');
    elapsedMs += move.pauseMs + s.stepMs;
    steps.push({ rate: move.rate, pauseMs: move.pauseMs, endMs: elapsedMs });
    move = search.next(
      measurement(move.rate, system(move.rate, steps.length), s.stepMs / 1000),
      elapsedMs,
    );
  }
  return { done: move, steps, verdicts: search.verdicts(), search };
}

/** The rate where a monotone failure predicate turns true, to 1e-6. */
function breakOf(fails: (ratePerS: number) => boolean, lo: number, hi: number): number {
  while (hi - lo > 1e-6) {
    const mid = (lo + hi) / 2;
    if (fails(mid)) hi = mid;
    else lo = mid;
  }
  return lo;
}

/** The found rate is the highest that held, the break lies within the resolution above it. */
function assertWithinResolution(
  found: number,
  truth: number,
  verdicts: StepVerdict[],
  resolution: number,
): void {
  assert.ok(found <= truth, `${found} held but the system breaks at ${truth}`);
  assert.ok(
    found >= truth / (1 + resolution) - 1,
    `${found} is further than ${resolution} below ${truth}`,
  );
  const lowestFailed = Math.min(...verdicts.filter((v) => !v.ok).map((v) => v.offered));
  assert.ok(lowestFailed > truth, `${lowestFailed} failed below the break ${truth}`);
  assert.ok(
    (lowestFailed - found) / found <= resolution,
    'the bracket is wider than the resolution',
  );
}

// 8 servers of 50 ms each (160/s at most): p95 response time from M/M/c; past saturation the
// queue grows and completions stay at 160/s.
const SERVERS = 8;
const SERVICE_S = 0.05;
const mmcP95Ms = (rate: number): number => {
  const q = mmc({ arrivalRatePerSec: rate, serviceTimeSec: SERVICE_S, servers: SERVERS });
  return q.stable ? (SERVICE_S + q.waitQuantileSec(0.95)) * 1000 : 10_000;
};
const MMC: System = (rate) => ({
  achieved: Math.min(rate, SERVERS / SERVICE_S),
  p95Ms: mmcP95Ms(rate),
});

describe('breakpoint search: synthetic systems', () => {
  it('finds where an M/M/c queue’s p95 passes 300 ms, within the resolution', () => {
    const truth = breakOf((r) => mmcP95Ms(r) >= 300, 1, SERVERS / SERVICE_S);
    const { done, verdicts } = drive(MMC, { startRate: 20 });
    assert.equal(done.kind, 'done');
    assertWithinResolution(done.rate, truth, verdicts, 0.05);
    assert.match(
      done.reason,
      /^http_req_duration: p\(95\)<300 failed at \d+ req\/s \(p\(95\)=\d+ ms\)$/,
    );
  });

  it('finds a tighter break with a finer resolution', () => {
    const truth = breakOf((r) => mmcP95Ms(r) >= 300, 1, SERVERS / SERVICE_S);
    const { done, verdicts } = drive(MMC, { startRate: 20, resolution: 0.01 });
    assertWithinResolution(done.rate, truth, verdicts, 0.01);
  });

  it('finds a throughput cap: completions stop following the offered rate past 180/s', () => {
    const { done, verdicts } = drive((rate) => ({ achieved: Math.min(rate, 180), p95Ms: 20 }));
    // 180 completions fall below 95 % of the offer above 180 / 0.95.
    assertWithinResolution(done.rate, 180 / 0.95, verdicts, 0.05);
    assert.deepEqual(done, {
      kind: 'done',
      rate: 189,
      reason: 'throughput no longer follows the offered rate: 180 req/s of 195 offered',
    });
  });

  it('finds where iterations start to be dropped: maxVUs in flight', () => {
    const system: System = (rate) =>
      rate > 240
        ? { achieved: rate * 0.98, p95Ms: 50, dropped: Math.round(rate * 10 * 0.02) }
        : { achieved: rate, p95Ms: 50 };
    const { done, verdicts } = drive(system);
    assertWithinResolution(done.rate, 240, verdicts, 0.05);
    const dropped = verdicts.find((v) => v.offered === 286)!;
    assert.equal(
      dropped.reason,
      '57 of 2,860 requests were dropped at 286 req/s: 1,000 in flight (maxVUs)',
    );
  });

  it('names the threshold, the rate and the measured value of the step above the answer', () => {
    const system: System = (rate) => ({ achieved: rate, p95Ms: rate >= 260 ? 412 : 100 });
    const { done, verdicts } = drive(system);
    const lowestFailed = Math.min(...verdicts.filter((v) => !v.ok).map((v) => v.offered));
    assert.equal(
      done.kind === 'done' && done.reason,
      `http_req_duration: p(95)<300 failed at ${lowestFailed} req/s (p(95)=412 ms)`,
    );
    assertWithinResolution(done.rate, 260 - 1e-9, verdicts, 0.05);
  });

  it('joins every criterion a step failed', () => {
    const { verdicts } = drive((rate) => ({
      achieved: Math.min(rate, 150),
      p95Ms: rate > 150 ? 900 : 10,
    }));
    const failed = verdicts.find((v) => v.offered === 169)!;
    assert.equal(
      failed.reason,
      'http_req_duration: p(95)<300 failed at 169 req/s (p(95)=900 ms); throughput no longer follows the offered rate: 150 req/s of 169 offered',
    );
  });
});

describe('breakpoint search: how it stops', () => {
  it('at maxRate, when every step held', () => {
    const { done, steps } = drive((rate) => ({ achieved: rate, p95Ms: 10 }), {
      maxRate: 500,
      growth: 2,
    });
    assert.deepEqual(
      steps.map((s) => s.rate),
      [100, 200, 400, 500],
    );
    assert.deepEqual(done, {
      kind: 'done',
      rate: 500,
      reason: 'reached the highest rate allowed, 500/s, without failing',
    });
  });

  it('at maxDuration while rising: no step ends past it', () => {
    const { done, steps } = drive((rate) => ({ achieved: rate, p95Ms: 10 }), {
      maxDurationMs: 35_000,
    });
    assert.deepEqual(
      steps.map((s) => s.rate),
      [100, 130, 169],
    );
    assert.ok(steps.every((s) => s.endMs <= 35_000));
    assert.deepEqual(done, {
      kind: 'done',
      rate: 169,
      reason: 'the search reached its maximum duration (35 s) before a step failed',
    });
  });

  it('at maxDuration before a failure could be confirmed', () => {
    const { done, steps } = drive((rate) => ({ achieved: rate, p95Ms: rate > 120 ? 500 : 10 }), {
      maxDurationMs: 21_000,
    });
    assert.deepEqual(
      steps.map((s) => s.rate),
      [100, 130],
    );
    assert.deepEqual(done, {
      kind: 'done',
      rate: 100,
      reason:
        'the search reached its maximum duration (21 s) before it could confirm a failure: http_req_duration: p(95)<300 failed at 130 req/s (p(95)=500 ms)',
    });
  });

  it('at maxDuration while refining, with what failed above', () => {
    const { done, steps } = drive((rate) => ({ achieved: rate, p95Ms: rate > 120 ? 500 : 10 }), {
      maxDurationMs: 40_000,
    });
    assert.deepEqual(
      steps.map((s) => s.rate),
      [100, 130, 130],
    );
    assert.equal(
      done.kind === 'done' && done.reason,
      'the search reached its maximum duration (40 s) while refining; above it, http_req_duration: p(95)<300 failed at 130 req/s (p(95)=500 ms)',
    );
    assert.equal(done.rate, 100);
  });

  it('with rate 0 when even the first step fails (confirmed once)', () => {
    const { done, steps } = drive((rate) => ({ achieved: rate, p95Ms: 5, errorShare: 1 }), {}, []);
    assert.deepEqual(
      steps.map((s) => s.rate),
      [100, 100],
    );
    assert.deepEqual(done, {
      kind: 'done',
      rate: 0,
      reason: 'even the first step failed: http_req_failed: rate<0.01 failed at 100 req/s (rate=1)',
    });
  });

  it('with rate 0 when the first step cannot fit in maxDuration', () => {
    const search = createBreakpointSearch({ ...SPEC, maxDurationMs: 5000 }, []);
    assert.deepEqual(search.first(), {
      kind: 'done',
      rate: 0,
      reason: 'the search reached its maximum duration (5 s) before a step failed',
    });
  });

  it('when the rates cannot be split any finer once rounded', () => {
    const { done, steps } = drive((rate) => ({ achieved: rate, p95Ms: rate >= 21 ? 500 : 10 }), {
      startRate: 20,
      growth: 1.05,
      resolution: 0.001,
    });
    assert.deepEqual(
      steps.map((s) => s.rate),
      [20, 21, 21],
    );
    assert.equal(done.rate, 20);
  });

  it('answers done again after it is done, and judges nothing more', () => {
    const { done, search, verdicts } = drive((rate) => ({ achieved: rate, p95Ms: 10 }), {
      maxRate: 100,
    });
    assert.deepEqual(search.next(measurement(100, { achieved: 0, p95Ms: undefined }, 10), 0), done);
    assert.equal(search.verdicts().length, verdicts.length);
  });
});

describe('breakpoint search: steps it asks for', () => {
  it('rises without a pause, then confirms and refines after a drain pause', () => {
    const { steps } = drive((rate) => ({ achieved: rate, p95Ms: rate >= 260 ? 412 : 100 }));
    const firstFailure = steps.findIndex((s) => s.rate >= 260);
    assert.ok(steps.slice(0, firstFailure + 1).every((s) => s.pauseMs === 0));
    assert.equal(
      steps[firstFailure + 1]!.rate,
      steps[firstFailure]!.rate,
      'the failure is confirmed at the same rate',
    );
    assert.ok(steps.slice(firstFailure + 1).every((s) => s.pauseMs === DRAIN_PAUSE_MS));
  });

  it('offers rounded rates: integers from 10/s, tenths below', () => {
    const { steps } = drive((rate) => ({ achieved: rate, p95Ms: rate > 30 ? 500 : 10 }), {
      startRate: 1,
      growth: 1.5,
    });
    assert.deepEqual(
      steps.slice(0, 8).map((s) => s.rate),
      [1, 1.5, 2.3, 3.5, 5.3, 8, 12, 18],
    );
  });

  it('starts at maxRate when startRate is above it', () => {
    assert.deepEqual(
      createBreakpointSearch({ ...SPEC, startRate: 900, maxRate: 500 }, []).first(),
      { kind: 'step', rate: 500, pauseMs: 0 },
    );
  });

  it('moves on even when growth rounds to the same rate', () => {
    const { steps } = drive((rate) => ({ achieved: rate, p95Ms: 10 }), {
      startRate: 10,
      growth: 1.01,
      maxRate: 13,
    });
    assert.deepEqual(
      steps.map((s) => s.rate),
      [10, 11, 12, 13],
    );
  });

  it('keeps a verdict per step, in order', () => {
    const { steps, verdicts } = drive(MMC, { startRate: 20 });
    assert.equal(verdicts.length, steps.length);
    assert.deepEqual(
      verdicts.map((v) => v.offered),
      steps.map((s) => s.rate),
    );
    assert.ok(verdicts.every((v) => v.ok === (v.reason === undefined)));
  });
});

describe('breakpoint search: noise', () => {
  it('a failure that a retry at the same rate does not repeat is taken for noise', () => {
    const truth = breakOf((r) => mmcP95Ms(r) >= 300, 1, SERVERS / SERVICE_S);
    // A GC pause spoils the third step (34 req/s) once.
    const noisy: System = (rate, n) => (n === 3 ? { achieved: rate, p95Ms: 2000 } : MMC(rate, n));
    const { done, verdicts } = drive(noisy, { startRate: 20 });
    assert.deepEqual(verdicts.slice(2, 4), [
      {
        offered: 34,
        ok: false,
        reason: 'http_req_duration: p(95)<300 failed at 34 req/s (p(95)=2,000 ms)',
      },
      { offered: 34, ok: true },
    ]);
    assertWithinResolution(done.rate, truth, verdicts.slice(3), 0.05);
  });

  it('a failure the retry repeats is real', () => {
    const { done, verdicts } = drive((rate) => ({ achieved: rate, p95Ms: rate >= 130 ? 500 : 50 }));
    assert.deepEqual(
      verdicts.slice(0, 3).map((v) => [v.offered, v.ok]),
      [
        [100, true],
        [130, false],
        [130, false],
      ],
    );
    assert.ok(done.rate >= 100 && done.rate < 130);
  });
});

describe('breakpoint search: criteria', () => {
  const step = (b: Behaviour, offered = 100) => measurement(offered, b, 10);
  const judge = (b: Behaviour, thresholds: Threshold[] = [], offered = 100) =>
    judgeStep(step(b, offered), searchThresholds(thresholds), { maxVUs: 50, stepMs: 10_000 });
  const cases: {
    name: string;
    b: Behaviour;
    offered?: number;
    thresholds?: Threshold[];
    ok: boolean;
    reason?: string;
  }[] = [
    { name: 'a healthy step holds', b: { achieved: 100, p95Ms: 10 }, ok: true },
    { name: '95 % of the offered rate still holds', b: { achieved: 95, p95Ms: 10 }, ok: true },
    {
      name: 'below 95 % fails',
      b: { achieved: 94, p95Ms: 10 },
      ok: false,
      reason: 'throughput no longer follows the offered rate: 94 req/s of 100 offered',
    },
    {
      name: 'one iteration short at a low rate still holds',
      b: { achieved: 0.9, p95Ms: 10 },
      offered: 1,
      ok: true,
    },
    {
      name: 'two iterations short at a low rate fails',
      b: { achieved: 0.8, p95Ms: 10 },
      offered: 1,
      ok: false,
      reason: 'throughput no longer follows the offered rate: 0.8 req/s of 1 offered',
    },
    { name: '1 % dropped still holds', b: { achieved: 100, p95Ms: 10, dropped: 10 }, ok: true },
    {
      name: 'over 1 % dropped fails',
      b: { achieved: 100, p95Ms: 10, dropped: 11 },
      ok: false,
      reason: '11 of 1,000 requests were dropped at 100 req/s: 50 in flight (maxVUs)',
    },
    {
      name: 'the default http_req_failed: rate<0.01 applies',
      b: { achieved: 100, p95Ms: 10, errorShare: 0.02 },
      ok: false,
      reason: 'http_req_failed: rate<0.01 failed at 100 req/s (rate=0.02)',
    },
    {
      name: "the user's own http_req_failed replaces the default",
      b: { achieved: 100, p95Ms: 10, errorShare: 0.02 },
      thresholds: [parseThresholdArg('http_req_failed: rate<0.05', 't')],
      ok: true,
    },
    {
      name: 'a step where nothing completed fails its latency threshold',
      b: { achieved: 0, p95Ms: undefined },
      thresholds: [P95_300],
      ok: false,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const v = judge(c.b, c.thresholds, c.offered);
      assert.equal(v.ok, c.ok);
      if (c.reason !== undefined) assert.equal(v.reason, c.reason);
    });
  }

  it('a tagged http_req_failed threshold does not replace the default', () => {
    const tagged = parseThresholdArg('http_req_failed{name:create}: rate<0.5', 't');
    assert.deepEqual(searchThresholds([tagged]).map(formatThreshold), [
      'http_req_failed{name:create}: rate<0.5',
      'http_req_failed: rate<0.01',
    ]);
  });
});

describe('breakpoint search: settings', () => {
  const bad: [string, Partial<BreakpointSpec>, string][] = [
    [
      'growth of 1',
      { growth: 1 },
      'breakpoint growth 1 is not a factor above 1 (1.5 = +50 % a step)',
    ],
    [
      'a start rate of 0',
      { startRate: 0 },
      'breakpoint startRate 0 is not a rate above 0 per second',
    ],
    [
      'a resolution of 0',
      { resolution: 0 },
      'breakpoint resolution 0 is not a fraction above 0 (0.05 = within 5 %)',
    ],
    [
      'an infinite maxRate',
      { maxRate: Infinity },
      'breakpoint maxRate Infinity is not a rate above 0 per second',
    ],
    ['no step length', { stepMs: 0 }, 'breakpoint stepMs 0 is not a duration above 0'],
  ];
  for (const [name, spec, message] of bad) {
    it(`refuses ${name}`, () => {
      assert.throws(
        () => createBreakpointSearch({ ...SPEC, ...spec }, []),
        (err: unknown) =>
          err instanceof HeadroomError && err.code === 'LOADTEST_CONFIG' && err.message === message,
      );
    });
  }

  const rounding: [number, number][] = [
    [260.4, 260],
    [10.5, 11],
    [9.96, 10],
    [2.25, 2.3],
    [0.123, 0.12],
    [0.0456, 0.046],
  ];
  for (const [rate, want] of rounding) {
    it(`rounds ${rate}/s to ${want}/s`, () => assert.equal(roundRate(rate), want));
  }
});
