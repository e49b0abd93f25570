/**
 * `headroom loadtest --queue`: adds jobs to a plan's queue at an open-loop arrival rate against
 * the user's running workers, reads the queue through the plan's source meanwhile, and reports
 * the pool's sustained throughput, per worker.
 *
 * - Arrival-rate executors (`constant-arrival-rate`, `ramping-arrival-rate`) run stage after
 *   stage, each bracketed by queue readings; closed-loop VU executors are refused (how fast a
 *   broker accepts jobs says nothing about the pool).
 * - A breakpoint runs one constant-rate step at a time: the search (`createBreakpointSearch`)
 *   is fed each step's completion rate as `achieved`, so a step fails once the pool no longer
 *   keeps up; before each step the runner waits until the backlog is back where it started.
 * - Pacing is this directory's own (`pace.ts`): each step must sit between two queue readings.
 * - Never a flood: the test stops when the backlog grows past `backlogBound` (10,000 jobs or
 *   60 s of work), and the report says how many jobs it left in the queue.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { HeadroomError } from '../../errors.ts';
import type { Plan } from '../../plan/types.ts';
import { createBreakpointSearch } from '../breakpoint.ts';
import type {
  BreakpointMove,
  BreakpointSpec,
  ExecutorSpec,
  LiveProgress,
  QueueTargetSpec,
  Target,
} from '../types.ts';
import { growthAllowance, QueueMeter, stepFigures } from './meter.ts';
import { Pacer, type PaceSegment } from './pace.ts';
import { queueReport, type QueueLoadTestReport, type QueueStep } from './report.ts';
import { backlogBound, Sampler, type Sampled } from './sampler.ts';
import { percentile, stepView } from './step-view.ts';
import { openQueueTarget } from './target.ts';
import { poolSize, type PoolSize } from './workers.ts';

export type { QueueLoadTestReport } from './report.ts';

/** What `runQueueLoadTest` needs. */
export interface QueueRunArgs {
  /** The plan whose source reads the queue. */
  plan: Plan;
  /** The queue (from `resolveQueueTarget` or a plan scenario). */
  spec: QueueTargetSpec;
  /** An arrival-rate executor, or a breakpoint search. */
  executor: ExecutorSpec | { executor: 'breakpoint'; search: BreakpointSpec };
  /** Workers serving the queue (`--workers`); default: the plan component's replicas. */
  workers?: number;
  /** Stops the test (Ctrl-C); the report is then partial and `interrupted`. */
  signal?: AbortSignal;
  /** The live line, every ~250 ms. */
  onProgress?: (p: LiveProgress) => void;
  /** Scenario name for the report (default `cli`). */
  scenario?: string;
}

/** Longest wait for the backlog to drain before a step, ms. */
export const MAX_DRAIN_MS = 60_000;
/** Longest wait for the backlog to drain after the test, before the report, ms. */
export const FINAL_DRAIN_MS = 15_000;
/** How often the live line is updated, ms. */
const PROGRESS_MS = 250;

/** Runs the test and resolves its report; rejects with the source's or producer's error when the queue cannot be read or reached. */
export async function runQueueLoadTest(args: QueueRunArgs): Promise<QueueLoadTestReport> {
  const segments = args.executor.executor === 'breakpoint' ? undefined : segmentsOf(args.executor);
  const meter = new QueueMeter(args.plan, args.spec);
  let target: Target | undefined;
  try {
    // Read the queue before the producer opens (a BullMQ Queue writes its meta key): a queue
    // that does not exist, or that nobody consumes, is refused before anything is written.
    await checkQueue(args.spec, meter, args.signal ?? new AbortController().signal);
    target = await openQueueTarget(args.plan, args.spec);
    const run = new QueueRun(args, target, meter);
    return await run.execute(segments);
  } finally {
    await target?.close();
    await meter.close();
  }
}

/** Reads the queue once: SOURCE_NOT_FOUND when it does not exist, LOADTEST_CONFIG when no consumer reads it (where the broker tells). */
async function checkQueue(
  spec: QueueTargetSpec,
  meter: QueueMeter,
  signal: AbortSignal,
): Promise<void> {
  const reading = await meter.read(signal);
  if (spec.kind === 'rabbitmq' && reading.consumers === 0) {
    throw new HeadroomError('LOADTEST_CONFIG', `no consumer reads queue "${spec.name}"`, {
      hint: 'start the workers before the load test: it measures them, and never fills a queue nobody reads',
    });
  }
}

