/**
 * target-latency against an independent Erlang C (written out below, not the library's), the
 * backlog rule of `sizing.ts`, and the rate and service-time estimates.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createTargetLatencyPolicy, type TargetLatencySpec } from './target-latency.ts';
import { drive, failed, obs } from './test-support.ts';
import type { WaitTarget } from './types.ts';

/** Erlang C by the Erlang B recursion, and the linear scan for the fewest servers. */
function independentServers(rate: number, serviceSec: number, slo: WaitTarget): number {
  const a = rate * serviceSec;
  for (let c = Math.floor(a) + 1; ; c++) {
    let b = 1;
    for (let k = 1; k <= c; k++) b = (a * b) / (k + a * b);
    const pWait = (c * b) / (c - a * (1 - b));
    const drain = (c - a) / serviceSec;
    const ok =
      'quantile' in slo
        ? pWait * Math.exp(-drain * slo.waitSec) <= 1 - slo.quantile
        : pWait / drain <= slo.meanWaitSec;
    if (ok) return c;
  }
}

/** Mean queue length of M/M/c, independently. */
function independentLq(rate: number, serviceSec: number, c: number): number {
  const a = rate * serviceSec;
  let b = 1;
  for (let k = 1; k <= c; k++) b = (a * b) / (k + a * b);
  const pWait = (c * b) / (c - a * (1 - b));
  return (rate * pWait) / ((c - a) / serviceSec);
}

const p95: WaitTarget = { quantile: 0.95, waitSec: 60 };
/**
 * A budget whose rate window (half the budget, `RATE_WINDOW_FRACTION`) is one 15 s call: the
 * tests of the estimator's per-call behaviour use it.
 */
const p95short: WaitTarget = { quantile: 0.95, waitSec: 30 };

describe('target-latency: sizing', () => {
  it('answers the Erlang C count when there is no backlog (call-centre example: 14)', () => {
    const spec: TargetLatencySpec = {
      kind: 'target-latency',
      slo: { quantile: 0.8, waitSec: 20 },
      serviceTimeSec: 180,
    };
    const policy = createTargetLatencyPolicy(spec);
    const d = policy.decide(obs(5, { arrivalRatePerSec: 200 / 3600 }), policy.initialState(), 0);
    assert.equal(d.replicas, independentServers(200 / 3600, 180, spec.slo));
    assert.equal(d.replicas, 14);
  });

  it('matches the independent count over a range of rates, service times and objectives', () => {
    const objectives: WaitTarget[] = [p95, { quantile: 0.99, waitSec: 5 }, { meanWaitSec: 2 }];
    for (const slo of objectives) {
      for (const rate of [0.05, 0.7, 3, 25, 140]) {
        for (const serviceTimeSec of [0.2, 3, 40]) {
          const policy = createTargetLatencyPolicy({ kind: 'target-latency', slo, serviceTimeSec });
          const d = policy.decide(obs(1, { arrivalRatePerSec: rate }), policy.initialState(), 0);
          assert.equal(
            d.replicas,
            independentServers(rate, serviceTimeSec, slo),
            `${rate} ${serviceTimeSec}`,
          );
        }
      }
    }
  });

  it('adds the workers that drain the backlog beyond the expected queue within the wait', () => {
    const rate = 2;
    const S = 3;
    const policy = createTargetLatencyPolicy({
      kind: 'target-latency',
      slo: p95,
      serviceTimeSec: S,
    });
    const c = independentServers(rate, S, p95);
    const lq = independentLq(rate, S, c);
    for (const queueLength of [0, 5, 100, 2000]) {
      const o = obs(c, { arrivalRatePerSec: rate, queueLength });
      const d = policy.decide(o, policy.initialState(), 0);
      const excess = Math.max(0, queueLength - lq);
      const backlog = excess === 0 ? 0 : Math.min(Math.ceil(excess), Math.ceil((excess * S) / 60));
      assert.equal(d.replicas, c + backlog, `queue ${queueLength}`);
    }
    // 2000 waiting jobs of 3 s within 60 s: 100 more workers.
    const d = policy.decide(
      obs(c, { arrivalRatePerSec: rate, queueLength: 2000 }),
      policy.initialState(),
      0,
    );
    assert.equal(d.replicas, c + 100);
    assert.match(d.reason, /λ 2\/s, S 3s \(plan\)/);
    assert.match(d.reason, new RegExp(`Erlang C ${c} for wait_p95 <= 1m`));
    assert.match(d.reason, /backlog 2000 .* drained within 1m: \+100/);
  });

  it('never gives a job more than one extra worker (a wait budget of 0)', () => {
    const slo: WaitTarget = { quantile: 0.9, waitSec: 0 };
    const policy = createTargetLatencyPolicy({ kind: 'target-latency', slo, serviceTimeSec: 10 });
    const d = policy.decide(
      obs(1, { arrivalRatePerSec: 0, queueLength: 7 }),
      policy.initialState(),
      0,
    );
    assert.equal(d.replicas, 7);
  });

  it('answers 0 with no traffic and no backlog (the pool minimum is a safety rail)', () => {
    const policy = createTargetLatencyPolicy({
      kind: 'target-latency',
      slo: p95,
      serviceTimeSec: 1,
    });
    assert.equal(
      policy.decide(obs(3, { arrivalRatePerSec: 0 }), policy.initialState(), 0).replicas,
      0,
    );
  });
});

