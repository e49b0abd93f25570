/**
 * The breakpoint search: the highest arrival rate at which every criterion holds, found one
 * constant-rate step at a time (k6's breakpoint test, but stopping and answering by itself).
 * Pure: the runner holds each step, measures it and feeds the measurement back; time is the
 * `elapsedMs` it passes.
 *
 * - Rising: steps of `stepMs` from `startRate`, each `growth` times the last, until one fails
 *   or `maxRate` holds.
 * - A step fails when a threshold fails on the step's own view, when completions fall below
 *   95 % of the offered rate (by more than one iteration, so a short step at a low rate is not
 *   failed by rounding), or when more than 1 % of the offered iterations were dropped because
 *   `maxVUs` were in flight. Without an untagged threshold on `http_req_failed`, the default
 *   `http_req_failed: rate<0.01` applies.
 * - Noise: a failure while rising is confirmed by holding the same rate once more
 *   after a drain pause; if the retry holds, the failure is taken for noise (a GC pause, a
 *   cold cache) and the ramp goes on. Only rising failures are confirmed: they fix the order
 *   of magnitude of the answer, while a noisy failure during refinement moves it by less than
 *   one growth step.
 * - Refining: bisection between the highest rate that held and the lowest that failed, each
 *   step after a drain pause, until (failed − held) / held ≤ `resolution` or the rates, rounded
 *   (integers above 10/s), cannot be split.
 * - Bounds: it never offers more than `maxRate` and never starts a step that would end past
 *   `maxDurationMs`.
 */
import { HeadroomError } from '../errors.ts';
import { formatCount, round } from '../report/format.ts';
import {
  evaluateThresholds,
  formatThreshold,
  formatThresholdValue,
  parseThresholdArg,
} from './thresholds.ts';
import type {
  BreakpointMove,
  BreakpointSearch,
  BreakpointSpec,
  StepMeasurement,
  Threshold,
} from './types.ts';

/** Pause before a confirming or refining step, ms: the backlog of a failed step drains first. */
export const DRAIN_PAUSE_MS = 2000;

/** Share of the offered rate a step's completions must reach (0..1). */
export const MIN_ACHIEVED_SHARE = 0.95;

/** Share of a step's offered iterations that may be dropped (0..1). */
export const MAX_DROPPED_SHARE = 0.01;

/** The threshold a search applies when none is set on `http_req_failed` as a whole. */
export const DEFAULT_FAILED_THRESHOLD = 'http_req_failed: rate<0.01';

/** What a search says a rate is in, in its reasons (`req/s`; a queue search says `jobs/s`). */
export interface BreakpointOptions {
  /** Unit of rates in reasons. */
  unit?: string;
}

/** One step's verdict: whether every criterion held, and each one that did not. */
export interface StepVerdict {
  /** Rate offered, per second. */
  offered: number;
  /** True when every criterion held. */
  ok: boolean;
  /** The criteria that failed, joined with "; ". */
  reason?: string;
}

/** A rate rounded to what a person would offer: integers from 10/s, tenths from 1/s, else two significant digits (per second). */
export function roundRate(ratePerS: number): number {
  if (ratePerS >= 10) return Math.round(ratePerS);
  if (ratePerS >= 1) return Math.round(ratePerS * 10) / 10;
  return Number(ratePerS.toPrecision(2));
}

/** The thresholds a search judges steps on: the given ones, plus the default on `http_req_failed` when none is set. */
export function searchThresholds(thresholds: readonly Threshold[]): Threshold[] {
  const guarded = thresholds.some(
    (t) => t.metric === 'http_req_failed' && Object.keys(t.tags).length === 0,
  );
  return guarded
    ? [...thresholds]
    : [...thresholds, parseThresholdArg(DEFAULT_FAILED_THRESHOLD, 'breakpoint default')];
}

/** Judges one step on its own measurements: thresholds, throughput that follows the offered rate, drops. */
export function judgeStep(
  step: StepMeasurement,
  thresholds: readonly Threshold[],
  options: { maxVUs: number; stepMs: number; unit?: string },
): StepVerdict {
  const unit = options.unit ?? 'req/s';
  const rate = `${formatCount(round(step.offered))} ${unit}`;
  const reasons: string[] = [];
  evaluateThresholds(thresholds, step.view).forEach((r, i) => {
    const t = thresholds[i]!;
    if (!r.ok) {
      reasons.push(`${formatThreshold(t)} failed at ${rate} (${formatThresholdValue(t, r.value)})`);
    }
  });
  const durationS = step.view.durationS > 0 ? step.view.durationS : options.stepMs / 1000;
  const shortfall = (step.offered - step.achieved) * durationS;
  if (step.achieved < MIN_ACHIEVED_SHARE * step.offered && shortfall > 1) {
    reasons.push(
      `throughput no longer follows the offered rate: ${formatCount(round(step.achieved))} ${unit} of ${formatCount(round(step.offered))} offered`,
    );
  }
  const offeredIterations = step.offered * durationS;
  if (step.view.dropped > MAX_DROPPED_SHARE * offeredIterations) {
    reasons.push(
      `${formatCount(step.view.dropped)} of ${formatCount(Math.round(offeredIterations))} ${unit === 'req/s' ? 'requests' : 'iterations'} were dropped at ${rate}: ${formatCount(options.maxVUs)} in flight (maxVUs)`,
    );
  }
  return reasons.length === 0
    ? { offered: step.offered, ok: true }
    : { offered: step.offered, ok: false, reason: reasons.join('; ') };
}

