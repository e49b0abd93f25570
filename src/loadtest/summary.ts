/**
 * A run's results for people and for `--json`: the `LoadTestReport` assembled from the run's
 * measurements, and the text summary — k6-like: each threshold ✓/✗ with its measured value,
 * the aligned metric lines, the requests by name and by status, and the stages table.
 */
import { table } from '../cli/output.ts';
import { formatCount, round } from '../report/format.ts';
import type { RunMetrics } from './metrics.ts';
import { evaluateThresholds } from './thresholds.ts';
import type {
  BreakpointMove,
  LatencySummary,
  LoadTestReport,
  MetricsView,
  StageSummary,
  Threshold,
  ThresholdResult,
} from './types.ts';
import { fitStepsUsl } from './usl.ts';

/** Latency figures of a view, seconds (zeros when nothing completed). */
export function latencySummary(view: MetricsView): LatencySummary {
  const s = (ms: number | undefined): number => (ms ?? 0) / 1000;
  return {
    p50: s(view.percentileMs(50)),
    p90: s(view.percentileMs(90)),
    p95: s(view.percentileMs(95)),
    p99: s(view.percentileMs(99)),
    max: s(view.maxMs()),
    avg: s(view.meanMs()),
    min: s(view.minMs()),
  };
}

/** What a stage aimed at. */
export interface StageTarget {
  /** VUs, or iterations per second. */
  target: number;
  /** Which of the two. */
  targetKind: 'vus' | 'rate';
}

/** One stage's summary from the run's measurements at `nowMs` (run clock). */
export function stageSummary(
  metrics: RunMetrics,
  index: number,
  aim: StageTarget,
  nowMs: number,
): StageSummary {
  const record = metrics.stages[index]!;
  const view = metrics.stageView(index, nowMs);
  const count = view.count();
  return {
    index,
    started_at: record.startedAtMs,
    ended_at: record.endedAtMs ?? record.startedAtMs + (nowMs - record.startMs),
    target: aim.target,
    targetKind: aim.targetKind,
    duration_s: view.durationS,
    requests: record.completed,
    rate: view.durationS > 0 ? record.completed / view.durationS : 0,
    latency: latencySummary(view),
    failed_rate: count === 0 ? 0 : view.failed() / count,
    dropped: record.dropped,
    concurrency: metrics.stageConcurrency(index, nowMs),
  };
}

/** Everything the report needs beyond the measurements. */
export interface ReportParts {
  /** Scenario name. */
  scenario: string;
  /** Executor, or `breakpoint`. */
  executor: LoadTestReport['executor'];
  /** What was driven. */
  target: string;
  /** The run's clock at the end, ms. */
  nowMs: number;
  /** Each stage's summary. */
  stages: StageSummary[];
  /** The thresholds' verdicts. */
  thresholds: ThresholdResult[];
  /** Stopped by Ctrl-C or a deadline. */
  interrupted: boolean;
  /** The threshold that stopped it (abortOnFail). */
  abortedBy?: string;
  /** Breakpoint runs. */
  breakpoint?: LoadTestReport['breakpoint'];
  /** Breakpoint runs. */
  usl?: LoadTestReport['usl'];
}

/** The `LoadTestReport` of a run. */
export function assembleReport(metrics: RunMetrics, parts: ReportParts): LoadTestReport {
  const view = metrics.view(parts.nowMs);
  const requests = view.count();
  const report: LoadTestReport = {
    scenario: parts.scenario,
    executor: parts.executor,
    target: parts.target,
    requests,
    duration_s: view.durationS,
    rate: view.durationS > 0 ? requests / view.durationS : 0,
    latency: latencySummary(view),
    failed_rate: requests === 0 ? 0 : view.failed() / requests,
    dropped_iterations: metrics.dropped,
    thresholds: parts.thresholds,
    ok: !parts.interrupted && parts.abortedBy === undefined && parts.thresholds.every((t) => t.ok),
    interrupted: parts.interrupted,
    stages: parts.stages,
  };
  if (parts.abortedBy !== undefined) report.aborted_by = parts.abortedBy;
  if (parts.breakpoint !== undefined) report.breakpoint = parts.breakpoint;
  if (parts.usl !== undefined) report.usl = parts.usl;
  return report;
}