describe('target-latency: estimates', () => {
  it('measures S as busy workers / completion rate, and sizes with it', () => {
    const policy = createTargetLatencyPolicy({ kind: 'target-latency', slo: p95 });
    const o = obs(4, { arrivalRatePerSec: 5, inService: 10, completionRatePerSec: 5 });
    const d = policy.decide(o, policy.initialState(), 0);
    assert.equal(d.replicas, independentServers(5, 2, p95));
    assert.match(d.reason, /S 2s \(measured\)/);
  });

  it('keeps the current replicas, and says why, before any completion is seen', () => {
    const policy = createTargetLatencyPolicy({ kind: 'target-latency', slo: p95 });
    const o = obs(4, {
      arrivalRatePerSec: 5,
      inService: 3,
      completionRatePerSec: 0,
      queueLength: 50,
    });
    const d = policy.decide(o, policy.initialState(), 0);
    assert.equal(d.replicas, 4);
    assert.match(d.reason, /no completion seen yet/);
  });

  it('keeps the current replicas when the read failed', () => {
    const policy = createTargetLatencyPolicy({
      kind: 'target-latency',
      slo: p95,
      serviceTimeSec: 1,
    });
    const d = policy.decide(failed(6), policy.initialState(), 0);
    assert.equal(d.replicas, 6);
    assert.match(d.reason, /metrics unavailable/);
  });

  it('follows a rise in the arrival rate fast and a fall slowly', () => {
    const policy = createTargetLatencyPolicy({
      kind: 'target-latency',
      slo: p95short,
      serviceTimeSec: 1,
    });
    const rates: number[] = [];
    drive(policy, {
      startReplicas: 1,
      everyMs: 15_000,
      untilMs: 20 * 15_000,
      observe: (now, r) =>
        obs(r, { arrivalRatePerSec: now < 5 * 15_000 || now >= 10 * 15_000 ? 10 : 100 }),
    }).steps.forEach((s) => rates.push(Number(/λ ([\d.]+)\/s/.exec(s.reason)![1])));
    // One 15 s step up covers 1 − e^(−1.5) = 78 % of the rise; two cover 95 %.
    assert.ok(Math.abs(rates[5]! - (10 + 90 * (1 - Math.exp(-1.5)))) < 0.01, String(rates[5]));
    assert.ok(rates[6]! > 95);
    // One 15 s step down covers 1 − e^(−0.125) = 12 % of the fall.
    const before = rates[9]!;
    assert.ok(Math.abs(rates[10]! - (before + (10 - before) * (1 - Math.exp(-0.125)))) < 0.01);
  });
});

