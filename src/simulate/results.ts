/**
 * The summary of a run, as `headroom simulate --json` prints it (times in seconds), and a
 * per-minute timeline for charts.
 *
 * A minute violates the objective when the jobs that arrived in it miss it: their wait quantile
 * (nearest rank: the smallest wait that at least that fraction of them do not exceed) or their
 * mean wait is above the target. A minute without arrivals never violates. Quantiles over the
 * whole run use the same nearest-rank rule. A job that never started waits for ever: it counts
 * against every statistic, which are then Infinity (`null` in JSON).
 */
import type { WaitTarget } from '../autoscale/index.ts';
import type { EngineRun } from './engine.ts';

/** The summary of one run (the `headroom simulate --json` document). */
export interface SimulationSummary {
  policy: string;
  jobs: number;
  worker_seconds: number;
  minutes: number;
  slo_violation_minutes: number;
  wait_mean: number;
  wait_p50: number;
  wait_p95: number;
  wait_p99: number;
  max_replicas: number;
  scale_events: number;
}

/** One minute of a run, for charts. */
export interface MinutePoint {
  /** Start of the minute, epoch ms. */
  t: number;
  /** Jobs that arrived in it. */
  arrivals: number;
  /** Mean workers paid for during it. */
  replicas: number;
  /** 95th percentile wait of its jobs, s (null without jobs). */
  wait_p95: number | null;
  /** The objective's statistic of its jobs (its quantile or mean wait), s (null without jobs). */
  wait_objective: number | null;
  /** Whether it missed the objective. */
  violated: boolean;
}

/** A summary and its timeline. */
export interface RunResult {
  summary: SimulationSummary;
  timeline: MinutePoint[];
}

/** The nearest-rank quantile of ascending values (NaN when empty). */
export function quantileSorted(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length - 1e-9)));
  return sorted[rank - 1]!;
}

/** The objective's statistic of ascending waits, seconds. */
function objectiveStat(sortedSec: Float64Array, slo: WaitTarget): number {
  if ('quantile' in slo) return quantileSorted(sortedSec, slo.quantile);
  let sum = 0;
  for (let i = 0; i < sortedSec.length; i++) sum += sortedSec[i]!;
  return sum / sortedSec.length;
}

/** Summarises a run of `policy` on `arrivals` (epoch ms) against the objective. */
export function summarize(
  policy: string,
  run: EngineRun,
  arrivals: Float64Array,
  startMs: number,
  slo: WaitTarget,
): RunResult {
  const target = 'quantile' in slo ? slo.waitSec : slo.meanWaitSec;
  const n = arrivals.length;
  const waitsSec = new Float64Array(n);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    waitsSec[i] = run.waitsMs[i]! / 1000;
    sum += waitsSec[i]!;
  }
  const minutes = run.workersPerMinute.length;
  const timeline: MinutePoint[] = [];
  let violations = 0;
  let i = 0;
  for (let m = 0; m < minutes; m++) {
    const edge = startMs + (m + 1) * 60_000;
    const from = i;
    while (i < n && arrivals[i]! < edge) i++;
    const point: MinutePoint = {
      t: startMs + m * 60_000,
      arrivals: i - from,
      replicas: run.workersPerMinute[m]!,
      wait_p95: null,
      wait_objective: null,
      violated: false,
    };
    if (i > from) {
      const sorted = waitsSec.slice(from, i).sort();
      point.wait_p95 = quantileSorted(sorted, 0.95);
      point.wait_objective = objectiveStat(sorted, slo);
      point.violated = point.wait_objective > target;
      if (point.violated) violations++;
    }
    timeline.push(point);
  }
  const sorted = waitsSec.sort();
  return {
    summary: {
      policy,
      jobs: n,
      worker_seconds: run.workerMs / 1000,
      minutes,
      slo_violation_minutes: violations,
      wait_mean: n > 0 ? sum / n : 0,
      wait_p50: quantileSorted(sorted, 0.5),
      wait_p95: quantileSorted(sorted, 0.95),
      wait_p99: quantileSorted(sorted, 0.99),
      max_replicas: run.maxReplicas,
      scale_events: run.scaleEvents,
    },
    timeline,
  };
}
