/**
 * When iterations start, with k6's semantics, as pure functions of the executor's settings.
 *
 * - Arrival rate (`constant-arrival-rate`, `ramping-arrival-rate`): the rate is piecewise linear
 *   in time (constant, or linear between stage targets, per `timeUnitMs`); iteration i (0-based)
 *   starts when the rate's integral reaches i, so iteration 0 starts at 0 and a constant 100/s
 *   over 1 s starts exactly 100. Within a stage the rate is `a + b·τ`, whose integral
 *   `a·τ + b·τ²/2 = k` inverts to `τ = 2k / (a + √(a² + 2bk))` — stable for b = 0 and b < 0, so
 *   each iteration costs O(1).
 * - Ramping VUs: the VU target at time t is the linear interpolation between stage targets,
 *   changing in whole VUs as k6 does (one VU every `duration / |Δ|`: rounded toward the value the
 *   stage starts from).
 */
import type { ExecutorSpec, Stage } from './types.ts';

/** Slack on iteration counts against floating-point error (100/s × 1 s is 100, never 100.0000001). */
const COUNT_EPSILON = 1e-9;

/** One segment of a piecewise-linear arrival rate: from `startPerMs` to `endPerMs` over `durationMs`. */
export interface RateSegment {
  /** Length, ms. */
  durationMs: number;
  /** Rate at its start, iterations per ms. */
  startPerMs: number;
  /** Rate at its end, iterations per ms. */
  endPerMs: number;
}

/** The segments of an arrival-rate executor (one for a constant rate); rates per `timeUnitMs`. */
export function rateSegments(
  startRate: number,
  stages: readonly Stage[],
  timeUnitMs: number,
): RateSegment[] {
  let from = startRate / timeUnitMs;
  return stages.map((s) => {
    const to = s.target / timeUnitMs;
    const segment = { durationMs: s.durationMs, startPerMs: from, endPerMs: to };
    from = to;
    return segment;
  });
}

/** Iterations a segment starts (its rate's integral). */
export function segmentIterations(s: RateSegment): number {
  return ((s.startPerMs + s.endPerMs) / 2) * s.durationMs;
}

/**
 * The start times of an arrival-rate executor's iterations, one after the other: each `next()`
 * is O(1) amortised (it moves past a stage at most once) and allocates nothing.
 */
export class ArrivalSchedule {
  private readonly segments: readonly RateSegment[];
  private readonly counts: readonly number[];
  private current = 0;
  /** Iterations before the current stage (the integral up to its start). */
  private doneBefore = 0;
  /** Start of the current stage, ms. */
  private stageStartMs = 0;
  private index = 0;

  constructor(segments: readonly RateSegment[]) {
    this.segments = segments;
    this.counts = segments.map(segmentIterations);
  }

  /** Total length, ms. */
  get durationMs(): number {
    return totalDurationMs(this.segments);
  }

  /** The stage of the iteration `next()` returned last (0-based). */
  get stage(): number {
    return this.current;
  }

  /** The next iteration's intended start, ms since the executor began; undefined when it is over. */
  next(): number | undefined {
    const k0 = this.index;
    for (;;) {
      const segment = this.segments[this.current];
      if (segment === undefined) return undefined;
      const k = k0 - this.doneBefore;
      if (k < this.counts[this.current]! - COUNT_EPSILON) {
        this.index++;
        return this.stageStartMs + offsetOf(segment, k);
      }
      this.doneBefore += this.counts[this.current]!;
      this.stageStartMs += segment.durationMs;
      this.current++;
    }
  }
}

/** Time into a segment at which its rate's integral reaches `k` iterations, ms. */
function offsetOf(s: RateSegment, k: number): number {
  if (k <= 0) return 0;
  const a = s.startPerMs;
  const b = (s.endPerMs - s.startPerMs) / s.durationMs;
  const offset = (2 * k) / (a + Math.sqrt(Math.max(0, a * a + 2 * b * k)));
  return Math.min(offset, s.durationMs);
}

/** Where a time falls in a list of stages: the stage index (stages.length past the end) and its start, ms. */
export function stageAt(
  stages: readonly { durationMs: number }[],
  tMs: number,
): { index: number; startMs: number } {
  let startMs = 0;
  for (let i = 0; i < stages.length; i++) {
    const end = startMs + stages[i]!.durationMs;
    if (tMs < end) return { index: i, startMs };
    startMs = end;
  }
  return { index: stages.length, startMs };
}

/** The ramping-vus target at `tMs` since the start: whole VUs, linear between stages as k6 steps them. */
export function vusAt(startVUs: number, stages: readonly Stage[], tMs: number): number {
  let from = startVUs;
  let startMs = 0;
  for (const stage of stages) {
    const to = stage.target;
    if (tMs < startMs + stage.durationMs) {
      const linear = from + ((to - from) * (tMs - startMs)) / stage.durationMs;
      return to >= from ? Math.floor(linear + COUNT_EPSILON) : Math.ceil(linear - COUNT_EPSILON);
    }
    from = to;
    startMs += stage.durationMs;
  }
  return from;
}

/** Length of a list of stages, ms. */
export function totalDurationMs(stages: readonly { durationMs: number }[]): number {
  return stages.reduce((sum, s) => sum + s.durationMs, 0);
}

/** The arrival rate at `tMs` into a list of segments, iterations per ms (0 past the end). */
export function rateAt(segments: readonly RateSegment[], tMs: number): number {
  let startMs = 0;
  for (const s of segments) {
    if (tMs < startMs + s.durationMs) {
      return s.startPerMs + ((s.endPerMs - s.startPerMs) * (tMs - startMs)) / s.durationMs;
    }
    startMs += s.durationMs;
  }
  return 0;
}

/** End of each stage from the start, ms. */
export function cumulativeEnds(stages: readonly { durationMs: number }[]): number[] {
  let sum = 0;
  return stages.map((s) => (sum += s.durationMs));
}

/** What an executor runs: its rate segments (arrival rate), iterations in flight allowed, each stage's aim and its length, ms. */
export interface ExecutorPlan {
  /** Arrival-rate executors: the rate, stage by stage. */
  segments?: RateSegment[];
  /** Arrival-rate executors: iterations in flight before one is dropped. */
  maxVUs: number;
  /** Each stage's target: per second, or VUs. */
  aims: { target: number; targetKind: 'vus' | 'rate' }[];
  /** Length, ms. */
  totalMs: number;
}

/** The plan of an executor (rates per second in `aims`, whatever its time unit). */
export function executorPlan(spec: ExecutorSpec): ExecutorPlan {
  switch (spec.executor) {
    case 'constant-arrival-rate':
    case 'ramping-arrival-rate': {
      const stages =
        spec.executor === 'constant-arrival-rate'
          ? [{ durationMs: spec.durationMs, target: spec.rate }]
          : spec.stages;
      const start = spec.executor === 'constant-arrival-rate' ? spec.rate : spec.startRate;
      const segments = rateSegments(start, stages, spec.timeUnitMs);
      const aims = segments.map((s) => ({
        target: s.endPerMs * 1000,
        targetKind: 'rate' as const,
      }));
      return { segments, maxVUs: spec.maxVUs, aims, totalMs: totalDurationMs(segments) };
    }
    case 'constant-vus':
      return {
        maxVUs: spec.vus,
        aims: [{ target: spec.vus, targetKind: 'vus' }],
        totalMs: spec.durationMs,
      };
    case 'ramping-vus': {
      const aims = spec.stages.map((s) => ({ target: s.target, targetKind: 'vus' as const }));
      return { maxVUs: 0, aims, totalMs: totalDurationMs(spec.stages) };
    }
  }
}