describe('target-latency: noise and volatility', () => {
  /** A deterministic stand-in for Poisson noise: the counts of a 15 s window cycle around the mean. */
  const cycle = [3, 1, 4, 2, 5, 2, 3, 4, 1, 5];

  function rates(sample: (i: number) => number, calls: number) {
    const policy = createTargetLatencyPolicy({
      kind: 'target-latency',
      slo: p95short,
      serviceTimeSec: 20,
    });
    const out: { rate: number; replicas: number; reason: string }[] = [];
    let state = policy.initialState();
    for (let i = 0; i < calls; i++) {
      const d = policy.decide(obs(5, { arrivalRatePerSec: sample(i) }), state, i * 15_000);
      state = d.state;
      out.push({
        rate: Number(/λ ([\d.]+)\/s/.exec(d.reason)![1]),
        replicas: d.replicas,
        reason: d.reason,
      });
    }
    return out;
  }

  it('averages counting noise instead of riding its upper envelope', () => {
    // About 3 arrivals per 15 s (0.2/s): rises within the noise are followed slowly.
    const out = rates((i) => cycle[i % cycle.length]! / 15, 200);
    const late = out.slice(100);
    const mean = 0.2;
    for (const r of late) assert.ok(Math.abs(r.rate - mean) < 0.06, `λ ${r.rate}`);
    // Within the noise the sizing takes no volatility margin (a little at most).
    assert.ok(late.every((r) => r.replicas <= independentServers(0.26, 20, p95short) + 1));
  });

  it('follows a significant surge at once', () => {
    const out = rates((i) => (i < 40 ? cycle[i % cycle.length]! / 15 : 2), 42);
    // 30 arrivals in a window where 3 ± 1.7 are expected: 78 % of the rise in one step.
    assert.ok(out[40]!.rate > 0.2 + 1.8 * 0.7, `λ ${out[40]!.rate}`);
  });

  it('keeps headroom for traffic whose rate jumps beyond counting noise, and says so', () => {
    // 10/s alternating with 20/s every 15 s: far more spread than Poisson counts (±0.8/s).
    const out = rates((i) => (i % 2 === 0 ? 10 : 20), 80);
    const last = out[out.length - 1]!;
    assert.match(last.reason, /sized at λ [\d.]+\/s \(\+1\.4 × volatility [\d.]+\/s\)/);
    const sized = Number(/sized at λ ([\d.]+)\/s/.exec(last.reason)![1]);
    assert.ok(sized > last.rate + 5, `${sized} vs ${last.rate}`);
    assert.equal(last.replicas, independentServers(sized, 20, p95short));
  });
});

