/**
 * Runs k6's executors and the breakpoint search against a `Target` and returns the report.
 *
 * - Open loop (arrival rate): one scheduler loop starts every iteration that is due each time
 *   it wakes (it sleeps with a timer to the next start, then yields with `setImmediate` for the
 *   last millisecond, so it is never later than the event loop makes it), on the monotonic
 *   clock; latency runs from the *intended* start, so a slow system cannot slow the load down
 *   and hide its own latency (no coordinated omission). With `maxVUs` in flight, an iteration
 *   is dropped and counted, as k6's `dropped_iterations`.
 * - Closed loop (VUs): each VU loops; a ramp down lets a VU finish its iteration within
 *   `gracefulRampDownMs`, then cuts it (a cut iteration is not measured, as in k6).
 * - Thresholds are judged on the whole run at the end; those with `abortOnFail` every second
 *   (after their `delayAbortEvalMs`, once they have a value), and the first that fails stops it.
 * - The signal (Ctrl-C) stops starting iterations; in-flight ones get `gracefulStopMs` to end,
 *   then are cut, and the partial report says `interrupted`.
 * - A breakpoint search runs one constant-rate step at a time, as `createBreakpointSearch` says,
 *   lets the step's in-flight iterations end (up to 2 s) before judging it, and before the next
 *   step waits for what is still in flight to end, for at most the search's `pauseMs`.
 */
import { createBreakpointSearch } from './breakpoint.ts';
import { RunMetrics } from './metrics.ts';
import {
  ArrivalSchedule,
  cumulativeEnds,
  executorPlan,
  rateAt,
  type RateSegment,
  vusAt,
} from './schedule.ts';
import { assembleReport, breakpointReport, stageSummary } from './summary.ts';
import { evaluateThresholds } from './thresholds.ts';
import type {
  BreakpointMove,
  BreakpointSpec,
  ConstantVusSpec,
  ExecutorSpec,
  IterationOutcome,
  LiveProgress,
  LoadTestReport,
  RampingVusSpec,
  Target,
  Threshold,
} from './types.ts';

/** How a run is driven and watched. */
export interface RunOptions {
  /** Judged at the end (and every second for those with `abortOnFail`). */
  thresholds: Threshold[];
  /** Ctrl-C: stop, let in-flight iterations end, return the partial report. */
  signal?: AbortSignal;
  /** The live line, every 250 ms. */
  onProgress?: (p: LiveProgress) => void;
  /** Scenario name for the report (default `cli`). */
  scenario?: string;
  /** How long in-flight iterations may take to end once the run stops, ms (default 5 s). */
  gracefulStopMs?: number;
  /** Called once at the end with the run's measurements (for breakdowns the report leaves out). */
  onFinish?: (metrics: RunMetrics) => void;
}

/** Default time in-flight iterations get to end when the run stops, ms (k6: 30 s). */
export const DEFAULT_GRACEFUL_STOP_MS = 5000;
/** Longest wait for a breakpoint step's in-flight iterations before it is judged, ms. */
export const STEP_SETTLE_MS = 2000;
const PROGRESS_MS = 250;
const ABORT_EVAL_EVERY = 4; // progress ticks: once a second
const VU_TICK_MS = 10;

/** One virtual user of a closed-loop executor. */
interface Vu {
  readonly controller: AbortController;
  stopping: boolean;
  done: boolean;
  cutTimer?: NodeJS.Timeout;
  loop?: Promise<void>;
}

/** The state of one run: its clock, measurements, stop and drain. */
class Run {
  readonly metrics = new RunMetrics(0);
  stopped: 'interrupted' | 'aborted' | undefined;
  abortedBy: string | undefined;
  /** What the executor aims at now (VUs or per second), for the live line. */
  aim: () => number = () => 0;
  private readonly t0 = performance.now();
  private readonly wall0 = Date.now();
  private readonly hardStop = new AbortController();
  private readonly vus: Vu[] = [];
  private readonly monitor: NodeJS.Timeout;
  private readonly onSignal = (): void => this.stop('interrupted');
  private wakers = new Set<() => void>();
  private ticks = 0;

