/**
 * `headroom loadtest --plan F --scenario NAME [--write]` runs a scenario of the plan's
 * `loadtests:` section; `--plan F --queue NAME (--rate R --duration D | --stages S --rate R |
 * --breakpoint)` loads one of the plan's queues with jobs. Either way the plan's own sources are
 * read while the load runs (`plan-run.ts`): the run predicts where the system saturates, its
 * samples go to the store (so `whatif --store` calibrates on them), its outcome ticks the
 * checklist items that name the scenario, and `--write` records the measured capacity in the
 * plan (`write-measured.ts`). Exit codes are `loadtest.ts`'s (k6's): 0, 99, 105; 3 for mistakes.
 */
import { HeadroomError } from '../errors.ts';
import { nodeValue } from '../capacity/evaluate.ts';
import { replicasOf, unitOf } from '../capacity/model.ts';
import { listResources } from '../capacity/resources.ts';
import { assertLoopbackTarget, parseTargetUrl } from '../loadtest/guard.ts';
import { describeRequests, HttpTarget } from '../loadtest/http-target.ts';
import { liveLine } from '../loadtest/live-line.ts';
import {
  findScenario,
  runPlanScenario,
  type LoadRunner,
  type PlanRunReport,
} from '../loadtest/plan-run.ts';
import { runQueueLoadTest, type QueueLoadTestReport } from '../loadtest/queue/run.ts';
import { resolveQueueTarget } from '../loadtest/queue/resolve.ts';
import type { ResolvedScenario } from '../loadtest/resolve.ts';
import { runBreakpoint, runExecutor, type RunOptions } from '../loadtest/runner.ts';
import { renderSummary, requestBreakdown, type RequestBreakdown } from '../loadtest/summary.ts';
import { formatThreshold } from '../loadtest/thresholds.ts';
import type { MeasuredCapacity, PlanLoadTest, Threshold } from '../loadtest/types.ts';
import { writeMeasured } from '../loadtest/write-measured.ts';
import { loadPlan } from '../plan/load.ts';
import type { Plan } from '../plan/types.ts';
import { capacityResources } from '../plan/compile-loadtest-targets.ts';
import { formatCount, round } from '../report/format.ts';
import { openSqliteStore } from '../store/sqlite.ts';
import type { Store } from '../store/store.ts';
import { exitCodeFor, runWithInterrupt } from './loadtest.ts';
import {
  connectionsFor,
  parseCount,
  parseMode,
  parseThresholds,
  type LoadMode,
  type LoadtestCliOptions,
} from './loadtest-options.ts';
import { printJson } from './output.ts';

/** What `--json` prints for a plan run: the run's report, and the measurement `--write` recorded. */
export type PlanLoadTestDocument = PlanRunReport & { written?: MeasuredCapacity };

/** Runs `loadtest --plan …`; resolves the exit code. */
export async function runPlanLoadTest(o: LoadtestCliOptions): Promise<number> {
  const plan = loadPlan(o.plan!);
  const { scenario, mode } = chooseScenario(plan, o);
  await guardScenario(scenario, o.allowRemote === true);
  const store: Store | undefined = o.store ? await openSqliteStore({ path: o.store }) : undefined;
  const say = (line: string): void => {
    if (o.quiet !== true) process.stderr.write(`${line}\n`);
  };
  let breakdown: RequestBreakdown | undefined;
  try {
    const outcome = await runWithInterrupt((signal) => {
      const line = liveLine({ quiet: o.quiet, aimKind: aimKindOf(scenario) });
      const runLoad: LoadRunner = async (sc, resolved, hooks) => {
        say(`running ${sc.name} (${resolved.executor}) against ${describe(sc)} ...`);
        try {
          return sc.queue
            ? await runQueue(plan, sc, resolved, hooks, o.workers)
            : await runHttp(sc, resolved, hooks, (b) => (breakdown = b));
        } finally {
          line.done();
        }
      };
      return runPlanScenario({
        plan,
        scenario,
        runLoad,
        store,
        signal,
        onProgress: (p) => line.update(p),
        say,
        resolve: mode ? () => resolvedFromMode(mode) : undefined,
      });
    }, o.quiet !== true);
    const doc: PlanLoadTestDocument = outcome.report;
    if (o.write) {
      doc.written = measurementOf(plan, scenario, outcome.report, outcome.metrics);
      writeMeasured(plan.file, doc.written);
    }
    if (o.json) printJson(doc);
    else process.stdout.write(`${renderPlanRun(plan, doc, breakdown)}\n`);
    if (store && doc.observation.store_error) say(`warning: ${doc.observation.store_error}`);
    return exitCodeFor(doc);
  } finally {
    await store?.close();
  }
}

