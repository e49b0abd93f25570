/**
 * Compiles `loadtests:` — k6's `options` object (scenarios with k6's executors and field names,
 * thresholds) plus headroom's own fields (weighted `requests`, `queue`, `measures`,
 * `breakpoint`) — into `PlanLoadTest`s. Amounts are numbers or plan expressions checked
 * against the plan's names and units here, and evaluated when a run starts
 * (`src/loadtest/resolve.ts`).
 */
import type { PlanLoadTest } from '../loadtest/types.ts';
import {
  compileMeasures,
  compileQueue,
  compileRequests,
  compileThresholds,
  capacityResources,
  loadDurationMs,
} from './compile-loadtest-targets.ts';
import { amount, bounds, type ScenarioExecutor } from './compile-loadtest-amounts.ts';
import type { CompileContext } from './context.ts';
import type { RawLoadTestScenario } from './schema.ts';
import type { FieldPath } from './source-map.ts';
import type { Plan } from './types.ts';

/** k6's defaults for the fields a scenario may leave out (durations in ms). */
export const K6_DEFAULTS = {
  vus: 1,
  startVUs: 1,
  startRate: 0,
  timeUnitMs: 1000,
  gracefulRampDownMs: 30_000,
} as const;

/** headroom's defaults for a breakpoint search: each step held 10 s, +50 % a step, 5 % resolution. */
export const BREAKPOINT_DEFAULTS = { stepMs: 10_000, growth: 1.5, resolution: 0.05 } as const;

/** The fields of each executor (k6's names; a breakpoint's bounds are its stages). */
const EXECUTOR_FIELDS: Record<ScenarioExecutor, readonly string[]> = {
  'constant-vus': ['vus', 'duration'],
  'ramping-vus': ['startVUs', 'stages', 'gracefulRampDown'],
  'constant-arrival-rate': ['rate', 'timeUnit', 'duration', 'preAllocatedVUs', 'maxVUs'],
  'ramping-arrival-rate': ['startRate', 'timeUnit', 'stages', 'preAllocatedVUs', 'maxVUs'],
  breakpoint: [
    'startRate',
    'timeUnit',
    'stages',
    'preAllocatedVUs',
    'maxVUs',
    'step',
    'growth',
    'resolution',
  ],
};

const REQUIRED: Record<ScenarioExecutor, readonly string[]> = {
  'constant-vus': ['duration'],
  'ramping-vus': ['stages'],
  'constant-arrival-rate': ['rate', 'duration'],
  'ramping-arrival-rate': ['stages'],
  breakpoint: ['startRate', 'stages'],
};

const EXECUTOR_ONLY = new Set(Object.values(EXECUTOR_FIELDS).flat());

/** k6 scenario fields headroom does not run, and what to do instead. */
const NOT_RUN: Record<string, string> = {
  gracefulStop: 'remove it: a run ends with its duration or stages',
  exec: "an iteration sends the scenario's `requests` (or adds its `queue` job): list them instead of naming a function",
  tags: 'requests are tagged by their `name`; filter thresholds with http_req_duration{name:listTickets}',
  env: 'take addresses from the environment in the URLs: "${API_URL:-http://127.0.0.1:3000}/tickets"',
  startTime:
    'headroom runs one scenario at a time (`loadtest --scenario NAME`); run them one after another',
  iterations: 'headroom runs no iteration-count executors; use constant-vus with a duration',
  maxDuration: 'headroom runs no iteration-count executors; use constant-vus with a duration',
};

const K6_NOT_RUN_EXECUTORS = ['shared-iterations', 'per-vu-iterations', 'externally-controlled'];

