/**
 * `GET /api/checklist`: the plan's checklists with progress; an item that names a load-test
 * scenario carries it (`loadtest`) and that scenario's last run in the plan's store
 * (`last_run`, times in ISO 8601, latencies in seconds, `null` when it never ran).
 */
import type { LoadTestRunRecord } from '../loadtest/types.ts';
import type { RoadmapChecklist } from '../report/roadmap-data.ts';

/** A load-test run as the API shows it. */
export interface RunDocument {
  /** When it ended, ISO 8601. */
  at: string;
  /** True when every threshold held. */
  ok: boolean;
  /** Achieved rate, per second. */
  rate: number;
  /** p95 latency, seconds. */
  p95: number;
  /** Share of iterations that failed. */
  failed_rate: number;
  /** The breakpoint rate, per second, for a breakpoint run. */
  breakpoint_rate?: number;
  /** The last run that passed (this one when `ok`). */
  last_pass?: { at: string; rate: number; p95: number };
}

/** The checklist document: the roadmap's checklists, load-test runs in the API's shape. */
export function checklistDocument(lists: RoadmapChecklist[]): unknown[] {
  return lists.map((l) => ({
    ...l,
    items: l.items.map(({ lastRun, ...item }) =>
      item.loadtest === undefined ? item : { ...item, last_run: runDocument(lastRun) },
    ),
  }));
}

function runDocument(run: LoadTestRunRecord | undefined): RunDocument | null {
  if (!run) return null;
  const iso = (t: number): string => new Date(t).toISOString();
  return {
    at: iso(run.at),
    ok: run.ok,
    rate: run.rate,
    p95: run.p95,
    failed_rate: run.failed_rate,
    ...(run.breakpoint_rate !== undefined ? { breakpoint_rate: run.breakpoint_rate } : {}),
    ...(run.lastPass ? { last_pass: { ...run.lastPass, at: iso(run.lastPass.at) } } : {}),
  };
}
