/**
 * The backtest pool of the wait-objective policies (`target-latency`, and `predictive`'s reactive
 * part): the smallest constant pool that would have kept the recent past within the objective.
 *
 * When the wait budget B is many service times S, the queue itself absorbs bursts: a pool of c
 * serves c·B/S waiting jobs within the budget, so a burst that comes and goes within a minute or
 * two needs no new workers, and workers started for it (which arrive after their start-up, when
 * it is over) are paid for nothing. Erlang C on a fast-rising rate sizes for such a burst as if
 * it lasted. The backtest asks the recorded past instead: over the calls of the last
 * `BACKTEST_HORIZON_SEC` (their arrival rates λᵢ and spans Δtᵢ), the fluid queue of a constant
 * pool c,
 *
 *   backlog ← max(0, backlog + (λᵢ − c/S)·Δtᵢ),   wait = backlog·S/c,
 *
 * and the backtest pool is the smallest c whose wait stayed within `BACKTEST_WAIT_FRACTION` of
 * the budget at every call (the fluid queue sees neither the randomness of service nor the
 * bursts within a call; the rest of the budget is left for them). The policy then answers
 *
 *   min(reactive, max(backtest pool, Erlang C at the horizon's mean rate + backlog term))
 *
 * so a reactive answer above what the recent past needed is held down to it, and one below it
 * stands (the fluid pool alone would run smooth traffic at full utilisation: the Erlang C term
 * keeps its queueing headroom). The reactive answer stands unchanged when
 *
 * - the budget is under `BACKTEST_MIN_BUDGET_SERVICES` service times: each worker serves only a
 *   few queued jobs within it, the wait is the random M/M/c one Erlang C models, not a fluid
 *   backlog, and there is no burst to absorb;
 * - the horizon is not full yet (a fresh policy, or calls not reported): a past shorter than
 *   the horizon says nothing about how bursty the traffic is, so the backtest does not speak;
 * - the held pool could not drain the jobs waiting now within the budget (queue·S/c > B): the
 *   rate is persistently above its capacity, a rise and not a burst the budget absorbs.
 *
 * A sustained rise raises the backtest pool itself as soon as the fluid wait at the old pool
 * passes its share of the budget (the latest call is part of the horizon), and the queue test
 * hands over to the reactive answer once the backlog outgrows the held pool.
 */
import { BACKTEST_HORIZON_SEC, MAX_HORIZON_CALLS, type RateCall } from './estimates.ts';
import { dur, num } from './format.ts';
import { sizeForWait, waitBudgetSec } from './sizing.ts';
import type { WaitTarget } from './types.ts';

/** The backtest holds the fluid wait within this fraction of the wait budget. */
export const BACKTEST_WAIT_FRACTION = 0.7;
/** The backtest applies only when the wait budget is at least this many service times. */
export const BACKTEST_MIN_BUDGET_SERVICES = 10;

/** The largest fluid wait, s, a constant pool of `c` would have shown at the end of a call. */
export function fluidMaxWaitSec(calls: readonly RateCall[], serviceSec: number, c: number): number {
  if (!(c > 0)) return calls.some((x) => x.rate > 0 && x.sec > 0) ? Infinity : 0;
  const capacity = c / serviceSec;
  let backlog = 0;
  let worst = 0;
  for (const x of calls) {
    backlog = Math.max(0, backlog + (x.rate - capacity) * x.sec);
    worst = Math.max(worst, backlog / capacity);
  }
  return worst;
}

/**
 * The smallest constant pool whose fluid queue kept every call's wait within `maxWaitSec`
 * (0 with no arrivals). The wait falls as c grows, so a bisection finds it; a pool serving the
 * highest rate never queues, so that bounds the search.
 */
export function backtestPool(
  calls: readonly RateCall[],
  serviceSec: number,
  maxWaitSec: number,
): number {
  let peak = 0;
  for (const x of calls) if (x.sec > 0) peak = Math.max(peak, x.rate);
  let hi = Math.max(0, Math.ceil(peak * serviceSec - 1e-9));
  if (fluidMaxWaitSec(calls, serviceSec, 0) <= maxWaitSec) return 0;
  let lo = 0;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (fluidMaxWaitSec(calls, serviceSec, mid) <= maxWaitSec + 1e-9) hi = mid;
    else lo = mid;
  }
  return hi;
}

/** What the backtest said about one decision. */
export interface Backtest {
  /** The replicas after the backtest (the reactive answer when it does not apply). */
  replicas: number;
  /** The reason's clause, empty when the backtest does not apply. */
  note: string;
}

/**
 * The reactive answer `reactive` after the backtest on `history` (see the module doc), with
 * `queueLength` jobs waiting now.
 */
export function applyBacktest(
  reactive: number,
  history: readonly RateCall[],
  serviceSec: number,
  slo: WaitTarget,
  queueLength: number,
): Backtest {
  const budgetSec = waitBudgetSec(slo);
  if (!(serviceSec > 0) || budgetSec < BACKTEST_MIN_BUDGET_SERVICES * serviceSec) {
    return { replicas: reactive, note: '' };
  }
  let span = 0;
  let arrivals = 0;
  for (const x of history) {
    span += x.sec;
    arrivals += x.rate * x.sec;
  }
  const full = span >= BACKTEST_HORIZON_SEC - 1e-6 || history.length >= MAX_HORIZON_CALLS;
  if (!full) {
    return {
      replicas: reactive,
      note: `; backtest waits for ${dur(BACKTEST_HORIZON_SEC * 1000)} of rates (has ${dur(Math.round(span) * 1000)})`,
    };
  }
  const allowedSec = BACKTEST_WAIT_FRACTION * budgetSec;
  const pool = backtestPool(history, serviceSec, allowedSec);
  const meanRate = arrivals / span;
  const steady = sizeForWait(meanRate, serviceSec, slo, queueLength).replicas;
  const held = Math.max(pool, steady);
  const what = `backtest: ${pool} kept the last ${dur(Math.round(span) * 1000)} within ${dur(Math.round(allowedSec) * 1000)}, Erlang C at its mean λ ${num(meanRate)}/s ${steady}`;
  if (queueLength * serviceSec > budgetSec * Math.max(1, held)) {
    return {
      replicas: reactive,
      note: `; ${what}; ${num(queueLength)} waiting outlast ${held} within ${dur(budgetSec * 1000)}: reactive ${reactive}`,
    };
  }
  if (reactive <= held)
    return { replicas: reactive, note: `; ${what}: reactive ${reactive} stands` };
  return { replicas: held, note: `; ${what}: holds ${held} (reactive ${reactive})` };
}