/** Compiles the section of `plan` (compiled but for it); every problem lands in `ctx.errors`. */
export function compileLoadtests(ctx: CompileContext, plan: Plan): PlanLoadTest[] {
  const section = ctx.raw.loadtests;
  if (!section) return [];
  const base = ['loadtests'];
  const requests = section.requests
    ? compileRequests(ctx, section.requests, [...base, 'requests'])
    : undefined;
  const thresholds = compileThresholds(ctx, section.thresholds, [...base, 'thresholds']);
  const measures =
    section.measures === undefined
      ? undefined
      : compileMeasures(ctx, section.measures, [...base, 'measures']);
  const out: PlanLoadTest[] = [];
  for (const [name, sc] of Object.entries(section.scenarios)) {
    const compiled = compileScenario(ctx, plan, name, sc, { requests, thresholds, measures });
    if (compiled) out.push(compiled);
  }
  return out;
}

/** What the section gives every scenario. */
interface SectionDefaults {
  requests: PlanLoadTest['requests'] | undefined;
  thresholds: PlanLoadTest['thresholds'];
  measures: PlanLoadTest['measures'];
}

function compileScenario(
  ctx: CompileContext,
  plan: Plan,
  name: string,
  sc: RawLoadTestScenario,
  defaults: SectionDefaults,
): PlanLoadTest | undefined {
  const path = ['loadtests', 'scenarios', name];
  rejectNotRun(ctx, sc, path);
  const executor = executorOf(ctx, sc, path);
  const target = compileTarget(ctx, plan, sc, path, defaults);
  const thresholds = [
    ...defaults.thresholds,
    ...compileThresholds(ctx, sc.thresholds, [...path, 'thresholds']),
  ];
  if (!executor || !checkFields(ctx, executor, sc, path)) return undefined;
  const settings = compileSettings(ctx, executor, sc, path);
  if (!settings || !target) return undefined;
  return {
    name,
    description: sc.description,
    executor,
    settings,
    ...target,
    thresholds,
    ...bounds(executor, settings),
  };
}

function rejectNotRun(ctx: CompileContext, sc: RawLoadTestScenario, path: FieldPath): void {
  for (const [field, hint] of Object.entries(NOT_RUN)) {
    if ((sc as Record<string, unknown>)[field] === undefined) continue;
    ctx.fail('PLAN_SCHEMA', [...path, field], `headroom does not run k6's "${field}"`, hint, true);
  }
}

function executorOf(
  ctx: CompileContext,
  sc: RawLoadTestScenario,
  path: FieldPath,
): ScenarioExecutor | undefined {
  const known = Object.keys(EXECUTOR_FIELDS) as ScenarioExecutor[];
  if (K6_NOT_RUN_EXECUTORS.includes(sc.executor)) {
    ctx.fail(
      'PLAN_SCHEMA',
      [...path, 'executor'],
      `headroom does not run k6's ${sc.executor} executor`,
      'use constant-vus or ramping-vus (closed loop), constant-arrival-rate or ramping-arrival-rate (open loop)',
    );
    return undefined;
  }
  if (!known.includes(sc.executor as ScenarioExecutor)) {
    ctx.unknown([...path, 'executor'], 'executor', sc.executor, known);
    return undefined;
  }
  const executor = sc.executor as ScenarioExecutor;
  if (sc.breakpoint === true && executor === 'ramping-arrival-rate') return 'breakpoint';
  if (sc.breakpoint !== undefined && executor !== 'ramping-arrival-rate') {
    ctx.fail(
      'PLAN_SCHEMA',
      [...path, 'breakpoint'],
      `breakpoint applies to ramping-arrival-rate, not ${executor}`,
      'write executor: ramping-arrival-rate with stages up to the highest rate to try, and breakpoint: true',
      true,
    );
    return undefined;
  }
  return executor;
}

/** Each executor takes its own fields, as in k6; one it does not take is an error, not ignored. */
function checkFields(
  ctx: CompileContext,
  executor: ScenarioExecutor,
  sc: RawLoadTestScenario,
  path: FieldPath,
): boolean {
  const allowed = EXECUTOR_FIELDS[executor];
  const written = sc as Record<string, unknown>;
  let ok = true;
  for (const field of EXECUTOR_ONLY) {
    if (written[field] === undefined || allowed.includes(field)) continue;
    ok = false;
    ctx.fail(
      'PLAN_SCHEMA',
      [...path, field],
      `${field} does not apply to ${executor === 'breakpoint' ? 'a breakpoint search' : executor}`,
      `its fields are ${allowed.join(', ')}`,
      true,
    );
  }
  for (const field of REQUIRED[executor]) {
    if (written[field] !== undefined) continue;
    ok = false;
    ctx.fail(
      'PLAN_SCHEMA',
      path,
      `${executor} scenario needs "${field}"`,
      executor === 'breakpoint'
        ? 'its stages bound the search: stages: [{ duration: 10m, target: 2000 }] tries up to 2000/s for at most 10m'
        : `add ${field}, as in k6 (docs/plan.md#loadtests)`,
    );
  }
  return ok;
}

