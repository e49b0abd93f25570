/**
 * Running estimates for the wait-objective policies, kept in plain JSON state:
 *
 * - the arrival rate λ, an exponentially weighted mean of `arrivalRatePerSec` that follows
 *   rises fast (time constant 10 s: a 15 s interval takes 78 % of a rise) and falls slowly
 *   (2 min: 12 % of a fall per 15 s), since under-estimating λ costs the objective and
 *   over-estimating it costs only a few replica-minutes;
 * - the mean service time S, from Little's law on the workers: busy workers = completions × S,
 *   so S = mean(inService) / mean(completionRatePerSec), each a 1-minute weighted mean (the
 *   ratio of means is steadier than a mean of ratios, and a sample with no completion still
 *   counts).
 *
 * The weights depend on the time since the previous sample (α = 1 − e^(−Δt/τ)), so irregular
 * calls are handled.
 */
import type { Observation } from './types.ts';

/** Time constant for a rising arrival rate, ms. */
export const RATE_RISE_TAU_MS = 10_000;
/** Time constant for a falling arrival rate, ms. */
export const RATE_FALL_TAU_MS = 120_000;
/** Time constant for the busy-worker and completion means, ms. */
export const SERVICE_TAU_MS = 60_000;

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
}

/** Estimates before any sample. */
export function emptyEstimates(): Estimates {
  return { rate: null, busy: null, completions: null, at: null };
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

/** The estimates after one observation at `now` (unchanged when the read failed). */
export function updateEstimates(e: Estimates, observation: Observation, now: number): Estimates {
  if (!observation.ok) return e;
  const dt = e.at === null ? 0 : now - e.at;
  let rate = e.rate;
  const a = observation.arrivalRatePerSec;
  if (usable(a)) {
    rate = blend(rate, a, dt, rate !== null && a > rate ? RATE_RISE_TAU_MS : RATE_FALL_TAU_MS);
  }
  let { busy, completions } = e;
  const b = observation.inService;
  const c = observation.completionRatePerSec;
  if (usable(b) && usable(c)) {
    busy = blend(busy, b, dt, SERVICE_TAU_MS);
    completions = blend(completions, c, dt, SERVICE_TAU_MS);
  }
  return { rate, busy, completions, at: now };
}

/** S = mean busy / mean completions, seconds; undefined before a completion and a busy worker. */
export function estimatedServiceSec(e: Estimates): number | undefined {
  if (e.busy === null || e.completions === null) return undefined;
  if (!(e.completions > 0) || !(e.busy > 0)) return undefined;
  return e.busy / e.completions;
}
