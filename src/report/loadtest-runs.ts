/**
 * Load-test runs for checklists and the dashboard: `headroom loadtest --plan` keeps each
 * scenario's last run in the plan's store (state key `loadtest/<scenario>`); a checklist item
 * that names a scenario (`{ item, loadtest: three-x }`) is done once a run of it has passed.
 */
import type { LoadTestRunRecord } from '../loadtest/types.ts';
import type { Plan } from '../plan/types.ts';
import type { Store } from '../store/store.ts';
import { formatDate, formatRatio, formatValue } from './format.ts';

/** The state key a scenario's last run is kept under. */
export function loadTestStateKey(scenario: string): string {
  return `loadtest/${scenario}`;
}

/** Scenario names a plan refers to: its `loadtests:` scenarios and those its checklists name. */
export function loadTestScenarios(plan: Plan): string[] {
  const names = new Set((plan.loadtests ?? []).map((s) => s.name));
  for (const list of plan.raw.checklist ?? [])
    for (const item of list.items) {
      const name = typeof item === 'string' ? undefined : item.loadtest;
      if (name) names.add(name);
    }
  return [...names];
}

/** The last run of every scenario the plan refers to that the store holds, by scenario name. */
export async function loadTestRuns(
  store: Pick<Store, 'loadState'>,
  plan: Plan,
): Promise<Record<string, LoadTestRunRecord>> {
  const out: Record<string, LoadTestRunRecord> = {};
  for (const name of loadTestScenarios(plan)) {
    const record = runRecord(await store.loadState<unknown>(loadTestStateKey(name)));
    if (record) out[name] = record;
  }
  return out;
}

/** A stored value as a run record, or undefined when it is not one (an older or foreign shape). */
export function runRecord(value: unknown): LoadTestRunRecord | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const v = value as Record<string, unknown>;
  const num = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);
  if (typeof v.scenario !== 'string' || !num(v.at) || typeof v.ok !== 'boolean') return undefined;
  if (!num(v.rate) || !num(v.p95) || !num(v.failed_rate)) return undefined;
  const pass = v.lastPass as Record<string, unknown> | undefined;
  const lastPass =
    pass && typeof pass === 'object' && num(pass.at) && num(pass.rate) && num(pass.p95)
      ? { at: pass.at, rate: pass.rate, p95: pass.p95 }
      : undefined;
  return {
    scenario: v.scenario,
    at: v.at,
    ok: v.ok,
    rate: v.rate,
    p95: v.p95,
    failed_rate: v.failed_rate,
    ...(num(v.breakpoint_rate) ? { breakpoint_rate: v.breakpoint_rate } : {}),
    ...(lastPass ? { lastPass } : v.ok ? { lastPass: { at: v.at, rate: v.rate, p95: v.p95 } } : {}),
  };
}

/** True when a run of the scenario has passed (the last one, or an earlier one). */
export function hasPassed(run: LoadTestRunRecord | undefined): boolean {
  return run !== undefined && (run.ok || run.lastPass !== undefined);
}

/**
 * A run for people: `passed 2026-12-07: 212/s, p95 41 ms`, `passed …; last run failed
 * 2026-12-08: …`, `last run failed 2026-12-08: 180/s, p95 450 ms, 3% failed`, or `never run`.
 */
export function loadTestRunText(run: LoadTestRunRecord | undefined): string {
  if (!run) return 'never run';
  const figures = (r: { rate: number; p95: number }): string =>
    `${formatValue(r.rate, '1/s')}, p95 ${formatValue(r.p95, 's')}`;
  const failed = `last run failed ${formatDate(run.at)}: ${figures(run)}${run.failed_rate > 0 ? `, ${formatRatio(run.failed_rate)} failed` : ''}`;
  if (run.ok) return `passed ${formatDate(run.at)}: ${figures(run)}`;
  if (run.lastPass)
    return `passed ${formatDate(run.lastPass.at)}: ${figures(run.lastPass)}; ${failed}`;
  return failed;
}