type Phase = 'rising' | 'confirming' | 'refining';

/** Starts a breakpoint search (see the module comment); the runner runs each step it asks for. */
export function createBreakpointSearch(
  spec: BreakpointSpec,
  thresholds: Threshold[],
  options: BreakpointOptions = {},
): BreakpointSearch {
  validateSpec(spec);
  return new Search(spec, searchThresholds(thresholds), options.unit ?? 'req/s');
}

class Search implements BreakpointSearch {
  private readonly steps: StepVerdict[] = [];
  private phase: Phase = 'rising';
  /** Highest rate that held, per second. */
  private held: number | undefined;
  /** Lowest rate that failed (confirmed), per second, and why. */
  private failed: { rate: number; reason: string } | undefined;
  /** Why the rising step now being retried failed. */
  private unconfirmed: string | undefined;
  private finished: BreakpointMove | undefined;

  constructor(
    private readonly spec: BreakpointSpec,
    private readonly thresholds: Threshold[],
    private readonly unit: string,
  ) {}

  first(): BreakpointMove {
    return this.finished ?? this.step(this.offer(this.spec.startRate), 0, 0);
  }

  next(measured: StepMeasurement, elapsedMs: number): BreakpointMove {
    if (this.finished) return this.finished;
    const { maxVUs, stepMs } = this.spec;
    const verdict = judgeStep(measured, this.thresholds, { maxVUs, stepMs, unit: this.unit });
    this.steps.push(verdict);
    const rate = measured.offered;
    if (verdict.ok) {
      this.held = Math.max(this.held ?? 0, rate);
      if (this.phase === 'refining') return this.refine(elapsedMs);
      this.phase = 'rising';
      this.unconfirmed = undefined;
      return this.rise(rate, elapsedMs);
    }
    if (this.phase === 'rising') {
      this.phase = 'confirming';
      this.unconfirmed = verdict.reason;
      return this.step(rate, DRAIN_PAUSE_MS, elapsedMs);
    }
    this.phase = 'refining';
    if (!this.failed || rate < this.failed.rate) this.failed = { rate, reason: verdict.reason! };
    return this.refine(elapsedMs);
  }

  verdicts(): StepVerdict[] {
    return this.steps.map((v) => ({ ...v }));
  }

  /** A rate as offered: rounded, never above maxRate. */
  private offer(ratePerS: number): number {
    return Math.min(roundRate(ratePerS), this.spec.maxRate);
  }

  private done(rate: number, reason: string): BreakpointMove {
    return (this.finished = { kind: 'done', rate, reason });
  }

  /** A step at `rate`, unless it would end past maxDuration. */
  private step(rate: number, pauseMs: number, elapsedMs: number): BreakpointMove {
    const { stepMs, maxDurationMs } = this.spec;
    if (elapsedMs + pauseMs + stepMs <= maxDurationMs) return { kind: 'step', rate, pauseMs };
    const limit = `its maximum duration (${formatCount(round(maxDurationMs / 1000))} s)`;
    const why = this.failed
      ? `the search reached ${limit} while refining; above it, ${this.failed.reason}`
      : this.unconfirmed !== undefined
        ? `the search reached ${limit} before it could confirm a failure: ${this.unconfirmed}`
        : `the search reached ${limit} before a step failed`;
    return this.done(this.held ?? 0, why);
  }

  private rise(from: number, elapsedMs: number): BreakpointMove {
    const { maxRate, growth } = this.spec;
    if (from >= maxRate) {
      const allowed = formatCount(round(maxRate));
      return this.done(from, `reached the highest rate allowed, ${allowed}/s, without failing`);
    }
    return this.step(this.offer(Math.max(from * growth, nextUp(from))), 0, elapsedMs);
  }

  private refine(elapsedMs: number): BreakpointMove {
    const { rate: failedRate, reason } = this.failed!;
    const held = this.held;
    if (held === undefined) return this.done(0, `even the first step failed: ${reason}`);
    if ((failedRate - held) / held <= this.spec.resolution) return this.done(held, reason);
    const mid = roundRate((held + failedRate) / 2);
    if (mid <= held || mid >= failedRate) return this.done(held, reason);
    return this.step(mid, DRAIN_PAUSE_MS, elapsedMs);
  }
}

/** The next rate above `rate` once rounded (so growth close to 1 still moves). */
function nextUp(rate: number): number {
  const step = rate >= 10 ? 1 : rate >= 1 ? 0.1 : 10 ** (Math.floor(Math.log10(rate)) - 1);
  return roundRate(rate + step);
}

function validateSpec(spec: BreakpointSpec): void {
  const checks: [keyof BreakpointSpec, boolean, string][] = [
    ['startRate', spec.startRate > 0, 'a rate above 0 per second'],
    ['maxRate', spec.maxRate > 0, 'a rate above 0 per second'],
    ['stepMs', spec.stepMs > 0, 'a duration above 0'],
    ['growth', spec.growth > 1, 'a factor above 1 (1.5 = +50 % a step)'],
    ['resolution', spec.resolution > 0, 'a fraction above 0 (0.05 = within 5 %)'],
    ['maxDurationMs', spec.maxDurationMs > 0, 'a duration above 0'],
  ];
  for (const [field, ok, want] of checks) {
    if (!ok || !Number.isFinite(spec[field])) {
      throw new HeadroomError(
        'LOADTEST_CONFIG',
        `breakpoint ${field} ${spec[field]} is not ${want}`,
        {
          path: `breakpoint.${field}`,
          hint: `set ${field} to ${want}`,
        },
      );
    }
  }
}
