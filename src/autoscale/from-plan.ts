/**
 * `policyFromPlan`: compiles one entry of the plan's `autoscale:` section (as written, on
 * `plan.raw.autoscale`) into a `PolicySpec`, its `SafetyOptions` and its timing:
 *
 *   policy: hpa            metric + target, or metrics: [{ metric, target }, …]
 *   policy: step           metric, steps: [{ when: "> 500", change: 5, for: 5m }, …]
 *   policy: target-latency slo: wait_p95 <= 60s
 *   policy: predictive     slo, startup, interval
 *   policy: fixed          replicas
 *
 * The metric defaults to the component's `queue`. min and max come from the entry, else from
 * the component's `replicas: { min, max }` (min defaults to 1, as Kubernetes' minReplicas;
 * for `fixed`, its `replicas` comes before the component's bounds). `interval` defaults to the plan's interval, `startup`
 * to 0. Cooldowns: for `step`, `cooldown` and `scale_down_cooldown` are its cooldowns; for `hpa`
 * they are the HPA's scale-up and scale-down stabilization windows (Kubernetes' replacement for
 * cooldowns); for `target-latency` and `predictive` only `scale_down_cooldown` is accepted (the
 * scale-down stabilization window): they scale up as soon as the objective needs it.
 *
 * Anything that cannot be compiled throws a `HeadroomError` (PLAN_SCHEMA) naming the field.
 */
import { HeadroomError } from '../errors.ts';
import type { RawAutoscale, RawComponent } from '../plan/schema.ts';
import { formatPath, type FieldPath } from '../plan/source-map.ts';
import type { Plan } from '../plan/types.ts';
import { parseDurationMs } from '../plan/units.ts';
import { parseWaitObjective } from '../plan/wait-objective.ts';
import { parseCondition } from '../rules/condition.ts';
import type { PolicySpec, SafetyOptions, StepRule, Threshold, WaitTarget } from './types.ts';

/** Options that the plan does not say. */
export interface PolicyFromPlanOptions {
  /** Overrides the entry's `dry_run`. */
  dryRun?: boolean;
  /** Worker start-up delay, ms, when the entry has no `startup` (default 0). */
  startupMs?: number;
  /** Mean service time per job, s, for target-latency and predictive (else measured). */
  serviceTimeSec?: number;
  /** Further rails (flap budget, fallback, rate limits); the plan's min, max and windows win. */
  safety?: Partial<SafetyOptions>;
}

/** One compiled `autoscale:` entry. */
export interface CompiledAutoscale {
  spec: PolicySpec;
  safety: SafetyOptions;
  /** How often to decide, ms. */
  intervalMs: number;
  /** Worker start-up delay, ms. */
  startupMs: number;
  dryRun: boolean;
  /** The entry's `actuator:` as written. */
  actuator?: Record<string, unknown>;
}

