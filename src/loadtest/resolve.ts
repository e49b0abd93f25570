/**
 * Resolves a plan scenario (`PlanLoadTest`, amounts unresolved) into runnable executor settings
 * when a run starts: plan expressions (`3 * api_request_rate`) are evaluated over the current
 * metric values with the plan's formula graph, k6's defaults fill what the scenario leaves out
 * (timeUnit 1 s, gracefulRampDown 30 s, maxVUs = preAllocatedVUs), and a `breakpoint` scenario
 * becomes a search (step 10 s, growth 1.5, resolution 0.05). Rates in the result are per second
 * (`timeUnitMs` is 1000). Pure: no I/O, no clock.
 */
import { HeadroomError } from '../errors.ts';
import { BREAKPOINT_DEFAULTS, K6_DEFAULTS } from '../plan/compile-loadtests.ts';
import { compileExpression } from '../plan/expression.ts';
import { MissingInputError } from '../plan/graph.ts';
import type { Plan } from '../plan/types.ts';
import { formatPath } from '../plan/source-map.ts';
import { parseDurationMs, toQuantity } from '../plan/units.ts';
import type { Amount, BreakpointSpec, ExecutorSpec, PlanLoadTest, Stage } from './types.ts';

/** What a scenario resolves to: an executor's settings, or a breakpoint search. */
export type ResolvedScenario = ExecutorSpec | { executor: 'breakpoint'; search: BreakpointSpec };

/** Mean time an iteration may take before one is dropped, when a scenario gives no maxVUs, ms. */
export const DEFAULT_INFLIGHT_MS = 1000;

/**
 * The scenario's settings with every amount evaluated now. `metrics` are the current values of
 * the plan's source metrics (and window keys), canonical units. Throws LOADTEST_CONFIG naming
 * the scenario and field when an amount cannot be evaluated (a metric with no value) or is out
 * of range.
 */
export function resolveScenario(
  plan: Plan,
  scenario: PlanLoadTest,
  metrics: Record<string, number | undefined>,
): ResolvedScenario {
  const r = new Resolver(plan, scenario, metrics);
  const s = scenario.settings;
  switch (scenario.executor) {
    case 'constant-vus':
      return {
        executor: 'constant-vus',
        vus: r.vus('vus', s.vus ?? K6_DEFAULTS.vus, 1),
        durationMs: r.required('duration', s.durationMs),
      };
    case 'ramping-vus':
      return {
        executor: 'ramping-vus',
        startVUs: r.vus('startVUs', s.startVUs ?? K6_DEFAULTS.startVUs, 0),
        stages: r.stages('vus'),
        gracefulRampDownMs: s.gracefulRampDownMs ?? K6_DEFAULTS.gracefulRampDownMs,
      };
    case 'constant-arrival-rate': {
      const rate = r.rate('rate', r.required('rate', s.rate));
      return {
        executor: 'constant-arrival-rate',
        rate,
        timeUnitMs: 1000,
        durationMs: r.required('duration', s.durationMs),
        maxVUs: r.maxVUs(rate),
      };
    }
    case 'ramping-arrival-rate': {
      const startRate = r.rate('startRate', s.startRate ?? K6_DEFAULTS.startRate);
      const stages = r.stages('rate');
      return {
        executor: 'ramping-arrival-rate',
        startRate,
        timeUnitMs: 1000,
        stages,
        maxVUs: r.maxVUs(Math.max(startRate, ...stages.map((st) => st.target))),
      };
    }
    case 'breakpoint':
      return { executor: 'breakpoint', search: breakpointSearch(plan, scenario, r) };
  }
}

function breakpointSearch(plan: Plan, scenario: PlanLoadTest, r: Resolver): BreakpointSpec {
  const stages = r.stages('rate');
  const startRate = r.rate('startRate', scenario.settings.startRate ?? K6_DEFAULTS.startRate);
  const maxRate = Math.max(0, ...stages.map((st) => st.target));
  if (!(startRate > 0))
    r.fail(
      'startRate',
      `a breakpoint search starts at a rate above 0, not ${startRate}/s`,
      'write startRate: 10 (per timeUnit)',
    );
  if (!(maxRate > startRate)) {
    r.fail(
      'stages',
      `the highest stage target (${round(maxRate)}/s) is not above startRate (${round(startRate)}/s)`,
      'the stages bound the search: give a target above startRate, the highest rate to try',
    );
  }
  // The contract's settings carry no breakpoint fields; compile checked them where written.
  const raw = plan.raw.loadtests?.scenarios[scenario.name];
  const stepMs = raw?.step === undefined ? undefined : parseDurationMs(raw.step);
  return {
    startRate,
    maxRate,
    stepMs: stepMs ?? BREAKPOINT_DEFAULTS.stepMs,
    growth: raw?.growth ?? BREAKPOINT_DEFAULTS.growth,
    resolution: raw?.resolution ?? BREAKPOINT_DEFAULTS.resolution,
    maxDurationMs: stages.reduce((sum, st) => sum + st.durationMs, 0),
    maxVUs: r.maxVUs(maxRate),
  };
}

/** Evaluates one scenario's amounts, with errors that name it. */
class Resolver {
  private readonly names: Set<string>;
  private readonly sourceMetrics: Set<string>;
  private readonly timeUnitMs: number;