/** The executor's stages as pace segments (rates per second); LOADTEST_CONFIG for a VU executor. */
export function segmentsOf(executor: ExecutorSpec): PaceSegment[] {
  switch (executor.executor) {
    case 'constant-arrival-rate': {
      const perS = (executor.rate * 1000) / executor.timeUnitMs;
      return [{ startPerS: perS, endPerS: perS, durationMs: executor.durationMs }];
    }
    case 'ramping-arrival-rate': {
      const perS = (r: number): number => (r * 1000) / executor.timeUnitMs;
      let from = perS(executor.startRate);
      const out: PaceSegment[] = [];
      for (const stage of executor.stages) {
        const to = perS(stage.target);
        if (stage.durationMs > 0)
          out.push({ startPerS: from, endPerS: to, durationMs: stage.durationMs });
        from = to;
      }
      return out;
    }
    default:
      throw new HeadroomError(
        'LOADTEST_CONFIG',
        `a queue is loaded at an arrival rate; ${executor.executor} runs closed-loop virtual users`,
        { hint: 'use constant-arrival-rate, ramping-arrival-rate or a breakpoint with --queue' },
      );
  }
}

/** One run's state. */
class QueueRun {
  private readonly signal: AbortSignal;
  private readonly pacer: Pacer;
  private readonly sampler: Sampler;
  private readonly steps: QueueStep[] = [];
  private readonly startedAt = performance.now();
  private pool: PoolSize = { from: 'unknown' };
  private stepAbort = new AbortController();
  private stoppedBy: string | undefined;
  private totalMs: number | undefined;

  constructor(
    private readonly args: QueueRunArgs,
    private readonly target: Target,
    meter: QueueMeter,
  ) {
    this.signal = args.signal ?? new AbortController().signal;
    const maxVUs =
      'search' in args.executor ? args.executor.search.maxVUs : maxVUsOf(args.executor);
    this.pacer = new Pacer(target, maxVUs);
    this.sampler = new Sampler(
      meter,
      () => this.pacer.totals.added,
      (r) => this.checkBound(r),
    );
  }

  async execute(segments: PaceSegment[] | undefined): Promise<QueueLoadTestReport> {
    const baseline = await this.sampler.read();
    this.pool = await poolSize(
      this.args.plan,
      this.args.spec,
      this.args.workers,
      baseline.consumers,
    );
    this.sampler.start();
    const ticker = this.args.onProgress
      ? setInterval(() => this.progress(), PROGRESS_MS)
      : undefined;
    let search: { rate: number; reason: string } | undefined;
    try {
      if (segments) {
        this.totalMs = segments.reduce((t, s) => t + s.durationMs, 0);
        await this.runStages(segments);
      } else {
        search = await this.runSearch((this.args.executor as { search: BreakpointSpec }).search);
      }
      const end = await this.finalReading(baseline);
      return queueReport({
        spec: this.args.spec,
        scenario: this.args.scenario ?? 'cli',
        executor: segments ? (this.args.executor as ExecutorSpec).executor : 'breakpoint',
        description: this.target.description,
        steps: this.steps,
        pool: this.pool,
        backlogStart: baseline.backlog,
        backlogEnd: end.backlog,
        durationS: (performance.now() - this.startedAt) / 1000,
        interrupted: this.signal.aborted,
        ...(this.stoppedBy !== undefined ? { stoppedBy: this.stoppedBy } : {}),
        ...(search ? { search } : {}),
      });
    } finally {
      if (ticker) clearInterval(ticker);
      await this.sampler.close();
    }
  }

  private async runStages(segments: PaceSegment[]): Promise<void> {
    for (const segment of segments) {
      if (this.signal.aborted || this.stoppedBy !== undefined) break;
      await this.step(segment);
    }
  }

  /** The breakpoint search, one step at a time; resolves its answer. */
  private async runSearch(spec: BreakpointSpec): Promise<{ rate: number; reason: string }> {
    const search = createBreakpointSearch(spec, [], { unit: 'jobs/s' });
    const began = performance.now();
    let move: BreakpointMove = search.first();
    let outOfTime = false;
    while (move.kind === 'step' && !this.signal.aborted) {
      // The search keeps its own time, but drains happen outside it: the limit holds regardless.
      if ((outOfTime = performance.now() - began > spec.maxDurationMs)) break;
      if (move.pauseMs > 0)
        await sleep(move.pauseMs, undefined, { signal: this.signal }).catch(() => undefined);
      if (!(await this.drainBeforeStep()) || this.signal.aborted) break;
      const rate = move.rate;
      const step = await this.step({ startPerS: rate, endPerS: rate, durationMs: spec.stepMs });
      if (this.stoppedBy !== undefined || this.signal.aborted) break;
      const view = stepView(step.paced, this.args.spec.job.name, step.figures.durationS);
      move = search.next(
        {
          offered: rate,
          achieved: step.figures.completionRate,
          concurrency: step.paced.concurrency,
          view,
        },
        performance.now() - began,
      );
    }
    const verdicts = search.verdicts();
    this.steps.forEach((step, i) => {
      const v = verdicts[i];
      // A step the bound cut short was never judged by the search: it failed.
      step.verdict = v
        ? { ok: v.ok, ...(v.reason !== undefined ? { reason: v.reason } : {}) }
        : { ok: false, reason: this.stoppedBy ?? 'interrupted' };
    });
    if (move.kind === 'done') return { rate: move.rate, reason: move.reason };
    const held = this.steps.filter((s) => s.verdict?.ok).map((s) => s.figures.offered);
    const why =
      this.stoppedBy ??
      (this.signal.aborted
        ? 'interrupted'
        : outOfTime
          ? `the search ran out of its ${spec.maxDurationMs / 1000} s`
          : 'stopped');
    return { rate: Math.max(0, ...held), reason: why };
  }

