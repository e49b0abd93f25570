/**
 * The `--json` document of a queue load test: the shared `LoadTestReport` (an iteration is one
 * job added; `rate` and each stage's `rate` are the workers' completions per second, the figure
 * the breakpoint search judges) plus a `queue` section: the pool's sustained throughput (the
 * highest completion rate of a step in which the backlog did not grow), per worker, and the jobs
 * left in the queue at the end.
 */
import type { LoadTestReport, QueueTargetSpec, StageSummary } from '../types.ts';
import type { QueueStepFigures } from './meter.ts';
import type { PacedSegment } from './pace.ts';
import { latencySummary } from './step-view.ts';
import type { PoolSize } from './workers.ts';

/** One measured step (or stage) of a queue load test. */
export interface QueueStep {
  /** 0-based. */
  index: number;
  /** What the pacer did. */
  paced: PacedSegment;
  /** What the queue did. */
  figures: QueueStepFigures;
  /** The breakpoint search's verdict, for breakpoint runs. */
  verdict?: { ok: boolean; reason?: string };
}

/** One step as the `queue.steps` list shows it (rates per second, counts in jobs). */
export interface QueueStepReport {
  index: number;
  offered: number;
  added: number;
  completed: number;
  completion_rate: number;
  backlog_start: number;
  backlog_end: number;
  backlog_growth: number;
  held: boolean;
  completions_from: 'counted' | 'conservation';
}

/** The `queue` section of the report. */
export interface QueueSection {
  /** Queue (BullMQ queue, Redis list, JetStream stream, RabbitMQ queue). */
  name: string;
  /** Source kind. */
  kind: string;
  /** Workers serving it, when known. */
  workers?: number;
  /** Where `workers` came from. */
  workers_from: PoolSize['from'];
  /** Highest completion rate of a step whose backlog did not grow, jobs per second (0 when none held). */
  sustained_throughput: number;
  /** `sustained_throughput` ÷ workers, jobs per second per worker. */
  per_worker?: number;
  /** Backlog before the test, jobs. */
  backlog_start: number;
  /** Backlog when the report was made, jobs. */
  backlog_end: number;
  /** Jobs this test left in the queue (backlog_end − backlog_start, at least 0). */
  jobs_left: number;
  /** Why the test stopped early on its own (the backlog bound, a backlog that did not drain). */
  stopped_by?: string;
  /** Every step. */
  steps: QueueStepReport[];
}

/** The report `runQueueLoadTest` returns. */
export type QueueLoadTestReport = LoadTestReport & { queue: QueueSection };

/** What the runner knows at the end. */
export interface QueueRunOutcome {
  spec: QueueTargetSpec;
  scenario: string;
  executor: LoadTestReport['executor'];
  description: string;
  steps: QueueStep[];
  pool: PoolSize;
  backlogStart: number;
  backlogEnd: number;
  durationS: number;
  interrupted: boolean;
  stoppedBy?: string;
  /** Breakpoint runs: the search's answer. */
  search?: { rate: number; reason: string };
}

/** The highest completion rate of a held step, per second (0 when none held). */
export function sustainedThroughput(steps: readonly QueueStep[]): number {
  return Math.max(0, ...steps.filter((s) => s.figures.held).map((s) => s.figures.completionRate));
}

/** One step as a `StageSummary`. */
export function stageSummary(step: QueueStep): StageSummary {
  const { paced, figures } = step;
  const settled = paced.added + paced.failed;
  return {
    index: step.index,
    started_at: paced.startedAt,
    ended_at: paced.endedAt,
    target: figures.offered,
    targetKind: 'rate',
    duration_s: (paced.endedAt - paced.startedAt) / 1000,
    requests: settled,
    rate: figures.completionRate,
    latency: latencySummary([...paced.latenciesMs].sort((a, b) => a - b)),
    failed_rate: settled === 0 ? 0 : paced.failed / settled,
    dropped: paced.dropped,
    concurrency: paced.concurrency,
    ...(step.verdict ?? {}),
  };
}

/** The whole report. */
export function queueReport(o: QueueRunOutcome): QueueLoadTestReport {
  const stages = o.steps.map(stageSummary);
  const settled = stages.reduce((n, s) => n + s.requests, 0);
  const failed = o.steps.reduce((n, s) => n + s.paced.failed, 0);
  const completed = o.steps.reduce((n, s) => n + s.figures.completed, 0);
  const stepTimeS = o.steps.reduce((t, s) => t + s.figures.durationS, 0);
  const sustained = sustainedThroughput(o.steps);
  const held = o.steps.some((s) => s.figures.held);
  const allHeld = o.steps.length > 0 && o.steps.every((s) => s.figures.held);
  const report: QueueLoadTestReport = {
    scenario: o.scenario,
    executor: o.executor,
    target: o.description,
    requests: settled,
    duration_s: o.durationS,
    rate: stepTimeS === 0 ? 0 : completed / stepTimeS,
    latency: latencySummary(o.steps.flatMap((s) => s.paced.latenciesMs).sort((a, b) => a - b)),
    failed_rate: settled === 0 ? 0 : failed / settled,
    dropped_iterations: o.steps.reduce((n, s) => n + s.paced.dropped, 0),
    thresholds: [],
    ok: !o.interrupted && o.stoppedBy === undefined && (o.search ? held : allHeld),
    interrupted: o.interrupted,
    stages,
    queue: queueSection(o, sustained),
  };
  if (o.search) report.breakpoint = breakpointOf(o, stages);
  return report;
}

function queueSection(o: QueueRunOutcome, sustained: number): QueueSection {
  const workers = o.pool.workers;
  return {
    name: o.spec.name,
    kind: o.spec.kind,
    ...(workers !== undefined ? { workers } : {}),
    workers_from: o.pool.from,
    sustained_throughput: sustained,
    ...(workers ? { per_worker: sustained / workers } : {}),
    backlog_start: o.backlogStart,
    backlog_end: o.backlogEnd,
    jobs_left: Math.max(0, o.backlogEnd - o.backlogStart),
    ...(o.stoppedBy !== undefined ? { stopped_by: o.stoppedBy } : {}),
    steps: o.steps.map(({ index, figures: f }) => ({
      index,
      offered: f.offered,
      added: f.added,
      completed: f.completed,
      completion_rate: f.completionRate,
      backlog_start: f.backlogStart,
      backlog_end: f.backlogEnd,
      backlog_growth: f.backlogGrowth,
      held: f.held,
      completions_from: f.completionsFrom,
    })),
  };
}

function breakpointOf(
  o: QueueRunOutcome,
  stages: StageSummary[],
): NonNullable<LoadTestReport['breakpoint']> {
  const rate = o.search!.rate;
  const at = stages.filter((s) => s.target === rate).at(-1);
  return {
    rate,
    concurrency: at?.concurrency ?? 0,
    reason: o.stoppedBy ?? o.search!.reason,
    max_throughput: Math.max(0, ...stages.map((s) => s.rate)),
  };
}
