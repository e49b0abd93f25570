/**
 * Running estimates for the wait-objective policies, kept in plain JSON state:
 *
 * - the rate sample: the mean arrival rate over the last calls that together span at least half
 *   the objective's wait budget (`RATE_WINDOW_FRACTION`), or over the last call alone when that
 *   call already spans it (a budget of 30 s or less at 15 s calls). The sizing needs the rate a
 *   burst is sustained at over a window comparable to the budget, not its peak: jobs that arrive
 *   within one second and are served within half the budget call for no new workers, yet a
 *   15 s sample counts 67 of them as 4.5/s and a fast-rising λ would size the pool for that.
 *   A surge that persists fills the window within half the budget. Everything below (the rise
 *   test, the counting noise, the volatility) is computed on this sample and its window w;
 * - the arrival rate λ, an exponentially weighted mean of the rate samples with a time
 *   constant of 2 min, except that a *significant* rise is followed fast (10 s: a 15 s interval
 *   takes 78 % of it). A rise is significant when the sample is more than 4 standard deviations
 *   of counting noise above the estimate: sample > λ + 4·√(max(λ, 1/w) / w), w the sample's
 *   window in seconds (the time since the previous call when the budget is short). So a surge
 *   is caught at once while the Poisson noise of a short window (±60 % at 3 arrivals per 15 s)
 *   is averaged away instead of being ridden on its upper envelope;
 * - the rate's volatility beyond counting noise: an exponentially weighted mean (10 min, from 0)
 *   of the squared deviation of each sample from the estimate, each deviation capped at 4 times
 *   the larger of the current spread and the counting noise, so one burst or the first step
 *   does not inflate it for ten minutes, minus the Poisson variance of a sample, λ / w:
 *   volatility = √max(0, spread² − λ / w). Poisson traffic has about none;
 *   traffic that jumps within minutes has some, and the policies keep headroom for it;
 * - the calls of the last 10 minutes (their rates and spans), for the backtest pool of
 *   `backtest.ts`;
 * - the mean service time S, from Little's law on the workers: busy workers = completions × S,
 *   so S = mean(inService) / mean(completionRatePerSec), each a 1-minute weighted mean (the
 *   ratio of means is steadier than a mean of ratios, and a sample with no completion still
 *   counts).
 *
 * - the volatility margin k (how many volatilities the policies add to λ), an error-budget
 *   controller on the observed waits: it starts at 1.4 and, whenever the observation reports
 *   the age of the oldest waiting job, moves by time: up while that job has waited more than
 *   half the objective's wait budget ("late"), down otherwise, at rates whose balance is
 *   reached when 2 % of the time is late (down 0.06 per hour, up 49 times as fast), within
 *   [0, 3]. Traffic that stays well within the objective sheds the margin over hours (an
 *   objective met in 99 % of minutes does not need it met in every one); traffic that keeps
 *   jobs waiting earns it back. Without `oldestWaitSec` the margin stays at 1.4.
 *
 * The weights depend on the time since the previous sample (α = 1 − e^(−Δt/τ)), so irregular
 * calls are handled.
 */
import type { Observation } from './types.ts';