/** The scenario the options name: the plan's (`--scenario`), or one made of `--queue` and the load options. */
export function chooseScenario(
  plan: Plan,
  o: LoadtestCliOptions,
): { scenario: PlanLoadTest; mode?: LoadMode } {
  if (o.url !== undefined) {
    throw config(
      '--url and --plan exclude each other: a plan names its requests in its scenarios',
      'drop --url to run a plan scenario, or drop --plan to load one URL',
    );
  }
  if (o.queue !== undefined) {
    if (o.scenario !== undefined) {
      throw config(
        '--queue and --scenario exclude each other',
        "a scenario names its own queue (`queue:`); use --queue with --rate, --stages or --breakpoint to load any of the plan's queues",
      );
    }
    const mode = parseMode(o);
    if ('executor' in mode && mode.executor.endsWith('vus')) {
      throw config(
        '--queue runs an arrival rate: --vus measures how fast the broker accepts jobs, not the workers',
        'use --rate with --duration or --stages, or --breakpoint',
      );
    }
    const spec = resolveQueueTarget(plan, o.queue);
    const thresholds: Threshold[] = parseThresholds(o);
    const scenario: PlanLoadTest = {
      name: `queue-${o.queue}`,
      executor: 'breakpoint' in mode ? 'breakpoint' : mode.executor,
      settings: {},
      requests: [],
      queue: spec,
      thresholds,
      measures: queueMeasures(plan, spec.component),
      maxDurationMs: Number.POSITIVE_INFINITY,
      maxLoad: Number.POSITIVE_INFINITY,
    };
    return { scenario, mode };
  }
  const given = (
    [
      ['--rate', o.rate],
      ['--vus', o.vus],
      ['--duration', o.duration],
      ['--stages', o.stages],
      ['--breakpoint', o.breakpoint],
      ['--start-rate', o.startRate],
      ['--max-rate', o.maxRate],
      ['--step', o.step],
      ['--threshold', o.threshold.length > 0 ? true : undefined],
      ['--workers', o.workers],
    ] as const
  ).find(([, v]) => v !== undefined);
  const scenario = findScenario(plan, o.scenario);
  if (given) {
    throw config(
      `${given[0]} does not apply to a plan scenario: "${scenario.name}" sets its own load and thresholds`,
      `change them under loadtests.scenarios.${scenario.name} in ${plan.file}, or drop ${given[0]}`,
    );
  }
  return { scenario };
}

/** A worker component's `throughput` capacity, when it declares one (what a queue run measures). */
function queueMeasures(plan: Plan, component: string | undefined): PlanLoadTest['measures'] {
  const c = component === undefined ? undefined : plan.raw.components?.[component];
  return c && capacityResources(c).includes('throughput')
    ? { component: component!, resource: 'throughput' }
    : undefined;
}

/** The `--queue` load options as a resolved executor. */
function resolvedFromMode(mode: LoadMode): ResolvedScenario {
  return 'breakpoint' in mode ? { executor: 'breakpoint', search: mode.breakpoint } : mode;
}

/** Every request of an HTTP scenario must target this machine (or `--allow-remote`). */
async function guardScenario(scenario: PlanLoadTest, allowRemote: boolean): Promise<void> {
  for (const r of scenario.requests) {
    await assertLoopbackTarget(parseTargetUrl(r.url, `request "${r.name}"`), { allowRemote });
  }
}

async function runHttp(
  scenario: PlanLoadTest,
  resolved: ResolvedScenario,
  hooks: Parameters<LoadRunner>[2],
  onBreakdown: (b: RequestBreakdown) => void,
): Promise<PlanRunReport> {
  const mode: LoadMode =
    resolved.executor === 'breakpoint' ? { breakpoint: resolved.search } : resolved;
  const target = new HttpTarget(scenario.requests, { connections: connectionsFor(mode) });
  try {
    const options: RunOptions = {
      thresholds: scenario.thresholds,
      signal: hooks.signal,
      onProgress: hooks.onProgress,
      scenario: scenario.name,
      onFinish: (m) => onBreakdown(requestBreakdown(m)),
    };
    const report =
      resolved.executor === 'breakpoint'
        ? await runBreakpoint(resolved.search, target, options)
        : await runExecutor(resolved, target, options);
    return report as PlanRunReport;
  } finally {
    await target.close();
  }
}

async function runQueue(
  plan: Plan,
  scenario: PlanLoadTest,
  resolved: ResolvedScenario,
  hooks: Parameters<LoadRunner>[2],
  workers: string | undefined,
): Promise<QueueLoadTestReport> {
  return runQueueLoadTest({
    plan,
    spec: scenario.queue!,
    executor: resolved,
    workers: workers === undefined ? undefined : parseCount(workers, '--workers', 1),
    signal: hooks.signal,
    onProgress: hooks.onProgress,
    scenario: scenario.name,
  });
}

/**
 * The capacity to record: a breakpoint run's highest rate at which every threshold held (a
 * queue's sustained throughput), or a probe's predicted saturation rate; per replica when the
 * resource is a per-replica one. LOADTEST_CONFIG when the run measured nothing to record.
 */
