/**
 * Checks the remaining sections — SLOs, autoscale, notify, checklist, scenarios and reviews —
 * for references and units.
 */
import type { CompileContext } from './context.ts';
import { compileCost } from './compile-tiers.ts';
import type { PlanTier } from './types.ts';
import { parseDurationMs } from './units.ts';
import { parseWaitObjective } from './wait-objective.ts';

/** Runs every section check; problems land in `ctx.errors`. */
export function checkSections(ctx: CompileContext, tiers: PlanTier[]): void {
  checkSlos(ctx);
  checkAutoscale(ctx);
  checkChecklist(ctx, tiers);
  checkScenarios(ctx);
  (ctx.raw.reviews ?? []).forEach((r, i) => ctx.duration(r.every, ['reviews', i, 'every'], 0));
}

function metricNames(ctx: CompileContext): string[] {
  return Object.keys(ctx.raw.metrics ?? {});
}

function checkSlos(ctx: CompileContext): void {
  (ctx.raw.slos ?? []).forEach((slo, i) => {
    const path = ['slos', i];
    if ((slo.metric === undefined) === (slo.expr === undefined)) {
      ctx.fail(
        'PLAN_SCHEMA',
        path,
        `SLO "${slo.name}" needs exactly one of "metric" or "expr"`,
        'name the metric the objective is about, or give an expression',
      );
      return;
    }
    const text = slo.metric ?? slo.expr!;
    if (slo.metric !== undefined && !ctx.raw.metrics?.[slo.metric]) {
      ctx.unknown([...path, 'metric'], 'metric', slo.metric, metricNames(ctx));
      return;
    }
    const expr = ctx.expr(text, [...path, slo.metric !== undefined ? 'metric' : 'expr']);
    if (!expr) return;
    const unit = ctx.probeUnit(expr, [...path, 'expr']);
    ctx.condition(slo.objective, [...path, 'objective'], unit);
    ctx.duration(slo.window, [...path, 'window'], 0);
  });
}

const POLICY_NEEDS: Record<
  string,
  { field: 'target' | 'steps' | 'slo' | 'replicas'; example: string } | undefined
> = {
  hpa: { field: 'target', example: 'target: 100 (average queue length per replica)' },
  step: {
    field: 'steps',
    example: 'steps: [{ when: "> 500", change: 5 }, { when: "< 50", change: -2 }]',
  },
  'target-latency': { field: 'slo', example: 'slo: "wait_p95 <= 30s"' },
  predictive: { field: 'slo', example: 'slo: "wait_p95 <= 30s"' },
  fixed: { field: 'replicas', example: 'replicas: 3' },
};

function checkAutoscale(ctx: CompileContext): void {
  for (const [name, a] of Object.entries(ctx.raw.autoscale ?? {})) {
    const path = ['autoscale', name];
    const component = ctx.raw.components?.[name];
    if (!component) {
      ctx.unknown(path, 'component', name, Object.keys(ctx.raw.components ?? {}), true);
      continue;
    }
    const metric = a.metric ?? component.queue;
    if (metric === undefined && a.policy !== 'fixed' && a.metrics === undefined) {
      ctx.fail(
        'PLAN_SCHEMA',
        path,
        `autoscale "${name}" needs a metric to scale on`,
        'add `metric: <queue depth metric>` here or `queue:` on the component',
      );
    } else if (metric !== undefined && !ctx.raw.metrics?.[metric]) {
      ctx.unknown(
        [...path, a.metric !== undefined ? 'metric' : 'policy'],
        'metric',
        metric,
        metricNames(ctx),
      );
    }
    if (a.oldest_wait !== undefined && !ctx.raw.metrics?.[a.oldest_wait])
      ctx.unknown([...path, 'oldest_wait'], 'metric', a.oldest_wait, metricNames(ctx));
    (a.metrics ?? []).forEach((m, i) => {
      if (!ctx.raw.metrics?.[m.metric])
        ctx.unknown([...path, 'metrics', i, 'metric'], 'metric', m.metric, metricNames(ctx));
    });
    if (a.from_tier !== undefined && !(ctx.raw.tiers ?? []).some((t) => t.name === a.from_tier)) {
      ctx.unknown(
        [...path, 'from_tier'],
        'tier',
        a.from_tier,
        (ctx.raw.tiers ?? []).map((t) => t.name),
      );
    }
    (a.steps ?? []).forEach((step, i) => ctx.duration(step.for, [...path, 'steps', i, 'for'], 0));
    const need = POLICY_NEEDS[a.policy];
    const multiMetric = a.metrics !== undefined && need?.field === 'target';
    if (need && a[need.field] === undefined && !multiMetric) {
      ctx.fail(
        'PLAN_SCHEMA',
        [...path, 'policy'],
        `policy "${a.policy}" needs "${need.field}"`,
        `add ${need.example}`,
      );
    }
    (a.steps ?? []).forEach((s, i) => ctx.condition(s.when, [...path, 'steps', i, 'when'], ''));
    if (a.slo !== undefined && !parseWaitObjective(a.slo)) {
      ctx.fail(
        'PLAN_SCHEMA',
        [...path, 'slo'],
        `"${a.slo}" is not a wait objective`,
        'write wait_p95 <= 30s (any percentile), or wait_mean <= 5s',
      );
    }
    if (a.min !== undefined && a.max !== undefined && a.min > a.max) {
      ctx.fail('PLAN_SCHEMA', path, `min (${a.min}) is above max (${a.max})`, 'make min <= max');
    }
    for (const field of ['interval', 'cooldown', 'scale_down_cooldown', 'startup'] as const) {
      ctx.duration(a[field], [...path, field], 0);
    }
  }
}