/** The backtest looks back this far, s (see `backtest.ts`). */
export const BACKTEST_HORIZON_SEC = 600;
/** At most this many calls are kept for the backtest. */
export const MAX_HORIZON_CALLS = 480;
/** The rate sample spans at least this fraction of the objective's wait budget. */
export const RATE_WINDOW_FRACTION = 0.5;
/** At most this many calls are kept for the rate sample's window. */
export const MAX_WINDOW_CALLS = 240;
/** Time constant for a significant rise of the arrival rate, ms. */
export const RATE_RISE_TAU_MS = 10_000;
/** Time constant for the arrival rate otherwise (falls, and rises within the noise), ms. */
export const RATE_FALL_TAU_MS = 120_000;
/** A rise is significant above this many standard deviations of counting noise. */
export const RISE_SIGNIFICANCE = 4;
/** Time constant for the rate's spread (volatility), ms. */
export const VOLATILITY_TAU_MS = 600_000;
/** A sample's deviation counts at most this many times the current spread. */
export const VOLATILITY_CAP = 4;
/** Time constant for the busy-worker and completion means, ms. */
export const SERVICE_TAU_MS = 60_000;
/** The volatility margin before any wait has been seen, in volatilities. */
export const INITIAL_MARGIN = 1.4;
/** The volatility margin's bounds. */
export const MIN_MARGIN = 0;
export const MAX_MARGIN = 3;
/** A job is late when it has waited more than this fraction of the wait budget. */
export const LATE_FRACTION = 0.5;
/** The share of time the margin controller lets be late (its balance point). */
export const LATE_TARGET = 0.02;
/** How fast the margin falls while nothing is late, per hour. */
export const MARGIN_FALL_PER_HOUR = 0.06;
/** How fast it rises while something is late, per hour: balanced at `LATE_TARGET`. */
export const MARGIN_RISE_PER_HOUR = (MARGIN_FALL_PER_HOUR * (1 - LATE_TARGET)) / LATE_TARGET;

/** The estimates between calls (null until a sample is seen). */
export interface Estimates {
  /** Arrivals per second. */
  rate: number | null;
  /** Mean busy workers. */
  busy: number | null;
  /** Mean completions per second. */
  completions: number | null;
  /** Epoch ms of the last update. */
  at: number | null;
  /** Mean squared deviation of the rate samples from the estimate, (arrivals/s)². */
  spread?: number | null;
  /** The window of the last rate sample, s (the calls it spans; see `RATE_WINDOW_FRACTION`). */
  windowSec?: number | null;
  /** The volatility margin k, in volatilities (absent: `INITIAL_MARGIN`). */
  margin?: number;
  /**
   * The calls the rate sample's window is made of, oldest first: each call's arrival rate and
   * the seconds it covers (absent: none yet).
   */
  calls?: RateCall[];
  /**
   * The calls of the last `BACKTEST_HORIZON_SEC` (at most `MAX_HORIZON_CALLS`), oldest first,
   * for the backtest pool (see `backtest.ts`; absent: none yet).
   */
  history?: RateCall[];
}

/** One call's arrival rate and the seconds since the call before it. */
export interface RateCall {
  rate: number;
  sec: number;
}

/** Estimates before any sample. */
export function emptyEstimates(): Estimates {
  return { rate: null, busy: null, completions: null, at: null, spread: null, windowSec: null };
}

function blend(previous: number | null, sample: number, dtMs: number, tauMs: number): number {
  if (previous === null) return sample;
  if (!(dtMs > 0)) return previous;
  const alpha = 1 - Math.exp(-dtMs / tauMs);
  return previous + alpha * (sample - previous);
}

function usable(x: number | undefined): x is number {
  return typeof x === 'number' && Number.isFinite(x) && x >= 0;
}

/**
 * The calls that make the rate sample's window: `latest` and as many earlier ones as it takes
 * to span `windowSec` (at most `maxCalls`, by default `MAX_WINDOW_CALLS`).
 */
export function windowCalls(
  earlier: readonly RateCall[],
  latest: RateCall,
  windowSec: number,
  maxCalls = MAX_WINDOW_CALLS,
): RateCall[] {
  const kept: RateCall[] = [latest];
  let total = latest.sec;
  for (let i = earlier.length - 1; i >= 0; i--) {
    if (total >= windowSec - 1e-9 || kept.length >= maxCalls) break;
    kept.push(earlier[i]!);
    total += earlier[i]!.sec;
  }
  return kept.reverse();
}

/**
 * The estimates after one observation at `now` (unchanged when the read failed). `windowSec` is
 * the least span of the rate sample (0: the last call alone).
 */