  constructor(
    private readonly target: Target,
    private readonly options: RunOptions,
    private readonly totalMs: number | undefined,
    judgeAbort: boolean,
  ) {
    const abortable = judgeAbort ? options.thresholds.filter((t) => t.abortOnFail) : [];
    this.monitor = setInterval(() => this.tick(abortable), PROGRESS_MS);
    options.signal?.addEventListener('abort', this.onSignal, { once: true });
    if (options.signal?.aborted) this.stop('interrupted');
  }

  /** The run's clock, ms since it began. */
  now(): number {
    return performance.now() - this.t0;
  }

  /** Epoch ms of a time on the run's clock. */
  wallAt(tMs: number): number {
    return this.wall0 + tMs;
  }

  /** Stops starting iterations. */
  stop(kind: 'interrupted' | 'aborted', by?: string): void {
    if (this.stopped !== undefined) return;
    this.stopped = kind;
    this.abortedBy = by;
    for (const wake of this.wakers) wake();
  }

  /** Runs an arrival-rate phase (a whole executor, or a breakpoint step); resolves its first stage's index. */
  async arrivalPhase(segments: readonly RateSegment[], maxVUs: number): Promise<number> {
    const base = this.metrics.stages.length;
    const startMs = this.now();
    const ends = cumulativeEnds(segments);
    this.metrics.startStage(startMs, this.wallAt(startMs));
    this.aim = () => rateAt(segments, this.now() - startMs) * 1000;
    const schedule = new ArrivalSchedule(segments);
    const signal = this.hardStop.signal;
    let current = 0;
    let next = schedule.next();
    while (this.stopped === undefined) {
      const now = this.now();
      current = this.advanceStages(startMs, ends, current, now);
      while (next !== undefined && startMs + next <= now) {
        const stage = base + schedule.stage;
        if (this.metrics.inFlight >= maxVUs) this.metrics.drop(stage);
        else this.launch(startMs + next, stage, now, signal);
        next = schedule.next();
      }
      const until = startMs + (next ?? ends.at(-1)!);
      if (next === undefined && now >= until) break;
      // Wake at a stage boundary too, so completions after it count in the new stage.
      await this.sleepUntil(Math.min(until, startMs + (ends[current] ?? Infinity)));
    }
    this.endStage();
    return base;
  }

  /** Runs a closed-loop executor. */
  async vuPhase(spec: ConstantVusSpec | RampingVusSpec): Promise<void> {
    const constant = spec.executor === 'constant-vus';
    const stages = constant ? [{ durationMs: spec.durationMs, target: spec.vus }] : spec.stages;
    const startVUs = constant ? spec.vus : spec.startVUs;
    const graceMs = constant ? 0 : spec.gracefulRampDownMs;
    const startMs = this.now();
    const ends = cumulativeEnds(stages);
    const endMs = startMs + ends.at(-1)!;
    this.metrics.startStage(startMs, this.wallAt(startMs));
    let desired = 0;
    this.aim = () => desired;
    let current = 0;
    for (;;) {
      const now = this.now();
      current = this.advanceStages(startMs, ends, current, now);
      if (this.stopped !== undefined || now >= endMs) break;
      const want = vusAt(startVUs, stages, now - startMs);
      this.steer(desired, want, graceMs, endMs);
      desired = want;
      await this.sleepUntil(constant ? endMs : Math.min(endMs, now + VU_TICK_MS));
    }
    this.endStage();
    for (const vu of this.vus) vu.stopping = true;
  }

  /** Waits until nothing is in flight, `limitMs` passes, or (when `untilStop`) the run stops. */
  async drain(limitMs: number, untilStop: boolean): Promise<boolean> {
    const deadline = this.now() + limitMs;
    while (this.metrics.inFlight > 0 && this.now() < deadline) {
      if (untilStop && this.stopped !== undefined) break;
      await this.sleepUntil(Math.min(deadline, this.now() + 5));
    }
    return this.metrics.inFlight === 0;
  }