function compileTarget(
  ctx: CompileContext,
  plan: Plan,
  sc: RawLoadTestScenario,
  path: FieldPath,
  defaults: SectionDefaults,
): Pick<PlanLoadTest, 'requests' | 'queue' | 'measures'> | undefined {
  const measures =
    sc.measures === undefined
      ? undefined
      : compileMeasures(ctx, sc.measures, [...path, 'measures']);
  if (sc.queue) {
    if (sc.requests) {
      ctx.fail(
        'PLAN_SCHEMA',
        [...path, 'requests'],
        'a scenario sends requests or adds queue jobs, not both',
        'split it into two scenarios',
        true,
      );
    }
    const queue = compileQueue(ctx, plan, sc.queue, [...path, 'queue']);
    if (!queue || sc.requests) return undefined;
    return { requests: [], queue, measures: measures ?? workerThroughput(ctx, queue.component) };
  }
  if (!sc.requests && !plan.raw.loadtests?.requests) {
    ctx.fail(
      'PLAN_SCHEMA',
      path,
      'the scenario has neither requests nor a queue',
      'add `requests: [{ name, url }]` to it or to loadtests, or `queue: { ref: <worker>, job: { name } }`',
    );
    return undefined;
  }
  const requests = sc.requests
    ? compileRequests(ctx, sc.requests, [...path, 'requests'])
    : defaults.requests;
  if (!requests || (sc.measures !== undefined && !measures)) return undefined;
  return { requests, measures: measures ?? defaults.measures };
}

/** A queue scenario measures its worker pool's `throughput`, when the pool declares one. */
function workerThroughput(
  ctx: CompileContext,
  component: string | undefined,
): PlanLoadTest['measures'] {
  const c = component === undefined ? undefined : ctx.raw.components?.[component];
  return c && capacityResources(c).includes('throughput')
    ? { component: component!, resource: 'throughput' }
    : undefined;
}

type Settings = PlanLoadTest['settings'];

function compileSettings(
  ctx: CompileContext,
  executor: ScenarioExecutor,
  sc: RawLoadTestScenario,
  path: FieldPath,
): Settings | undefined {
  const before = ctx.errors.length;
  const duration = (field: 'duration' | 'timeUnit' | 'gracefulRampDown' | 'step') =>
    sc[field] === undefined
      ? undefined
      : loadDurationMs(ctx, sc[field], [...path, field], {
          positive: field !== 'gracefulRampDown',
        });
  const timeUnitMs = duration('timeUnit') ?? K6_DEFAULTS.timeUnitMs;
  const count = (field: 'vus' | 'startVUs' | 'preAllocatedVUs' | 'maxVUs') =>
    sc[field] === undefined ? undefined : amount(ctx, sc[field], [...path, field], 'count', 1000);
  const rate = (field: 'rate' | 'startRate') =>
    sc[field] === undefined
      ? undefined
      : amount(ctx, sc[field], [...path, field], 'rate', timeUnitMs);
  const kind = executor.includes('vus') ? 'count' : 'rate';
  const stages = sc.stages?.map((s, i) => {
    const p = [...path, 'stages', i];
    const durationMs = loadDurationMs(ctx, s.duration, [...p, 'duration'], { positive: false });
    const target = amount(ctx, s.target, [...p, 'target'], kind, timeUnitMs);
    return durationMs === undefined || target === undefined ? undefined : { durationMs, target };
  });
  // Both are checked; k6's maxVUs defaults to preAllocatedVUs.
  const preAllocatedVUs = count('preAllocatedVUs');
  const maxVUs = count('maxVUs') ?? preAllocatedVUs;
  const settings = pick(executor, {
    vus: count('vus') ?? K6_DEFAULTS.vus,
    startVUs: count('startVUs') ?? K6_DEFAULTS.startVUs,
    rate: rate('rate'),
    startRate: rate('startRate') ?? K6_DEFAULTS.startRate,
    timeUnitMs,
    durationMs: duration('duration'),
    maxVUs,
    gracefulRampDownMs: duration('gracefulRampDown') ?? K6_DEFAULTS.gracefulRampDownMs,
    stages: stages?.every((s) => s !== undefined) ? stages : undefined,
  });
  if (executor === 'breakpoint') {
    duration('step');
    checkBreakpoint(ctx, sc, path, settings);
  }
  checkVuBounds(ctx, sc, path);
  return ctx.errors.length > before ? undefined : settings;
}