export function updateEstimates(
  e: Estimates,
  observation: Observation,
  now: number,
  windowSec = 0,
): Estimates {
  if (!observation.ok) return e;
  const dt = e.at === null ? 0 : now - e.at;
  let rate = e.rate;
  let spread = e.spread ?? null;
  let sampleSec = e.windowSec ?? null;
  let calls = e.calls;
  let history = e.history;
  const sample = observation.arrivalRatePerSec;
  if (usable(sample)) {
    if (rate !== null && dt > 0) {
      calls = windowCalls(e.calls ?? [], { rate: sample, sec: dt / 1000 }, windowSec);
      history = windowCalls(
        e.history ?? [],
        { rate: sample, sec: dt / 1000 },
        BACKTEST_HORIZON_SEC,
        MAX_HORIZON_CALLS,
      );
      let arrivals = 0;
      let w = 0;
      for (const c of calls) {
        arrivals += c.rate * c.sec;
        w += c.sec;
      }
      const a = arrivals / w;
      const noise = Math.sqrt(Math.max(rate, 1 / w) / w);
      const deviation = a - rate;
      const cap = VOLATILITY_CAP ** 2 * Math.max(spread ?? 0, rate / w);
      spread = blend(spread ?? 0, Math.min(cap, deviation * deviation), dt, VOLATILITY_TAU_MS);
      sampleSec = w;
      const significant = a > rate + RISE_SIGNIFICANCE * noise;
      rate = blend(rate, a, dt, significant ? RATE_RISE_TAU_MS : RATE_FALL_TAU_MS);
    } else {
      rate = blend(rate, sample, dt, RATE_FALL_TAU_MS);
    }
  }
  let { busy, completions } = e;
  const b = observation.inService;
  const c = observation.completionRatePerSec;
  if (usable(b) && usable(c)) {
    busy = blend(busy, b, dt, SERVICE_TAU_MS);
    completions = blend(completions, c, dt, SERVICE_TAU_MS);
  }
  const out: Estimates = { rate, busy, completions, at: now, spread, windowSec: sampleSec };
  if (e.margin !== undefined) out.margin = e.margin;
  if (calls !== undefined) out.calls = calls;
  if (history !== undefined) out.history = history;
  return out;
}

/** The volatility margin k of the estimates, in volatilities. */
export function volatilityMargin(e: Estimates): number {
  return e.margin ?? INITIAL_MARGIN;
}

/**
 * The estimates with the margin moved for the time since `previousAt` (the error-budget
 * controller in the module doc): up while the oldest waiting job has waited more than
 * `LATE_FRACTION` of `budgetSec`, down otherwise; unchanged without `oldestWaitSec`.
 */
export function updateMargin(
  e: Estimates,
  observation: Observation,
  previousAt: number | null,
  budgetSec: number,
): Estimates {
  const oldest = observation.oldestWaitSec;
  if (!observation.ok || !usable(oldest) || previousAt === null || e.at === null) return e;
  const hours = Math.max(0, e.at - previousAt) / 3_600_000;
  if (!(hours > 0)) return e;
  const late = oldest > LATE_FRACTION * budgetSec;
  const k = volatilityMargin(e) + (late ? MARGIN_RISE_PER_HOUR : -MARGIN_FALL_PER_HOUR) * hours;
  return { ...e, margin: Math.min(MAX_MARGIN, Math.max(MIN_MARGIN, k)) };
}

/** S = mean busy / mean completions, seconds; undefined before a completion and a busy worker. */
export function estimatedServiceSec(e: Estimates): number | undefined {
  if (e.busy === null || e.completions === null) return undefined;
  if (!(e.completions > 0) || !(e.busy > 0)) return undefined;
  return e.busy / e.completions;
}

/**
 * The rate's volatility beyond counting noise, arrivals/s: √max(0, spread − λ / w); 0 before
 * two rate samples.
 */
export function rateVolatility(e: Estimates): number {
  const { rate, spread, windowSec } = e;
  if (rate === null || spread === null || spread === undefined) return 0;
  if (windowSec === null || windowSec === undefined || !(windowSec > 0)) return 0;
  return Math.sqrt(Math.max(0, spread - rate / windowSec));
}