  /** One step: readings around a paced segment. */
  private async step(segment: PaceSegment): Promise<QueueStep> {
    const start = await this.sampler.read();
    this.stepAbort = new AbortController();
    const paced = await this.pacer.run(
      segment,
      AbortSignal.any([this.signal, this.stepAbort.signal]),
    );
    const end = await this.sampler.read();
    const figures = stepFigures({
      start,
      end,
      added: paced.added,
      offered: (segment.startPerS + segment.endPerS) / 2,
      ...(this.pool.workers !== undefined ? { workers: this.pool.workers } : {}),
    });
    this.sampler.bestRatePerS = Math.max(this.sampler.bestRatePerS, figures.completionRate);
    const step: QueueStep = { index: this.steps.length, paced, figures };
    this.steps.push(step);
    this.checkBound(end);
    return step;
  }

  /** Waits for the backlog to come back to where it started; false (and why) when it does not. */
  private async drainBeforeStep(): Promise<boolean> {
    const base = this.sampler.baseline!.backlog;
    const latest = this.sampler.latest!.backlog;
    const excess = latest - base;
    if (excess <= (this.pool.workers ?? 2)) return true;
    const rate = Math.max(1, this.sampler.bestRatePerS);
    const waitMs = Math.min(MAX_DRAIN_MS, 2000 + (2000 * excess) / rate);
    const target = base + growthAllowance(0, this.pool.workers);
    const { drained, reading } = await this.sampler.drainTo(target, waitMs, this.signal);
    if (!drained && !this.signal.aborted) {
      this.stoppedBy = `the backlog did not drain: ${Math.round(reading.backlog - base)} jobs above the start after ${Math.round(waitMs / 1000)} s`;
    }
    return drained;
  }

  /** Stops the step in progress when the backlog passed the bound. */
  private checkBound(reading: Sampled): void {
    const base = this.sampler.baseline?.backlog ?? 0;
    const best = Math.max(this.sampler.bestRatePerS, this.sampler.recentRate());
    const bound = backlogBound(best);
    const growth = reading.backlog - base;
    if (growth <= bound || this.stoppedBy !== undefined) return;
    this.stoppedBy = `the backlog grew by ${Math.round(growth)} jobs, past the bound of ${Math.round(bound)} (at most 10,000 jobs or 60 s of work)`;
    this.stepAbort.abort();
  }

  /** The backlog for the report: after a bounded drain, unless interrupted. */
  private async finalReading(baseline: Sampled): Promise<Sampled> {
    if (this.signal.aborted) return this.sampler.latest ?? baseline;
    const target = baseline.backlog + growthAllowance(0, this.pool.workers);
    return (await this.sampler.drainTo(target, FINAL_DRAIN_MS, this.signal)).reading;
  }

  private progress(): void {
    const now = performance.now();
    const recent = this.pacer.recentMs.filter((r) => now - r.at <= 5000).map((r) => r.ms);
    this.args.onProgress?.({
      elapsedMs: now - this.startedAt,
      ...(this.totalMs !== undefined ? { totalMs: this.totalMs } : {}),
      rate: this.sampler.recentRate(),
      p95:
        (percentile(
          recent.sort((a, b) => a - b),
          95,
        ) ?? 0) / 1000,
      failed: this.pacer.totals.failed,
      requests: this.pacer.totals.added + this.pacer.totals.failed,
      inFlight: this.pacer.inFlight,
      target: this.pacer.currentPerS,
    });
  }
}

function maxVUsOf(executor: ExecutorSpec): number {
  return 'maxVUs' in executor ? executor.maxVUs : 1;
}