/** Keeps the settings the executor uses. */
function pick(executor: ScenarioExecutor, all: Settings): Settings {
  const fields: Record<ScenarioExecutor, (keyof Settings)[]> = {
    'constant-vus': ['vus', 'durationMs'],
    'ramping-vus': ['startVUs', 'stages', 'gracefulRampDownMs'],
    'constant-arrival-rate': ['rate', 'timeUnitMs', 'durationMs', 'maxVUs'],
    'ramping-arrival-rate': ['startRate', 'timeUnitMs', 'stages', 'maxVUs'],
    breakpoint: ['startRate', 'timeUnitMs', 'stages', 'maxVUs'],
  };
  const out: Record<string, unknown> = {};
  for (const f of fields[executor]) if (all[f] !== undefined) out[f] = all[f];
  return out as Settings;
}

function checkBreakpoint(
  ctx: CompileContext,
  sc: RawLoadTestScenario,
  path: FieldPath,
  settings: Settings,
): void {
  const start = settings.startRate;
  if (typeof start === 'number' && !(start > 0)) {
    ctx.fail(
      'PLAN_SCHEMA',
      [...path, 'startRate'],
      `a breakpoint search starts above 0, not at ${start}`,
      'write the first rate to try, e.g. startRate: 10',
    );
  }
  const targets = (settings.stages ?? []).map((st) => st.target);
  const top = Math.max(...targets.map((t) => (typeof t === 'number' ? t : Infinity)));
  if (typeof start === 'number' && targets.length > 0 && !(top > start)) {
    ctx.fail(
      'PLAN_SCHEMA',
      [...path, 'stages'],
      `no stage target is above startRate (${start}): the search would have nowhere to go`,
      'the highest stage target is the highest rate the search may try, e.g. stages: [{ duration: 10m, target: 2000 }]',
    );
  }
  if (sc.growth !== undefined && !(sc.growth > 1)) {
    ctx.fail(
      'PLAN_SCHEMA',
      [...path, 'growth'],
      `growth ${sc.growth} does not grow`,
      'write the factor between steps, above 1 (1.5 = +50 % a step)',
    );
  }
  if (sc.resolution !== undefined && !(sc.resolution > 0 && sc.resolution < 1)) {
    ctx.fail(
      'PLAN_SCHEMA',
      [...path, 'resolution'],
      `resolution ${sc.resolution} is not a fraction between 0 and 1`,
      'write how close the search gets, e.g. 0.05 (within 5 %)',
    );
  }
}

function checkVuBounds(ctx: CompileContext, sc: RawLoadTestScenario, path: FieldPath): void {
  const pre = sc.preAllocatedVUs;
  const max = sc.maxVUs;
  if (typeof pre === 'number' && typeof max === 'number' && max < pre) {
    ctx.fail(
      'PLAN_SCHEMA',
      [...path, 'maxVUs'],
      `maxVUs (${max}) is below preAllocatedVUs (${pre})`,
      'make maxVUs at least preAllocatedVUs, as k6 requires',
    );
  }
}