  /** Ends the run: in-flight iterations get the graceful stop, then are cut. Resolves the end time. */
  async finish(): Promise<number> {
    const stoppedBefore = this.stopped !== undefined;
    const graceMs = this.options.gracefulStopMs ?? DEFAULT_GRACEFUL_STOP_MS;
    if (!(await this.drain(graceMs, !stoppedBefore))) {
      this.hardStop.abort();
      for (const vu of this.vus) vu.controller.abort();
    }
    const endMs = this.now();
    await Promise.all(this.vus.map((vu) => vu.loop));
    await this.drain(1000, false);
    clearInterval(this.monitor);
    this.options.signal?.removeEventListener('abort', this.onSignal);
    this.report(endMs);
    this.options.onFinish?.(this.metrics);
    return endMs;
  }

  private launch(intendedMs: number, stage: number, nowMs: number, signal: AbortSignal): void {
    this.metrics.begin(nowMs);
    this.target.iterate(signal).then(
      (o) => this.ended(intendedMs, stage, o, signal),
      (err: unknown) => this.ended(intendedMs, stage, failure(err), signal),
    );
  }

  private ended(startMs: number, stage: number, o: IterationOutcome, signal: AbortSignal): void {
    const now = this.now();
    if (o.error === 'aborted' && signal.aborted) this.metrics.abandon(now);
    else this.metrics.complete(now, stage, now - startMs, o);
  }

  private async vuLoop(vu: Vu, endMs: number): Promise<void> {
    const signal = vu.controller.signal;
    while (!vu.stopping && this.stopped === undefined && this.now() < endMs) {
      const start = this.now();
      const stage = this.metrics.stages.length - 1;
      this.metrics.begin(start);
      let outcome: IterationOutcome;
      try {
        outcome = await this.target.iterate(signal);
      } catch (err) {
        outcome = failure(err);
      }
      this.ended(start, stage, outcome, signal);
    }
    vu.done = true;
    clearTimeout(vu.cutTimer);
  }

  /** Starts or resumes VUs up to `want`; those above it stop after their iteration, cut after `graceMs`. */
  private steer(had: number, want: number, graceMs: number, endMs: number): void {
    for (let i = had; i < want; i++) {
      const vu = this.vus[i];
      if (vu && !vu.done && !vu.controller.signal.aborted) {
        clearTimeout(vu.cutTimer);
        vu.stopping = false;
        continue;
      }
      const fresh: Vu = { controller: new AbortController(), stopping: false, done: false };
      fresh.loop = this.vuLoop(fresh, endMs);
      this.vus[i] = fresh;
    }
    for (let i = want; i < had; i++) {
      const vu = this.vus[i]!;
      if (vu.stopping || vu.done) continue;
      vu.stopping = true;
      // k6's gracefulRampDown: the iteration under way may end; past that it is cut.
      vu.cutTimer = setTimeout(() => vu.controller.abort(), graceMs);
    }
  }

  private advanceStages(startMs: number, ends: number[], current: number, nowMs: number): number {
    while (current < ends.length - 1 && nowMs >= startMs + ends[current]!) {
      const at = startMs + ends[current]!;
      this.metrics.startStage(at, this.wallAt(at));
      current++;
    }
    return current;
  }

  private endStage(): void {
    const now = this.now();
    this.metrics.endStage(now, this.wallAt(now));
  }

  /** Sleeps to `tMs` on the run's clock: a timer to the last millisecond, then `setImmediate`. */
  private sleepUntil(tMs: number): Promise<void> {
    return new Promise((resolve) => {
      const gapMs = tMs - this.now();
      const done = (): void => {
        clearTimeout(timer);
        this.wakers.delete(done);
        resolve();
      };
      const timer = gapMs >= 1 ? setTimeout(done, Math.floor(gapMs)) : undefined;
      if (timer === undefined) setImmediate(done);
      this.wakers.add(done);
    });
  }