export function measurementOf(
  plan: Plan,
  scenario: PlanLoadTest,
  report: PlanRunReport,
  metrics: Record<string, number | undefined>,
): MeasuredCapacity {
  const m = scenario.measures;
  if (!m) {
    throw config(
      `scenario "${scenario.name}" measures no capacity, so --write has nothing to record`,
      `add \`measures: <component>.<resource>\` (e.g. api.requests) to loadtests.scenarios.${scenario.name} or to loadtests`,
    );
  }
  const nothing = (why: string): HeadroomError =>
    new HeadroomError('LOADTEST_CONFIG', `--write recorded nothing: ${why}`, {
      file: plan.file,
      hint: 'the plan was not changed',
    });
  if (report.interrupted) throw nothing('the run was interrupted');
  const queue = (report as Partial<QueueLoadTestReport>).queue;
  let total: number;
  let method: MeasuredCapacity['method'];
  let held: string[];
  if (report.breakpoint) {
    total = queue ? queue.sustained_throughput : report.breakpoint.rate;
    method = 'breakpoint';
    held = queue ? ['queue backlog did not grow'] : scenario.thresholds.map(formatThreshold);
    if (!(total > 0)) throw nothing(`no step held (${report.breakpoint.reason})`);
  } else {
    const rate = report.prediction?.rate;
    if (rate === undefined)
      throw nothing(
        'this run predicted no saturation rate (no resource of the plan rose with the load); run a breakpoint scenario instead',
      );
    if (!report.ok) throw nothing('the probe itself did not hold its thresholds');
    total = rate;
    method = 'probe';
    held = [];
  }
  const ref = listResources(plan).find(
    (r) => r.component === m.component && r.resource === m.resource,
  )!;
  const perReplica = ref.perReplica;
  const inputs = { metrics };
  const replicas = queue?.workers ?? replicasOf(plan, m.component, inputs);
  if (perReplica && !(replicas !== undefined && replicas > 0)) {
    throw nothing(
      `the replicas of ${m.component} are not known, so no capacity per replica (set replicas, or --workers)`,
    );
  }
  const unit = unitOf(plan, ref);
  if (unit !== '1/s') {
    throw new HeadroomError(
      'LOADTEST_CONFIG',
      `scenario "${scenario.name}" measures ${m.component}.${m.resource}, ${unit === '' ? 'a count' : `in ${unit}`}, not a rate: a load test measures throughput`,
      {
        file: plan.file,
        path: `loadtests.scenarios.${scenario.name}.measures`,
        hint: 'name a capacity in requests or jobs per second (e.g. api.requests, workers.throughput); the plan was not changed',
      },
    );
  }
  const formula = nodeValue(plan, ref.capacityKey, inputs);
  return {
    component: m.component,
    resource: m.resource,
    value: perReplica ? total / replicas! : total,
    perReplica,
    ...(replicas !== undefined ? { replicas } : {}),
    held,
    at: new Date().toISOString(),
    scenario: scenario.name,
    method,
    ...(formula !== undefined && Number.isFinite(formula) ? { formula } : {}),
  };
}

/** The text output of a plan run: the run's summary, then what the plan's systems showed. */
export function renderPlanRun(
  plan: Plan,
  doc: PlanLoadTestDocument,
  breakdown?: RequestBreakdown,
): string {
  const lines = [renderSummary(doc, breakdown)];
  const queue = (doc as Partial<QueueLoadTestReport>).queue;
  if (queue) {
    const per =
      queue.per_worker === undefined
        ? ''
        : ` (${formatCount(round(queue.per_worker))}/s per worker, ${queue.workers} workers)`;
    lines.push(
      '',
      `  queue ${queue.name}: sustained ${formatCount(round(queue.sustained_throughput))} jobs/s${per}; ${formatCount(queue.jobs_left)} jobs left${queue.stopped_by ? `; stopped: ${queue.stopped_by}` : ''}`,
    );
  }
  if (doc.prediction) {
    lines.push('', `  ${plan.name}'s resources under this load (service demand law):`);
    for (const r of doc.prediction.resources)
      lines.push(`    ${r.component}.${r.resource}: ${r.note}`);
    lines.push(
      doc.prediction.rate === undefined
        ? '  no resource rose with the load: no saturation predicted'
        : `  predicted: ${doc.prediction.component}.${doc.prediction.resource} saturates first, at ${formatCount(round(doc.prediction.rate))}/s`,
    );
  }
  const failed = Object.entries(doc.observation.failures);
  if (failed.length > 0) {
    lines.push('', `  metrics that could not be read (${failed.length}):`);
    for (const [metric, why] of failed) lines.push(`    ${metric}: ${why}`);
  }
  if (doc.written) {
    const w = doc.written;
    lines.push(
      '',
      `  wrote ${plan.file}: components.${w.component}.measured.${w.resource} = ${formatCount(round(w.value))}/s${w.perReplica ? ' per replica' : ''} (${w.method})`,
    );
  }
  return lines.join('\n');
}

function describe(scenario: PlanLoadTest): string {
  if (scenario.queue) return `${scenario.queue.kind} queue ${scenario.queue.name}`;
  return describeRequests(scenario.requests);
}

function aimKindOf(scenario: PlanLoadTest): 'vus' | 'rate' {
  return scenario.executor.endsWith('vus') ? 'vus' : 'rate';
}

function config(message: string, hint: string): HeadroomError {
  return new HeadroomError('LOADTEST_CONFIG', message, { hint });
}