/** What a breakpoint run knows at its end. */
export interface BreakpointParts {
  /** The search's verdict on each step judged, in order. */
  verdicts: { offered: number; ok: boolean; reason?: string }[];
  /** The rate each step offered, per second, in order. */
  offered: number[];
  /** The search's last move. */
  move: BreakpointMove;
  /** The run's clock at the end, ms. */
  endMs: number;
  /** What was driven. */
  description: string;
  /** Scenario name. */
  scenario: string;
  /** Judged on the step that held at the breakpoint (the first step when none held). */
  thresholds: Threshold[];
  /** Stopped by Ctrl-C. */
  interrupted: boolean;
}

/** The report of a breakpoint run: steps with verdicts, the breakpoint, the USL fit; ok when a rate held. */
export function breakpointReport(metrics: RunMetrics, o: BreakpointParts): LoadTestReport {
  const stages = metrics.stages.map((_, i) => {
    const s = stageSummary(metrics, i, { target: o.offered[i] ?? 0, targetKind: 'rate' }, o.endMs);
    const verdict = o.verdicts[i];
    return verdict
      ? { ...s, ok: verdict.ok, ...(verdict.reason ? { reason: verdict.reason } : {}) }
      : s;
  });
  const heldRates = stages.filter((s) => s.ok === true).map((s) => s.target);
  const rate = o.move.kind === 'done' ? o.move.rate : Math.max(0, ...heldRates);
  const reason =
    o.move.kind === 'done'
      ? o.move.reason
      : o.interrupted
        ? 'interrupted before the search ended'
        : 'the search ran past its maximum duration';
  const held = stages
    .filter((s) => s.ok === true && s.target <= rate * (1 + 1e-9))
    .sort((a, b) => b.target - a.target)[0];
  const judged = held ?? stages[0];
  const view = judged ? metrics.stageView(judged.index, o.endMs) : metrics.view(o.endMs);
  const report = assembleReport(metrics, {
    scenario: o.scenario,
    executor: 'breakpoint',
    target: o.description,
    nowMs: o.endMs,
    stages,
    thresholds: evaluateThresholds(o.thresholds, view),
    interrupted: o.interrupted,
    breakpoint: {
      rate,
      concurrency: held?.concurrency ?? 0,
      reason,
      max_throughput: Math.max(0, ...stages.map((s) => s.rate)),
    },
    usl: fitStepsUsl(stages),
  });
  report.ok = report.ok && rate > 0;
  return report;
}

/** Requests by name and by status, for the text summary. */
export interface RequestBreakdown {
  /** Per k6 `name` tag: requests, failed, p95 in seconds. */
  names: { name: string; requests: number; failed: number; p95: number }[];
  /** Requests per status (0: no response). */
  statuses: [number, number][];
  /** Failures without a response, by error class, most frequent first. */
  errors: [string, number][];
}

/** The breakdown of a run's requests. */
export function requestBreakdown(metrics: RunMetrics): RequestBreakdown {
  const buckets = metrics.wholeRun();
  const names = [...buckets.byName.keys()].map((name) => {
    const b = buckets.select({ name })!;
    return { name, requests: b.count, failed: b.failed, p95: (b.percentileMs(95) ?? 0) / 1000 };
  });
  const statuses = [...buckets.statusCounts()].sort((a, b) => a[0] - b[0]);
  const errors = [...metrics.errors].sort((a, b) => b[1] - a[1]);
  return { names, statuses, errors };
}

const ms = (seconds: number): string => `${round(seconds * 1000)}ms`;
const pct = (ratio: number): string => `${round(ratio * 100)}%`;

/** A threshold's measured value in its k6 unit: ms for durations, % for rates. */
function thresholdValue(r: ThresholdResult): string {
  if (r.value === undefined) return 'nothing measured';
  if (r.metric.startsWith('http_req_duration') || r.metric.startsWith('iteration_duration')) {
    return `${round(r.value)}ms`;
  }
  return r.metric.startsWith('http_req_failed') ? pct(r.value) : formatCount(round(r.value));
}

/** k6's dotted metric lines: `http_reqs..........: 3000  200/s`. */
function metricLines(rows: [string, string][]): string[] {
  const width = Math.max(...rows.map(([k]) => k.length)) + 3;
  return rows.map(([k, v]) => `  ${k}${'.'.repeat(width - k.length)}: ${v}`);
}