/** Compiles the plan's `autoscale.<name>` entry. */
export function policyFromPlan(
  plan: Plan,
  name: string,
  options: PolicyFromPlanOptions = {},
): CompiledAutoscale {
  const entries = plan.raw.autoscale ?? {};
  const entry = entries[name];
  const fail = (path: FieldPath, message: string, hint?: string): never => {
    const full = ['autoscale', name, ...path];
    throw new HeadroomError('PLAN_SCHEMA', `${formatPath(full)}: ${message}`, {
      ...plan.map.locate(full),
      hint,
    });
  };
  if (entry === undefined) {
    const known = Object.keys(entries);
    fail(
      [],
      `no autoscale entry "${name}"`,
      known.length ? `the plan has ${known.join(', ')}` : 'add an autoscale: section',
    );
  }
  const a = entry!;
  const component = plan.raw.components?.[name];
  const ms = (
    field: 'interval' | 'cooldown' | 'scale_down_cooldown' | 'startup',
  ): number | undefined => {
    const text = a[field];
    if (text === undefined) return undefined;
    const value = parseDurationMs(text);
    if (value === undefined)
      fail([field], `"${text}" is not a duration`, 'write e.g. 30s, 5m or 1h');
    return value;
  };
  const onlyFor = (field: 'cooldown' | 'scale_down_cooldown', kinds: string): void => {
    if (a[field] !== undefined)
      fail([field], `policy ${a.policy} takes no ${field}`, `${field} is for ${kinds}`);
  };
  const bounds = replicaBounds(name, a, component, fail);
  const safety: SafetyOptions = { ...options.safety, min: bounds.min, max: bounds.max };
  const dryRun = options.dryRun ?? a.dry_run ?? false;
  if (dryRun) safety.dryRun = true;
  const intervalMs = ms('interval') ?? plan.intervalMs;
  const startupMs = ms('startup') ?? options.startupMs ?? 0;
  const metric = a.metric ?? component?.queue;
  const needMetric = (): string =>
    metric ??
    fail(
      ['metric'],
      `policy ${a.policy} needs a metric`,
      'add metric: <name>, or queue: on the component',
    );
  let spec: PolicySpec;
  switch (a.policy) {
    case 'fixed':
      onlyFor('cooldown', 'step and hpa');
      onlyFor('scale_down_cooldown', 'step, hpa, target-latency and predictive');
      spec = {
        kind: 'fixed',
        replicas:
          a.replicas ?? fail(['replicas'], 'policy fixed needs replicas', 'add replicas: 3'),
      };
      break;
    case 'hpa': {
      if (a.metrics !== undefined && (a.metric !== undefined || a.target !== undefined)) {
        fail(['metrics'], 'write either metric + target or metrics, not both');
      }
      const metrics = a.metrics ?? [
        {
          metric: needMetric(),
          target:
            a.target ??
            fail(['target'], 'policy hpa needs a target', 'add target: 100 (per replica)'),
        },
      ];
      spec = { kind: 'hpa', metrics: metrics.map((m) => ({ metric: m.metric, target: m.target })) };
      const up = ms('cooldown');
      if (up !== undefined) spec.scaleUpStabilizationMs = up;
      const down = ms('scale_down_cooldown');
      if (down !== undefined) safety.scaleDownStabilizationMs = down;
      break;
    }
    case 'step': {
      const steps =
        a.steps ??
        fail(['steps'], 'policy step needs steps', 'add steps: [{ when: "> 500", change: 5 }]');
      if (steps.length === 0) fail(['steps'], 'policy step needs at least one step');
      spec = {
        kind: 'step',
        metric: needMetric(),
        steps: steps.map((s, i): StepRule => {
          const forMs = s.for === undefined ? 0 : parseDurationMs(s.for);
          if (forMs === undefined) fail(['steps', i, 'for'], `"${s.for}" is not a duration`);
          return {
            when: threshold(s.when, (m) => fail(['steps', i, 'when'], m)),
            change: s.change,
            forMs: forMs!,
          };
        }),
        cooldownMs: ms('cooldown') ?? 0,
      };
      const down = ms('scale_down_cooldown');
      if (down !== undefined) spec.scaleDownCooldownMs = down;
      break;
    }
    case 'target-latency':
    case 'predictive': {
      onlyFor(
        'cooldown',
        'step and hpa; target-latency and predictive scale up as soon as the objective needs it',
      );
      const slo = waitTarget(a, (path, m, hint) => fail(path, m, hint));
      const down = ms('scale_down_cooldown');
      if (down !== undefined) safety.scaleDownStabilizationMs = down;
      const service = options.serviceTimeSec;
      spec =
        a.policy === 'target-latency'
          ? { kind: 'target-latency', slo }
          : { kind: 'predictive', slo, startupMs, intervalMs };
      if (service !== undefined) spec.serviceTimeSec = service;
      break;
    }
  }
  const compiled: CompiledAutoscale = { spec, safety, intervalMs, startupMs, dryRun };
  if (a.actuator !== undefined) compiled.actuator = { ...a.actuator };
  return compiled;
}

type Fail = (path: FieldPath, message: string, hint?: string) => never;

function replicaBounds(
  name: string,
  a: RawAutoscale,
  component: RawComponent | undefined,
  fail: Fail,
): { min: number; max: number } {
  const r = typeof component?.replicas === 'object' ? component.replicas : undefined;
  const fixed = a.policy === 'fixed' ? a.replicas : undefined;
  const min = a.min ?? fixed ?? r?.min ?? 1;
  const max =
    a.max ??
    fixed ??
    r?.max ??
    fail(
      ['max'],
      'no max replicas',
      `add max: to autoscale.${name}, or replicas: { max } to component ${name}`,
    );
  if (min > max) fail(['min'], `min (${min}) is above max (${max})`, 'make min <= max');
  return { min, max };
}

function threshold(text: string, fail: (message: string) => never): Threshold {
  let parsed;
  try {
    parsed = parseCondition(text);
  } catch (err) {
    return fail(`"${text}" is not a threshold: ${(err as Error).message}`);
  }
  const { op, threshold: value } = parsed;
  if (op === '==' || op === '!=') return fail(`"${text}": a step needs >, >=, < or <=`);
  return { op, value };
}

function waitTarget(a: RawAutoscale, fail: Fail): WaitTarget {
  if (a.slo === undefined) {
    return fail(['slo'], `policy ${a.policy} needs slo`, 'add slo: "wait_p95 <= 30s"');
  }
  return (
    parseWaitObjective(a.slo) ??
    fail(
      ['slo'],
      `"${a.slo}" is not a wait objective`,
      'write wait_p95 <= 30s (any percentile), or wait_mean <= 5s',
    )
  );
}
