/**
 * Sizing a worker pool against a wait objective, shared by `target-latency`, `predictive` and
 * `oracle`: the fewest workers Erlang C says keep the objective at the arrival rate, plus the
 * workers it takes to drain the backlog within the objective's wait budget.
 *
 * The backlog rule. An M/M/c pool sized by Erlang C already expects a queue: its mean length
 * Lq = λ·W̄ (Little's law) is part of the steady state the objective was checked on. Only the
 * jobs beyond it are a backlog the steady state does not account for:
 *
 *   excess  = max(0, queueLength − Lq(c_erlang))
 *   backlog = min(ceil(excess), ceil(excess × S / budget))      (ceil(excess) when budget = 0)
 *
 * where budget is the objective's wait (`waitSec` of a percentile, or `meanWaitSec`). k extra
 * workers serve `excess` jobs in excess × S / k seconds, so k = excess × S / budget serves them
 * all within the budget; more than one extra worker per job never helps, hence the min. The
 * backlog gets its own workers on top of the Erlang C count because that count's slack is what
 * keeps new arrivals within the objective: spending it on old jobs would make the new ones wait
 * behind them. The rule is deliberately simple (it ignores how long the backlog has already
 * waited and that new workers take time to start): the safety rails and the next decision
 * correct it as the queue drains.
 */
import { mmc, serversForWaitSlo } from '../capacity/queueing/index.ts';
import { dur, num } from './format.ts';
import type { WaitTarget } from './types.ts';

/** The most workers a sizing answers (the search gives up above it). */
export const MAX_SIZED_REPLICAS = 1_000_000;

/** What a sizing found. */
export interface Sizing {
  /** Fewest workers meeting the objective at the rate (0 when the rate is 0). */
  erlang: number;
  /** Mean queue length the Erlang C pool expects (Lq). */
  expectedQueue: number;
  /** Jobs beyond the expected queue. */
  excess: number;
  /** Extra workers to drain the excess within the budget. */
  backlog: number;
  /** erlang + backlog. */
  replicas: number;
  /** The objective's wait budget, s. */
  budgetSec: number;
}

/** The wait budget of an objective, seconds: its percentile's wait, or its mean wait. */
export function waitBudgetSec(slo: WaitTarget): number {
  return 'quantile' in slo ? slo.waitSec : slo.meanWaitSec;
}

/** The objective as the plan writes it: `wait_p95 <= 60s`, `wait_mean <= 5s`. */
export function formatWaitTarget(slo: WaitTarget): string {
  if ('quantile' in slo) {
    return `wait_p${num(slo.quantile * 100, 6)} <= ${dur(slo.waitSec * 1000)}`;
  }
  return `wait_mean <= ${dur(slo.meanWaitSec * 1000)}`;
}

/** Sizes a pool for `rate` arrivals/s of `serviceSec` each, with `queueLength` waiting now. */
export function sizeForWait(
  rate: number,
  serviceSec: number,
  slo: WaitTarget,
  queueLength = 0,
): Sizing {
  const budgetSec = waitBudgetSec(slo);
  let erlang = 0;
  let expectedQueue = 0;
  if (rate > 0) {
    const found = serversForWaitSlo({
      arrivalRatePerSec: rate,
      serviceTimeSec: serviceSec,
      slo,
      maxServers: MAX_SIZED_REPLICAS,
    });
    erlang = Number.isFinite(found) ? found : MAX_SIZED_REPLICAS;
    if (Number.isFinite(found)) {
      expectedQueue = mmc({
        arrivalRatePerSec: rate,
        serviceTimeSec: serviceSec,
        servers: erlang,
      }).meanQueueLength;
    }
  }
  const excess = Math.max(0, queueLength - expectedQueue);
  const whole = Math.ceil(excess - 1e-9);
  const backlog =
    excess <= 0
      ? 0
      : budgetSec > 0
        ? Math.min(whole, Math.ceil((excess * serviceSec) / budgetSec - 1e-9))
        : whole;
  const replicas = Math.min(MAX_SIZED_REPLICAS, erlang + backlog);
  return { erlang, expectedQueue, excess, backlog, replicas, budgetSec };
}

/** One line naming the Erlang C count and the backlog term. */
export function describeSizing(s: Sizing, slo: WaitTarget, queueLength: number): string {
  const backlog =
    s.backlog === 0
      ? `backlog ${num(queueLength)} within the expected queue ${num(s.expectedQueue, 2)}: +0`
      : `backlog ${num(queueLength)} (${num(s.excess, 2)} beyond the expected ${num(s.expectedQueue, 2)}) drained within ${dur(s.budgetSec * 1000)}: +${s.backlog}`;
  return `Erlang C ${s.erlang} for ${formatWaitTarget(slo)}, ${backlog}`;
}