/** The text summary of a report (and, when given, its requests by name, status and error). */
export function renderSummary(report: LoadTestReport, breakdown?: RequestBreakdown): string {
  const lines = [
    `  scenario: ${report.scenario} · ${report.executor} · ${report.target}`,
    '',
    ...(report.breakpoint && report.thresholds.length > 0
      ? [
          `  thresholds, on the step at the breakpoint (${formatCount(round(report.breakpoint.rate))}/s):`,
        ]
      : []),
    ...report.thresholds.map(
      (r) => `  ${r.ok ? '✓' : '✗'} ${r.metric}: ${r.expr}  (${thresholdValue(r)})`,
    ),
    ...(report.thresholds.length > 0 ? [''] : []),
    ...metricLines([...reportLines(report), ...(breakdown ? breakdownLines(breakdown) : [])]),
  ];
  if (breakdown && breakdown.names.length > 1) lines.push('', indent(namesTable(breakdown)));
  if (report.stages.length > 0) lines.push('', indent(stagesTable(report)));
  lines.push(...endLines(report));
  return lines.join('\n');
}

function reportLines(report: LoadTestReport): [string, string][] {
  const l = report.latency;
  const failed = Math.round(report.failed_rate * report.requests);
  const trend = [
    `avg=${ms(l.avg)}`,
    `min=${ms(l.min)}`,
    `med=${ms(l.p50)}`,
    `max=${ms(l.max)}`,
    `p(90)=${ms(l.p90)}`,
    `p(95)=${ms(l.p95)}`,
    `p(99)=${ms(l.p99)}`,
  ];
  return [
    ['http_req_duration', trend.join(' ')],
    [
      'http_req_failed',
      `${pct(report.failed_rate)}  ${formatCount(failed)} out of ${formatCount(report.requests)}`,
    ],
    ['http_reqs', `${formatCount(report.requests)}  ${round(report.rate)}/s`],
    ['dropped_iterations', formatCount(report.dropped_iterations)],
    ['duration', `${round(report.duration_s)}s`],
  ];
}

function breakdownLines(b: RequestBreakdown): [string, string][] {
  const out: [string, string][] = [];
  const statuses = b.statuses.map(([s, n]) => `${s === 0 ? 'no response' : s}: ${formatCount(n)}`);
  if (statuses.length > 0) out.push(['statuses', statuses.join('  ')]);
  const errors = b.errors.map(([e, n]) => `${e}: ${formatCount(n)}`);
  if (errors.length > 0) out.push(['errors', errors.join('  ')]);
  return out;
}

const indent = (block: string): string => block.replace(/^/gm, '  ');

function namesTable(b: RequestBreakdown): string {
  return table(
    ['request', 'requests', 'failed', 'p95'],
    b.names.map((n) => [n.name, formatCount(n.requests), formatCount(n.failed), ms(n.p95)]),
  );
}

function stagesTable(report: LoadTestReport): string {
  const verdicts = report.stages.some((s) => s.ok !== undefined);
  const header = [
    'stage',
    'target',
    'duration',
    'requests',
    'rate',
    'p95',
    'failed',
    'dropped',
    'in flight',
  ];
  return table(
    verdicts ? [...header, 'held'] : header,
    report.stages.map((s) => {
      const row = [
        String(s.index),
        s.targetKind === 'rate' ? `${round(s.target)}/s` : `${s.target} VUs`,
        `${round(s.duration_s)}s`,
        formatCount(s.requests),
        `${round(s.rate)}/s`,
        ms(s.latency.p95),
        pct(s.failed_rate),
        formatCount(s.dropped),
        String(round(s.concurrency)),
      ];
      if (verdicts) row.push(s.ok === undefined ? '' : s.ok ? '✓' : `✗ ${s.reason ?? ''}`);
      return row;
    }),
  );
}

function endLines(report: LoadTestReport): string[] {
  const out: string[] = [];
  const b = report.breakpoint;
  if (b) {
    out.push(
      '',
      `  breakpoint: ${formatCount(round(b.rate))}/s held (mean ${round(b.concurrency)} in flight); highest throughput ${formatCount(round(b.max_throughput))}/s — ${b.reason}`,
    );
  }
  const u = report.usl;
  if (u) {
    const peak =
      u.peak_rate === null
        ? 'no peak: throughput keeps rising'
        : u.peak_concurrency === null
          ? `ceiling ${formatCount(round(u.peak_rate))}/s, approached as concurrency grows`
          : `peak ${formatCount(round(u.peak_rate))}/s at ${round(u.peak_concurrency)} in flight`;
    out.push(
      `  usl: σ=${round(u.sigma)} κ=${round(u.kappa)} λ=${round(u.lambda)}/s — ${peak} (r² ${round(u.r2)})`,
    );
  }
  if (report.aborted_by)
    out.push('', `  stopped early: threshold ${report.aborted_by} failed (abortOnFail)`);
  if (report.interrupted) out.push('', '  interrupted: the figures are partial');
  return out;
}