const SCALE = /^\s*\d+(\.\d+)?\s*x\s*$/;

function checkScenarios(ctx: CompileContext): void {
  (ctx.raw.scenarios ?? []).forEach((sc, i) => {
    const path = ['scenarios', i];
    if (sc.scale !== undefined && !SCALE.test(sc.scale)) {
      ctx.fail(
        'PLAN_SCHEMA',
        [...path, 'scale'],
        `"${sc.scale}" is not a load multiplier`,
        'write e.g. scale: 10x',
      );
    }
    for (const driver of Object.keys(sc.set ?? {})) {
      if (!ctx.raw.drivers?.[driver])
        ctx.unknown(
          [...path, 'set', driver],
          'driver',
          driver,
          Object.keys(ctx.raw.drivers ?? {}),
          true,
        );
    }
    for (const field of ['for', 'rto', 'rpo'] as const)
      ctx.duration(sc[field], [...path, field], 0);
    (sc.response ?? []).forEach((r, j) => {
      if (!isDurationOrRange(r.within)) {
        ctx.fail(
          'PLAN_SCHEMA',
          [...path, 'response', j, 'within'],
          `"${r.within}" is not a duration or a range of durations`,
          'write e.g. 30m, 4h or 1-3 days',
        );
      }
    });
    compileCost(ctx, sc.cost, [...path, 'cost']);
  });
}

/** `30m`, `4 hours`, or a range whose upper end is a duration: `1-3 days`, `0-30 min`. */
function isDurationOrRange(text: string): boolean {
  if (parseDurationMs(text) !== undefined) return true;
  const range = /^\s*\d+(?:\.\d+)?\s*-\s*(.+)$/.exec(text);
  return range !== null && parseDurationMs(range[1]!.trim()) !== undefined;
}

function checkChecklist(ctx: CompileContext, tiers: PlanTier[]): void {
  const scenarios = Object.keys(ctx.raw.loadtests?.scenarios ?? {});
  (ctx.raw.checklist ?? []).forEach((list, i) => {
    if (list.tier !== undefined && !tiers.some((t) => t.name === list.tier)) {
      ctx.unknown(
        ['checklist', i, 'tier'],
        'tier',
        list.tier,
        tiers.map((t) => t.name),
      );
    }
    // An item may name the load-test scenario whose last passing run ticks it.
    list.items.forEach((item, j) => {
      if (typeof item === 'string' || item.loadtest === undefined) return;
      if (!scenarios.includes(item.loadtest))
        ctx.unknown(
          ['checklist', i, 'items', j, 'loadtest'],
          'load-test scenario',
          item.loadtest,
          scenarios,
        );
    });
  });
}
