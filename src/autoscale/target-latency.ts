/**
 * `target-latency`: the fewest replicas that keep a wait objective (`wait_p95 <= 60s`) by
 * Erlang C at the sizing rate, plus the workers it takes to drain the current backlog within the
 * objective (the rule is in `sizing.ts`). λ is estimated from the arrival rate over windows of at
 * least half the objective's wait budget (one call for budgets up to twice the interval), so a
 * burst the pool serves within the budget counts at the rate it is sustained at, not at its
 * peak second (see `estimates.ts`). The sizing rate is the estimated arrival rate λ plus a
 * margin for the rate's volatility beyond counting noise, λ + k × volatility, so traffic that
 * jumps within minutes gets headroom for the start-up of new workers and Poisson-like traffic
 * gets none. k starts at 1.4 and is an error-budget controller on the observed waits: it falls
 * slowly while no job waits long and rises while jobs do (see `estimates.ts`). λ, its
 * volatility, k and S are running estimates; S is the plan's when it gives one. Before any
 * completion is seen S is unknown, and the policy keeps the current replicas and says so.
 * When the budget is many service times, the answer is held to what a constant pool needed over
 * the last 10 minutes of arrival rates unless the queue outgrows it (`backtest.ts`).
 */
import { applyBacktest, type Backtest } from './backtest.ts';
import {
  emptyEstimates,
  estimatedServiceSec,
  INITIAL_MARGIN,
  RATE_WINDOW_FRACTION,
  rateVolatility,
  updateEstimates,
  updateMargin,
  volatilityMargin,
  type Estimates,
} from './estimates.ts';
import { dur, num } from './format.ts';
import { describeSizing, sizeForWait, waitBudgetSec, type Sizing } from './sizing.ts';
import type { DecisionWithState, Observation, Policy, PolicySpec, WaitTarget } from './types.ts';

/** The `target-latency` entry of `PolicySpec`. */
export type TargetLatencySpec = Extract<PolicySpec, { kind: 'target-latency' }>;

/** Volatilities added to λ before sizing, until the margin controller has seen waits. */
export const VOLATILITY_MARGIN = INITIAL_MARGIN;

/** What target-latency remembers between calls (plain JSON). */
export interface TargetLatencyState {
  estimates: Estimates;
}

/** What one observation tells about the pool's need (shared with `predictive`). */
export interface WaitAssessment {
  estimates: Estimates;
  /** Estimated arrivals per second, when known. */
  rate?: number;
  /** The rate's volatility beyond counting noise, arrivals/s (0 when unknown). */
  volatility: number;
  /** The volatility margin k (volatilities added to the rate). */
  margin: number;
  /** The rate sized for: rate + margin × volatility, when known. */
  sizingRate?: number;
  /** Mean service time, s, when known. */
  serviceSec?: number;
  /** Where S came from. */
  serviceSource: 'plan' | 'measured';
  /** Jobs waiting now (0 when not reported). */
  queueLength: number;
  /** The sizing at `rate`, when both λ and S are known. */
  sizing?: Sizing;
  /** The sizing's replicas after the backtest pool (see `backtest.ts`), with the sizing. */
  backtest?: Backtest;
  /** Why there is no sizing, when there is none. */
  missing?: string;
}

/** Updates the estimates with one observation and sizes the pool if λ and S are known. */
export function assessWait(
  slo: WaitTarget,
  serviceTimeSec: number | undefined,
  observation: Observation,
  estimates: Estimates,
  now: number,
): WaitAssessment {
  const budgetSec = waitBudgetSec(slo);
  const next = updateMargin(
    updateEstimates(estimates, observation, now, RATE_WINDOW_FRACTION * budgetSec),
    observation,
    estimates.at,
    budgetSec,
  );
  const queueLength = Math.max(0, observation.queueLength ?? 0);
  const serviceSec = serviceTimeSec ?? estimatedServiceSec(next);
  const serviceSource = serviceTimeSec !== undefined ? 'plan' : 'measured';
  const volatility = rateVolatility(next);
  const margin = volatilityMargin(next);
  const base = { estimates: next, serviceSource, queueLength, volatility, margin } as const;
  if (!observation.ok) return { ...base, missing: 'metrics unavailable' };
  if (serviceSec === undefined) {
    return {
      ...base,
      missing: 'no completion seen yet, so the service time is unknown',
    };
  }
  if (next.rate === null) return { ...base, serviceSec, missing: 'no arrival rate seen yet' };
  const sizingRate = next.rate + margin * volatility;
  const sizing = sizeForWait(sizingRate, serviceSec, slo, queueLength);
  const backtest = applyBacktest(sizing.replicas, next.history ?? [], serviceSec, slo, queueLength);
  return { ...base, rate: next.rate, sizingRate, serviceSec, sizing, backtest };
}

/**
 * `λ 2.4/s, S 3.1s (measured)`; `λ 2.4/s (samples over 1m)` when the rate sample spans more than
 * one call; and `; sized at λ 2.9/s (+1.4 × volatility 0.35/s)` with a margin.
 */
export function describeRates(a: WaitAssessment): string {
  const calls = a.estimates.calls?.length ?? 0;
  const span = a.estimates.windowSec ?? 0;
  const over = calls > 1 && span > 0 ? ` (samples over ${dur(Math.round(span) * 1000)})` : '';
  const rate = a.rate === undefined ? 'λ ?' : `λ ${num(a.rate)}/s${over}`;
  const s = a.serviceSec === undefined ? 'S ?' : `S ${num(a.serviceSec)}s (${a.serviceSource})`;
  const margin =
    a.sizingRate !== undefined && a.volatility > 0 && a.margin > 0
      ? `; sized at λ ${num(a.sizingRate)}/s (+${num(a.margin, 2)} × volatility ${num(a.volatility)}/s)`
      : '';
  return `${rate}, ${s}${margin}`;
}

/** Creates the target-latency policy. */
export function createTargetLatencyPolicy(spec: TargetLatencySpec): Policy<TargetLatencyState> {
  if (spec.serviceTimeSec !== undefined && !(spec.serviceTimeSec > 0)) {
    throw new Error('target-latency: serviceTimeSec must be > 0');
  }
  return {
    name: 'target-latency',
    initialState: () => ({ estimates: emptyEstimates() }),
    decide(observation, state, now): DecisionWithState<TargetLatencyState> {
      const a = assessWait(spec.slo, spec.serviceTimeSec, observation, state.estimates, now);
      const current = observation.currentReplicas;
      const next = { estimates: a.estimates };
      if (a.sizing === undefined) {
        return {
          replicas: current,
          reason: `target-latency: ${a.missing ?? 'cannot size'}; keep ${current}`,
          state: next,
        };
      }
      const replicas = a.backtest?.replicas ?? a.sizing.replicas;
      return {
        replicas,
        reason: `target-latency: ${describeRates(a)}; ${describeSizing(a.sizing, spec.slo, a.queueLength)}${a.backtest?.note ?? ''} → ${replicas}`,
        state: next,
      };
    },
  };
}
