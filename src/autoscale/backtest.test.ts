import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyBacktest, backtestPool, fluidMaxWaitSec } from './backtest.ts';
import { createTargetLatencyPolicy } from './target-latency.ts';
import { obs } from './test-support.ts';
import type { WaitTarget } from './types.ts';

const budget2m: WaitTarget = { quantile: 0.95, waitSec: 120 };

describe('backtest pool', () => {
  it('is the smallest constant pool whose fluid wait stayed within the allowance', () => {
    // 10/s for a minute at S = 1 s: c workers leave (10 − c)·60 jobs, waiting that ÷ c seconds;
    // within 30 s takes c ≥ 600 / 90, so 7 (25.7 s); 6 would leave 40 s.
    const calls = [{ rate: 10, sec: 60 }];
    assert.equal(backtestPool(calls, 1, 30), 7);
    assert.ok(Math.abs(fluidMaxWaitSec(calls, 1, 7) - 180 / 7) < 1e-9);
    assert.ok(Math.abs(fluidMaxWaitSec(calls, 1, 6) - 40) < 1e-9);
    // The backlog drains between bursts: two bursts apart need no more than one.
    const apart = [...calls, { rate: 0, sec: 300 }, ...calls];
    assert.equal(backtestPool(apart, 1, 30), 7);
    assert.equal(backtestPool([{ rate: 0, sec: 600 }], 1, 30), 0);
  });

  it('holds a reactive answer above what the horizon needed, keeps one below it', () => {
    const history = Array.from({ length: 40 }, (_, i) => ({ rate: i === 20 ? 40 : 3, sec: 15 }));
    const held = applyBacktest(30, history, 2, budget2m, 0);
    assert.ok(held.replicas < 30, held.note);
    assert.match(held.note, /backtest: \d+ kept the last 10m within 1m24s.*holds/);
    assert.equal(applyBacktest(3, history, 2, budget2m, 0).replicas, 3);
  });

  it('hands over to the reactive answer when the queue outgrows the held pool', () => {
    const history = Array.from({ length: 40 }, () => ({ rate: 3, sec: 15 }));
    const calm = applyBacktest(30, history, 2, budget2m, 0);
    assert.ok(calm.replicas < 30);
    // 2,000 waiting take 4,000 worker-seconds: more than the held pool serves within 2m.
    const late = applyBacktest(30, history, 2, budget2m, 2000);
    assert.equal(late.replicas, 30);
    assert.match(late.note, /reactive 30/);
  });

  it('does not speak before its horizon is full, nor for budgets of a few service times', () => {
    const short = Array.from({ length: 10 }, () => ({ rate: 3, sec: 15 }));
    const early = applyBacktest(30, short, 2, budget2m, 0);
    assert.equal(early.replicas, 30);
    assert.match(early.note, /backtest waits for 10m of rates \(has 2m30s\)/);
    const full = Array.from({ length: 40 }, () => ({ rate: 3, sec: 15 }));
    // 30 s is 3 service times of 10 s: no backtest.
    const few = applyBacktest(30, full, 10, { quantile: 0.95, waitSec: 30 }, 0);
    assert.deepEqual(few, { replicas: 30, note: '' });
  });
});

describe('target-latency with the backtest pool', () => {
  it('does not scale out for a burst the budget absorbs once it has seen 10 minutes', () => {
    const policy = createTargetLatencyPolicy({
      kind: 'target-latency',
      slo: budget2m,
      serviceTimeSec: 2,
    });
    const burst = (i: number) => (i === 60 || i === 10 ? 40 : 3);
    let state = policy.initialState();
    const replicas: number[] = [];
    const reasons: string[] = [];
    for (let i = 0; i < 62; i++) {
      const d = policy.decide(obs(8, { arrivalRatePerSec: burst(i) }), state, i * 15_000);
      state = d.state;
      replicas.push(d.replicas);
      reasons.push(d.reason);
    }
    // The first burst (2.5 minutes in, no full horizon yet) is followed by the reactive answer;
    // the same burst 15 minutes in is held to what the last 10 minutes needed.
    assert.ok(replicas[10]! > 15, reasons[10]);
    assert.match(reasons[10]!, /backtest waits/);
    assert.ok(replicas[60]! < replicas[10]!, reasons[60]);
    assert.match(reasons[60]!, /holds \d+ \(reactive \d+\) → \d+$/);
    // What the history keeps: 10 minutes of calls.
    assert.equal(state.estimates.history?.length, 40);
  });
});