  private tick(abortable: Threshold[]): void {
    this.ticks++;
    const now = this.now();
    this.report(now);
    if (abortable.length === 0 || this.ticks % ABORT_EVAL_EVERY !== 0) return;
    const due = abortable.filter((t) => now >= t.delayAbortEvalMs);
    const failed = evaluateThresholds(due, this.metrics.view(now)).find(
      (r) => r.value !== undefined && !r.ok,
    );
    if (failed) this.stop('aborted', `${failed.metric}: ${failed.expr}`);
  }

  private report(nowMs: number): void {
    if (!this.options.onProgress) return;
    const recent = this.metrics.recent(nowMs);
    this.options.onProgress({
      elapsedMs: nowMs,
      totalMs: this.totalMs,
      rate: recent.rate,
      p95: (recent.p95Ms ?? 0) / 1000,
      failed: this.metrics.failed,
      requests: this.metrics.count,
      inFlight: this.metrics.inFlight,
      target: this.aim(),
    });
  }
}

/** Runs a k6 executor against a target; resolves the report (partial when interrupted). */
export async function runExecutor(
  spec: ExecutorSpec,
  target: Target,
  options: RunOptions,
): Promise<LoadTestReport> {
  const plan = executorPlan(spec);
  const run = new Run(target, options, plan.totalMs, true);
  let endMs: number;
  try {
    if (plan.segments) await run.arrivalPhase(plan.segments, plan.maxVUs);
    else await run.vuPhase(spec as ConstantVusSpec | RampingVusSpec);
  } finally {
    endMs = await run.finish();
  }
  const stages = run.metrics.stages.map((_, i) =>
    stageSummary(run.metrics, i, plan.aims[i] ?? plan.aims.at(-1)!, endMs),
  );
  return assembleReport(run.metrics, {
    scenario: options.scenario ?? 'cli',
    executor: spec.executor,
    target: target.description,
    nowMs: endMs,
    stages,
    thresholds: evaluateThresholds(options.thresholds, run.metrics.view(endMs)),
    interrupted: run.stopped === 'interrupted',
    abortedBy: run.abortedBy,
  });
}

/** Runs a breakpoint search against a target; resolves the report with `breakpoint` and `usl`. */
export async function runBreakpoint(
  spec: BreakpointSpec,
  target: Target,
  options: RunOptions,
): Promise<LoadTestReport> {
  const run = new Run(target, options, undefined, false);
  const search = createBreakpointSearch(spec, options.thresholds);
  const offered: number[] = [];
  let move: BreakpointMove = search.first();
  let endMs: number;
  try {
    while (
      move.kind === 'step' &&
      run.stopped === undefined &&
      run.now() < spec.maxDurationMs + spec.stepMs
    ) {
      if (move.pauseMs > 0) await run.drain(move.pauseMs, true);
      if (run.stopped !== undefined) break;
      const perMs = move.rate / 1000;
      offered.push(move.rate);
      const index = await run.arrivalPhase(
        [{ durationMs: spec.stepMs, startPerMs: perMs, endPerMs: perMs }],
        spec.maxVUs,
      );
      if (run.stopped !== undefined) break;
      await run.drain(STEP_SETTLE_MS, true);
      const now = run.now();
      move = search.next(run.metrics.stepMeasurement(index, move.rate, now), now);
    }
  } finally {
    endMs = await run.finish();
  }
  return breakpointReport(run.metrics, {
    verdicts: search.verdicts(),
    offered,
    move,
    endMs,
    description: target.description,
    scenario: options.scenario ?? 'cli',
    thresholds: options.thresholds,
    interrupted: run.stopped === 'interrupted',
  });
}

function failure(err: unknown): IterationOutcome {
  return { ok: false, name: 'iteration', error: err instanceof Error ? err.name : 'error' };
}
