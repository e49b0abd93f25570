/**
 * The `MetricsView` of one queue load step, for thresholds and the breakpoint search: the adds it
 * made (every job carries the job's name as its k6 `name` tag), their failures and drops, and
 * their latencies (scheduled start to the broker's acknowledgement), in ms.
 */
import type { LatencySummary, MetricsView } from '../types.ts';
import type { PacedSegment } from './pace.ts';

/** The view of a paced segment whose jobs are all named `jobName`. */
export function stepView(segment: PacedSegment, jobName: string, durationS: number): MetricsView {
  const sorted = [...segment.latenciesMs].sort((a, b) => a - b);
  const matches = (tags?: Record<string, string>): boolean =>
    !tags || Object.entries(tags).every(([k, v]) => k === 'name' && v === jobName);
  const some = (tags?: Record<string, string>): number[] => (matches(tags) ? sorted : []);
  return {
    durationS,
    count: (tags) => (matches(tags) ? segment.added + segment.failed : 0),
    failed: (tags) => (matches(tags) ? segment.failed : 0),
    dropped: segment.dropped,
    percentileMs: (p, tags) => percentile(some(tags), p),
    meanMs: (tags) => {
      const xs = some(tags);
      return xs.length === 0 ? undefined : xs.reduce((a, b) => a + b, 0) / xs.length;
    },
    minMs: (tags) => some(tags)[0],
    maxMs: (tags) => some(tags).at(-1),
  };
}

/** The p-th percentile (0..100) of ascending `sorted`, nearest rank; undefined when empty. */
export function percentile(sorted: readonly number[], p: number): number | undefined {
  if (sorted.length === 0) return undefined;
  const rank = Math.ceil((Math.min(100, Math.max(0, p)) / 100) * sorted.length);
  return sorted[Math.max(0, rank - 1)];
}

/** Latency figures, seconds, of ascending latencies in ms (zeros when there are none). */
export function latencySummary(sortedMs: readonly number[]): LatencySummary {
  const s = (p: number): number => (percentile(sortedMs, p) ?? 0) / 1000;
  const mean = sortedMs.length === 0 ? 0 : sortedMs.reduce((a, b) => a + b, 0) / sortedMs.length;
  return {
    p50: s(50),
    p90: s(90),
    p95: s(95),
    p99: s(99),
    max: (sortedMs.at(-1) ?? 0) / 1000,
    avg: mean / 1000,
    min: (sortedMs[0] ?? 0) / 1000,
  };
}