  constructor(
    private readonly plan: Plan,
    private readonly scenario: PlanLoadTest,
    private readonly metrics: Record<string, number | undefined>,
  ) {
    const raw = plan.raw;
    this.names = new Set(
      (['params', 'drivers', 'metrics', 'components'] as const).flatMap((s) =>
        Object.keys(raw[s] ?? {}),
      ),
    );
    this.sourceMetrics = new Set(
      Object.values(plan.metrics).flatMap((m) => (m.source !== undefined ? [m.name] : [])),
    );
    this.timeUnitMs = scenario.settings.timeUnitMs ?? K6_DEFAULTS.timeUnitMs;
  }

  /** A whole number of VUs, at least `min`. */
  vus(field: string, amount: Amount, min: number): number {
    const q = this.evaluate(field, amount);
    if (q.unit !== '')
      this.fail(
        field,
        `"${text(amount)}" is ${q.unit}, not a number of VUs`,
        'write a plain number',
      );
    const vus = Math.round(q.value);
    if (!(vus >= min) || !Number.isFinite(vus)) {
      this.fail(
        field,
        `"${text(amount)}" comes to ${round(q.value)} VUs now`,
        `it must be at least ${min}`,
      );
    }
    return vus;
  }

  /** A rate per second: a plain amount is per timeUnit, a rate (`req/s`) is what it says. */
  rate(field: string, amount: Amount): number {
    const q = this.evaluate(field, amount);
    // A constant was converted to per-timeUnit at compile; a formula's unit says which it is.
    const perSecond =
      q.unit === '1/s' ? q.value : q.unit === '' ? (q.value * 1000) / this.timeUnitMs : NaN;
    if (q.unit !== '' && q.unit !== '1/s') {
      this.fail(
        field,
        `"${text(amount)}" is ${q.unit}, not a rate`,
        'write a number per timeUnit, or a rate such as 100 req/s',
      );
    }
    if (!(perSecond >= 0) || !Number.isFinite(perSecond)) {
      this.fail(
        field,
        `"${text(amount)}" comes to ${round(perSecond)}/s now`,
        'a rate is 0 or more',
      );
    }
    return perSecond;
  }

  /** Stages with targets resolved: VUs, or rates per second. */
  stages(kind: 'vus' | 'rate'): Stage[] {
    const stages = this.scenario.settings.stages ?? [];
    if (stages.length === 0)
      this.fail(
        'stages',
        'the scenario has no stages',
        'add stages: [{ duration: 5m, target: 100 }]',
      );
    return stages.map((st, i) => ({
      durationMs: st.durationMs,
      target:
        kind === 'vus'
          ? this.vus(`stages[${i}].target`, st.target, 0)
          : this.rate(`stages[${i}].target`, st.target),
    }));
  }

  /** maxVUs as written (or preAllocatedVUs); else enough for iterations of up to 1 s at `peakPerSecond`. */
  maxVUs(peakPerSecond: number): number {
    const written = this.scenario.settings.maxVUs;
    if (written !== undefined) return this.vus('maxVUs', written, 1);
    return Math.max(1, Math.ceil((peakPerSecond * DEFAULT_INFLIGHT_MS) / 1000));
  }

  /** A field compile guarantees; its absence means the scenario was built by hand. */
  required<T>(field: string, value: T | undefined): T {
    if (value === undefined)
      this.fail(field, `the scenario has no ${field}`, `add ${field}, as in k6`);
    return value!;
  }

  /** Throws LOADTEST_CONFIG at the scenario's field. */
  fail(field: string, message: string, hint: string): never {
    const path = ['loadtests', 'scenarios', this.scenario.name, ...fieldPath(field)];
    throw new HeadroomError(
      'LOADTEST_CONFIG',
      `scenario "${this.scenario.name}": ${field} ${message}`,
      {
        ...this.plan.map.locate(path),
        path: formatPath(path),
        hint,
      },
    );
  }

  private evaluate(field: string, amount: Amount): { value: number; unit: string } {
    if (typeof amount === 'number') return { value: amount, unit: '' };
    const expr = compileExpression(amount.expr, this.plan.units, this.names, this.sourceMetrics);
    try {
      const q = toQuantity(
        this.plan.units,
        this.plan.graph.evaluateExpr(expr, { metrics: this.metrics }),
      );
      return { value: q.value, unit: q.unit };
    } catch (err) {
      if (!(err instanceof MissingInputError)) throw err;
      const source = this.plan.metrics[err.metric]?.source;
      return this.fail(
        field,
        `"${amount.expr}" needs metric "${err.metric}", which has no value now`,
        source !== undefined
          ? `check that source "${source}" is up (headroom check --plan ${this.plan.file}), or write the ${field} as a number`
          : `write the ${field} as a number`,
      );
    }
  }
}

/** `stages[0].target` as path parts. */
function fieldPath(field: string): (string | number)[] {
  return field
    .split(/\.|\[(\d+)\]/)
    .flatMap<string | number>((p) =>
      p === undefined || p === '' ? [] : /^\d+$/.test(p) ? [Number(p)] : [p],
    );
}

function text(amount: Amount): string {
  return typeof amount === 'number' ? String(amount) : amount.expr;
}

function round(v: number): string {
  return Number.isFinite(v) ? String(Number(v.toPrecision(4))) : String(v);
}
