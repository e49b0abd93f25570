/**
 * predictive: warms up on the reactive answer, scales out ahead of a ramp, never scales in on a
 * forecast alone, keeps its state small, and is fast enough for a month-long simulation.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  createPredictivePolicy,
  HISTORY_MINUTES,
  MIN_HISTORY_MINUTES,
  type PredictiveSpec,
} from './predictive.ts';
import { createTargetLatencyPolicy } from './target-latency.ts';
import { obs } from './test-support.ts';
import type { Observation } from './types.ts';

const MIN = 60_000;
const spec: PredictiveSpec = {
  kind: 'predictive',
  slo: { quantile: 0.95, waitSec: 10 },
  serviceTimeSec: 2,
  startupMs: 2 * MIN,
  intervalMs: 15_000,
};

/** Feeds predictive and target-latency the same observations; returns both answers per call. */
function compare(rateAt: (minute: number) => number, minutes: number) {
  const p = createPredictivePolicy(spec);
  const t = createTargetLatencyPolicy({ kind: 'target-latency', slo: spec.slo, serviceTimeSec: 2 });
  let ps = p.initialState();
  let ts = t.initialState();
  const rows: { minute: number; predictive: number; reactive: number; reason: string }[] = [];
  for (let now = 0; now < minutes * MIN; now += 15_000) {
    const o: Observation = obs(10, { arrivalRatePerSec: rateAt(now / MIN) });
    const dp = p.decide(o, ps, now);
    const dt = t.decide(o, ts, now);
    ps = dp.state;
    ts = dt.state;
    rows.push({
      minute: now / MIN,
      predictive: dp.replicas,
      reactive: dt.replicas,
      reason: dp.reason,
    });
  }
  return { rows, state: ps };
}

describe('predictive', () => {
  it('answers the reactive value while it warms up, and says so', () => {
    const { rows } = compare(() => 5, MIN_HISTORY_MINUTES);
    for (const r of rows) {
      assert.equal(r.predictive, r.reactive);
      assert.match(r.reason, /warming up \(\d+ of 10 minutes of history\)/);
    }
  });

  it('scales out ahead of a ramp: above the reactive answer while the rate rises', () => {
    const ramp = (m: number) => (m < 30 ? 5 : m < 60 ? 5 + (m - 30) * 0.5 : 20);
    const { rows } = compare(ramp, 60);
    const rising = rows.filter((r) => r.minute >= 40 && r.minute < 60);
    for (const r of rising) assert.ok(r.predictive >= r.reactive, `minute ${r.minute}`);
    const ahead = rising.filter((r) => r.predictive > r.reactive).length;
    assert.ok(ahead >= rising.length * 0.9, `ahead in ${ahead} of ${rising.length}`);
    assert.match(
      rising[0]!.reason,
      /forecast λ [\d.]+\/s \(holt-damped, 75th percentile, next 2m15s\)/,
    );
    assert.match(rising[0]!.reason, /forecast wins/);
  });

  it('never scales in on a forecast alone: equal to the reactive answer while the rate falls', () => {
    const fall = (m: number) => (m < 30 ? 20 : Math.max(2, 20 - (m - 30) * 0.5));
    const { rows } = compare(fall, 60);
    for (const r of rows) assert.ok(r.predictive >= r.reactive, `minute ${r.minute}`);
    const falling = rows.filter((r) => r.minute >= 35);
    for (const r of falling) assert.equal(r.predictive, r.reactive, `minute ${r.minute}`);
    assert.match(falling[0]!.reason, /reactive wins/);
  });

  it('keeps at most an hour of one-minute buckets and refits once per minute', () => {
    const p = createPredictivePolicy(spec);
    let s = p.initialState();
    const forecastMinutes = new Set<number>();
    let refits = 0;
    let previous: unknown = null;
    for (let now = 0; now < 3 * 60 * MIN; now += 15_000) {
      s = p.decide(obs(10, { arrivalRatePerSec: 5 + (now % 7) }), s, now).state;
      if (s.forecast !== previous) {
        refits++;
        previous = s.forecast;
        if (s.forecast) forecastMinutes.add(s.forecast.minute);
      }
    }
    assert.equal(s.history.length, HISTORY_MINUTES);
    assert.equal(refits, forecastMinutes.size);
    assert.ok(refits <= 180 - MIN_HISTORY_MINUTES + 1, String(refits));
    assert.ok(JSON.stringify(s).length < 4000, `state is ${JSON.stringify(s).length} bytes`);
    // Plain JSON: a reloaded state decides the same.
    const o = obs(10, { arrivalRatePerSec: 9 });
    const now = 3 * 60 * MIN;
    assert.deepEqual(
      p.decide(o, JSON.parse(JSON.stringify(s)) as typeof s, now),
      p.decide(o, s, now),
    );
  });

  it('decides in well under 1 ms on average (measured over 20,000 calls, about 3.5 days)', () => {
    const p = createPredictivePolicy({ ...spec, serviceTimeSec: undefined });
    let s = p.initialState();
    let replicas = 1;
    let seed = 1;
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    const calls = 20_000;
    const start = performance.now();
    for (let i = 0; i < calls; i++) {
      const now = i * 15_000;
      const rate = 20 + 15 * Math.sin((2 * Math.PI * now) / 86_400_000) + 3 * rnd();
      const o = obs(replicas, {
        arrivalRatePerSec: rate,
        inService: rate * 2 * (0.9 + 0.2 * rnd()),
        completionRatePerSec: rate,
        queueLength: Math.floor(10 * rnd()),
      });
      const d = p.decide(o, s, now);
      s = d.state;
      replicas = d.replicas;
    }
    const perCall = (performance.now() - start) / calls;
    assert.ok(perCall < 1, `${perCall.toFixed(3)} ms per call`);
  });
});
