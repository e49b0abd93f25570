/**
 * A plan's load test, end to end: resolve the scenario against the plan's metrics now, watch the
 * plan's systems through its own sources while an idle baseline and then the load run, predict
 * from what they did where each resource saturates (the service demand law), keep the run in the
 * store for checklists and the dashboard, and — with `write` — record the measured capacity in
 * the plan. The load itself is the runner's (HTTP) or the queue runner's (jobs).
 */
import { HeadroomError } from '../errors.ts';
import type { Plan } from '../plan/types.ts';
import { Collector } from '../runtime/collect.ts';
import { currentValues } from '../runtime/current-values.ts';
import type { Store } from '../store/store.ts';
import { predictSaturation, type DemandPrediction, type SteadySpan } from './demand.ts';
import { PlanObserver } from './observe.ts';
import { loadTestStateKey, runRecord } from '../report/loadtest-runs.ts';
import { resolveScenario, type ResolvedScenario } from './resolve.ts';
import type { LiveProgress, LoadTestReport, LoadTestRunRecord, PlanLoadTest } from './types.ts';

/** Idle time read before the load starts, ms: the baseline of every resource's usage. */
export const BASELINE_MS = 3000;

/** How the load of a plan scenario is run: the runner's part, injected by the CLI. */
export type LoadRunner = (
  scenario: PlanLoadTest,
  resolved: ResolvedScenario,
  hooks: { signal?: AbortSignal; onProgress?: (p: LiveProgress) => void },
) => Promise<LoadTestReport>;

/** Options of a plan load test. */
export interface PlanRunOptions {
  /** The compiled plan. */
  plan: Plan;
  /** The scenario to run. */
  scenario: PlanLoadTest;
  /** Runs the load. */
  runLoad: LoadRunner;
  /** Store for the samples and the run record (none: nothing is kept). */
  store?: Store;
  /** Ctrl-C. */
  signal?: AbortSignal;
  /** Live progress. */
  onProgress?: (p: LiveProgress) => void;
  /** Prints a status line (baseline, observation). */
  say?: (line: string) => void;
  /** Time between reads of the plan's sources, ms. */
  sampleMs?: number;
  /** Wall clock, epoch ms. */
  now?: () => number;
  /**
   * Settles the executor from the plan's metric values now, instead of the scenario's own
   * settings (`--queue` with `--rate` or `--breakpoint`: the command line sets the load).
   */
  resolve?: (metrics: Record<string, number | undefined>) => ResolvedScenario;
}

/** A plan run's outcome: the report, and the plan's metric values when it began (for `--write`). */
export interface PlanRunOutcome {
  report: PlanRunReport;
  /** The plan's metric values read before the load, canonical units. */
  metrics: Record<string, number | undefined>;
}

/** The report of a plan run: the runner's, plus what the plan's systems showed. */
export interface PlanRunReport extends LoadTestReport {
  /** Plan name. */
  plan: string;
  /** Where the system saturates, predicted from this run's resource usage. */
  prediction?: Partial<NonNullable<DemandPrediction['bottleneck']>> & {
    /** Every resource with a live usage. */
    resources: DemandPrediction['resources'];
  };
  /** Reads of the plan's sources during the run, and metrics that failed. */
  observation: { reads: number; failures: Record<string, string>; store_error?: string };
}

/** Runs a plan scenario. */
export async function runPlanScenario(o: PlanRunOptions): Promise<PlanRunOutcome> {
  const now = o.now ?? Date.now;
  o.say?.(`reading ${o.plan.name}'s sources ...`);
  const metrics = await currentMetrics(o.plan);
  const resolved = o.resolve ? o.resolve(metrics) : resolveScenario(o.plan, o.scenario, metrics);
  const observer = new PlanObserver(o.plan, { store: o.store, sampleMs: o.sampleMs, now });
  observer.start();
  const idleFrom = now();
  let report: LoadTestReport;
  let observation: Awaited<ReturnType<PlanObserver['stop']>>;
  try {
    o.say?.(`reading ${o.plan.name}'s sources at rest for ${BASELINE_MS / 1000} s ...`);
    await sleep(BASELINE_MS, o.signal);
    report = await o.runLoad(o.scenario, resolved, { signal: o.signal, onProgress: o.onProgress });
  } finally {
    observation = await observer.stop();
  }
  const spans: SteadySpan[] = [
    { from: idleFrom, to: idleFrom + BASELINE_MS, rate: 0 },
    ...report.stages.map((s) => ({ from: s.started_at, to: s.ended_at, rate: s.rate })),
  ];
  const out: PlanRunReport = {
    ...report,
    plan: o.plan.name,
    observation: {
      reads: observation.reads,
      failures: observation.failures,
      store_error: observation.storeError,
    },
  };
  // A breakpoint run goes past saturation on purpose: usage there is capped, not linear.
  if (report.executor !== 'breakpoint') {
    const p = predictSaturation({
      plan: o.plan,
      frames: observation.frames,
      spans,
      settleMs: settleMs(report),
      exclude: o.scenario.measures ? [o.scenario.measures] : [],
    });
    out.prediction = { ...p.bottleneck, resources: p.resources };
  }
  if (o.store && !report.interrupted) {
    try {
      await saveRun(o.store, out, now());
    } catch (err) {
      out.observation.store_error = `the run was not recorded: ${(err as Error).message}`;
    }
  }
  return { report: out, metrics };
}

/** The leading part of each stage left out while lagging metrics settle: a quarter, 2 s at least. */
function settleMs(report: LoadTestReport): number {
  const shortest = Math.min(...report.stages.map((s) => s.duration_s * 1000));
  return Math.max(2000, Math.min(shortest / 4, 10_000));
}

/** The plan's metric values now (one read of every source), for scenario amounts. */
async function currentMetrics(plan: Plan): Promise<Record<string, number | undefined>> {
  const collector = new Collector(plan, Date.now);
  try {
    return currentValues(plan, await collector.collect(10_000), []).metrics;
  } finally {
    await collector.close();
  }
}

async function saveRun(store: Store, report: PlanRunReport, at: number): Promise<void> {
  const key = loadTestStateKey(report.scenario);
  const previous = runRecord(await store.loadState<unknown>(key).catch(() => undefined));
  const record: LoadTestRunRecord = {
    scenario: report.scenario,
    at,
    ok: report.ok,
    rate: report.rate,
    p95: report.latency.p95,
    failed_rate: report.failed_rate,
    breakpoint_rate: report.breakpoint?.rate,
    lastPass: report.ok ? { at, rate: report.rate, p95: report.latency.p95 } : previous?.lastPass,
  };
  await store.saveState(key, record);
}

/** Finds a scenario of the plan by name, or says which there are. */
export function findScenario(plan: Plan, name: string | undefined): PlanLoadTest {
  const names = plan.loadtests.map((s) => s.name);
  const found = plan.loadtests.find((s) => s.name === name);
  if (found) return found;
  throw new HeadroomError(
    'LOADTEST_CONFIG',
    name === undefined
      ? `loadtest --plan needs --scenario (or --url, or --queue)`
      : `plan "${plan.name}" has no load-test scenario "${name}"`,
    {
      file: plan.file,
      path: 'loadtests.scenarios',
      hint:
        names.length > 0
          ? `its scenarios: ${names.join(', ')}`
          : 'add scenarios under `loadtests.scenarios` (docs/loadtest.md)',
    },
  );
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