describe('target-latency: the volatility margin earns its keep (error-budget controller)', () => {
  /** 10/s alternating with 20/s every 15 s (volatility well beyond counting noise). */
  function run(oldestWaitSec: number | undefined, hours: number) {
    const policy = createTargetLatencyPolicy({
      kind: 'target-latency',
      slo: p95short,
      serviceTimeSec: 20,
    });
    let state = policy.initialState();
    let last = { replicas: 0, reason: '' };
    for (let i = 0; i < (hours * 3_600_000) / 15_000; i++) {
      const fields = { arrivalRatePerSec: i % 2 === 0 ? 10 : 20, oldestWaitSec };
      const d = policy.decide(obs(5, fields), state, i * 15_000);
      state = d.state;
      last = d;
    }
    const margin = Number(/\(\+([\d.]+) × volatility/.exec(last.reason)?.[1] ?? 0);
    return { ...last, margin, state };
  }

  it('sheds the margin slowly while no job has waited half the budget', () => {
    const after = run(0, 10);
    // 0.06 per hour from 1.4: 0.8 after 10 hours (within rounding of the first call).
    assert.ok(Math.abs(after.margin - 0.8) < 0.01, `margin ${after.margin}`);
    assert.ok(Math.abs(after.state.estimates.margin! - 0.8) < 0.001);
    assert.ok(after.replicas < run(undefined, 10).replicas, 'fewer replicas than at 1.4');
    // After a day it is gone: sized at λ alone.
    const day = run(0, 24);
    assert.equal(day.state.estimates.margin, 0);
    assert.doesNotMatch(day.reason, /volatility/);
  });

  it('earns it back fast while jobs wait more than half the budget, up to 3', () => {
    // 16 s > 30 s / 2: late. 2.94 per hour, so 3 within the hour.
    const late = run(16, 1);
    assert.equal(late.margin, 3);
    // 14 s is within half the budget: not late.
    assert.ok(run(14, 1).margin < 1.4);
  });

  it('keeps 1.4 when the queue does not report the oldest wait', () => {
    assert.equal(run(undefined, 10).margin, 1.4);
  });
});

describe('target-latency: the rate over half the wait budget', () => {
  const budget2m: WaitTarget = { quantile: 0.95, waitSec: 120 };

  /** λ and the reason after each call, 15 s apart, for `sample(i)` arrivals/s. */
  function run(slo: WaitTarget, sample: (i: number) => number, calls: number) {
    const policy = createTargetLatencyPolicy({ kind: 'target-latency', slo, serviceTimeSec: 2 });
    let state = policy.initialState();
    const out: { rate: number; replicas: number; reason: string }[] = [];
    for (let i = 0; i < calls; i++) {
      const d = policy.decide(obs(5, { arrivalRatePerSec: sample(i) }), state, i * 15_000);
      state = d.state;
      out.push({
        rate: Number(/λ ([\d.]+)\/s/.exec(d.reason)![1]),
        replicas: d.replicas,
        reason: d.reason,
      });
    }
    return { out, state };
  }

  it('counts a burst the pool serves within the budget at its rate over the window', () => {
    // 1/s, then one 15 s call at 30/s (450 jobs), then 1/s again.
    const burst = (i: number) => (i === 20 ? 30 : 1);
    const long = run(budget2m, burst, 22).out;
    const short = run(p95short, burst, 22).out;
    // 2 min budget: the sample spans four calls (1 m), so the burst counts as 1 + 29 / 4 =
    // 8.25/s, of which the fast rise takes 78 %.
    assert.ok(
      Math.abs(long[20]!.rate - (1 + 7.25 * (1 - Math.exp(-1.5)))) < 0.01,
      `λ ${long[20]!.rate}`,
    );
    assert.match(long[20]!.reason, /λ [\d.]+\/s \(samples over 1m\)/);
    // 30 s budget: one call, so 78 % of the rise at once.
    assert.ok(short[20]!.rate > 1 + 29 * 0.77, `λ ${short[20]!.rate}`);
    assert.doesNotMatch(short[20]!.reason, /samples over/);
    assert.ok(long[20]!.replicas < short[20]!.replicas / 2);
  });

  it('still follows a surge that persists, within half the budget', () => {
    const { out } = run(budget2m, (i) => (i < 20 ? 1 : 10), 24);
    // After four calls (the window) the sample is all surge, and the rise is followed fast.
    assert.ok(out[23]!.rate > 9, `λ ${out[23]!.rate}`);
  });

  it('takes no volatility margin for swings the window averages out', () => {
    // 10/s alternating with 20/s every 15 s: volatile call by call, steady over a minute.
    const swing = (i: number) => (i % 2 === 0 ? 10 : 20);
    const long = run(budget2m, swing, 80).out.at(-1)!;
    const short = run(p95short, swing, 80).out.at(-1)!;
    assert.doesNotMatch(long.reason, /volatility/);
    assert.match(short.reason, /volatility/);
    // The Erlang C sizing, before the backtest pool (which holds both to what the swings needed).
    const erlang = (reason: string) => Number(/Erlang C (\d+) for/.exec(reason)![1]);
    assert.ok(erlang(long.reason) < erlang(short.reason), `${long.reason} / ${short.reason}`);
  });

  it('keeps only the calls the window needs in its state', () => {
    const { state } = run(budget2m, () => 3, 50);
    assert.equal(state.estimates.calls?.length, 4);
    assert.equal(state.estimates.windowSec, 60);
    assert.deepEqual(JSON.parse(JSON.stringify(state)), state);
  });
});
