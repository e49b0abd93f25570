/**
 * Compiles a schema-valid plan: checks names, references, units and cycles, builds the
 * formula graph and the triggers. Reports every problem found, each with its location.
 */
import { HeadroomErrors, type HeadroomError } from '../errors.ts';
import { CompileContext } from './context.ts';
import { FormulaGraph } from './graph.ts';
import { checkSections } from './compile-sections.ts';
import { compileComponents, checkComponentUnits } from './compile-components.ts';
import type { RawPlan } from './schema.ts';
import type { SourceMap } from './source-map.ts';
import type { Plan, PlanDriver, PlanGrowth, PlanMetric, PlanTrigger, PlanLevel } from './types.ts';
import { createUnitSystem, parseDurationMs, toQuantity, type Quantity } from './units.ts';
import { compileSourcesAndMetrics } from './compile-metrics.ts';
import { compileTiers } from './compile-tiers.ts';
import { compileCosts } from './compile-costs.ts';
import { compileLoadtests } from './compile-loadtests.ts';
import { compileMeasured } from './compile-measured.ts';

/** Default collection interval when the plan gives none, ms. */
export const DEFAULT_INTERVAL_MS = 15_000;

/** How long a source may read nothing before `source-down` fires, when the plan does not say. */
export const DEFAULT_SOURCE_DOWN_FOR_MS = 60_000;

/** Compiles `raw`; throws `HeadroomErrors` with every problem found. */
export function compilePlan(raw: RawPlan, map: SourceMap): Plan {
  const units = createUnitSystem(raw.units ?? []);
  const sections = nameSections(raw);
  const graph = new FormulaGraph(units, sections, resourceFields(raw));
  const ctx = new CompileContext(raw, map, units, new Set(sections.keys()), graph);
  checkNameClashes(ctx);
  const intervalMs = ctx.duration(raw.interval, ['interval'], DEFAULT_INTERVAL_MS);
  const sourceDown = {
    forMs: ctx.duration(raw.source_down?.for, ['source_down', 'for'], DEFAULT_SOURCE_DOWN_FOR_MS),
    severity: raw.source_down?.severity ?? 'critical',
    action:
      raw.source_down?.action ??
      'Check that the source is reachable; its triggers are unknown meanwhile',
  } as const;
  if ((raw.triggers ?? []).some((t) => t.name === 'source-down')) {
    ctx.fail(
      'PLAN_DUPLICATE',
      ['triggers'],
      '"source-down" is the name of the built-in trigger',
      'rename your trigger; tune the built-in one with `source_down: { for, severity, action }`',
    );
  }
  const params = compileParams(ctx);
  const metrics = compileSourcesAndMetrics(ctx);
  const drivers = compileDrivers(ctx, metrics);
  compileComponents(ctx);
  const cycle = ctx.graph.findCycle();
  if (cycle) {
    const node = ctx.graph.nodes.get(cycle[0]!);
    ctx.fail(
      'PLAN_CYCLE',
      node?.path ?? [],
      `formulas refer to each other in a cycle: ${cycle.join(' → ')}`,
      'break the cycle: one of these formulas must not depend on the others',
    );
    throw new HeadroomErrors(byPosition(ctx.errors));
  }
  // Unit checks evaluate the graph; with broken references they would only echo those errors.
  ctx.graphComplete = ctx.errors.length === 0;
  if (ctx.graphComplete) checkComponentUnits(ctx);
  const triggers = compileTriggers(ctx);
  const tiers = compileTiers(ctx);
  checkSections(ctx, tiers);
  const costs = compileCosts(ctx);
  const plan: Plan = {
    file: String(map.locate([]).file),
    name: raw.name,
    intervalMs,
    raw,
    map,
    units,
    graph: ctx.graph,
    params,
    metrics,
    drivers,
    triggers,
    tiers,
    costs,
    sourceDown,
    loadtests: [],
    measured: [],
  };
  // Load tests resolve their queues as `loadtest --queue` does: on the plan compiled so far.
  plan.loadtests = compileLoadtests(ctx, plan);
  plan.measured = compileMeasured(ctx);
  if (ctx.errors.length > 0) throw new HeadroomErrors(byPosition(ctx.errors));
  return plan;
}

/** Errors in document order. */
function byPosition(errors: HeadroomError[]): HeadroomError[] {
  return [...errors].sort(
    (a, b) =>
      (a.location.line ?? 0) - (b.location.line ?? 0) ||
      (a.location.column ?? 0) - (b.location.column ?? 0),
  );
}

/** Which section each plain name resolves to; a driver shadows its own metric. */
function nameSections(raw: RawPlan): Map<string, string> {
  const sections = new Map<string, string>();
  for (const section of ['components', 'metrics', 'drivers', 'params'] as const) {
    for (const name of Object.keys(raw[section] ?? {})) sections.set(name, section);
  }
  return sections;
}

/** `capacity.storage`, `usage.storage`, … declared by each component. */
function resourceFields(raw: RawPlan): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const [name, c] of Object.entries(raw.components ?? {})) {
    const fields = new Set<string>();
    for (const field of ['capacity', 'per_replica', 'usage', 'model'] as const) {
      for (const resource of Object.keys(c[field] ?? {})) fields.add(`${field}.${resource}`);
    }
    out.set(name, fields);
  }
  return out;
}

/** A name may live in one of params/drivers/metrics/components — except a driver bound to its own metric. */
function checkNameClashes(ctx: CompileContext): void {
  const sections = ['params', 'drivers', 'metrics', 'components'] as const;
  const owner = new Map<string, string>();
  for (const section of sections) {
    for (const name of Object.keys(ctx.raw[section] ?? {})) {
      const first = owner.get(name);
      const driverOfMetric =
        section === 'metrics' && first === 'drivers' && ctx.raw.drivers?.[name]?.metric === name;
      if (first && !driverOfMetric) {
        ctx.fail(
          'PLAN_DUPLICATE',
          [section, name],
          `"${name}" is declared in both ${first} and ${section}`,
          'give each param, driver, metric and component its own name',
          true,
        );
      } else if (!first) owner.set(name, section);
    }
  }
  for (const section of ['triggers', 'tiers', 'slos', 'checklist', 'scenarios'] as const) {
    const seen = new Map<string, number>();
    (ctx.raw[section] ?? []).forEach((entry, i) => {
      const prev = seen.get(entry.name);
      if (prev !== undefined) {
        ctx.fail(
          'PLAN_DUPLICATE',
          [section, i, 'name'],
          `${section} "${entry.name}" is declared twice (also at ${section}[${prev}])`,
          'rename one of them; names must be unique within a section',
        );
      } else seen.set(entry.name, i);
    });
  }
}

function compileParams(ctx: CompileContext): Record<string, Quantity> {
  const out: Record<string, Quantity> = {};
  for (const [name, text] of Object.entries(ctx.raw.params ?? {})) {
    const path = ['params', name];
    const expr = ctx.expr(text, path);
    if (!expr) continue;
    ctx.graph.add({ key: `params.${name}`, path, expr, deps: ctx.graph.dependencies(expr) });
    if (expr.symbols.length + expr.paths.length === 0) {
      try {
        out[name] = toQuantity(ctx.units, expr.evaluate({}));
      } catch (err) {
        ctx.fail(
          'PLAN_UNIT',
          path,
          `cannot evaluate "${text}": ${(err as Error).message}`,
          'check the units on both sides of + and -',
        );
      }
    }
  }
  return out;
}

function compileDrivers(
  ctx: CompileContext,
  metrics: Record<string, PlanMetric>,
): Record<string, PlanDriver> {
  const out: Record<string, PlanDriver> = {};
  for (const [name, d] of Object.entries(ctx.raw.drivers ?? {})) {
    const path = ['drivers', name];
    if (d.metric !== undefined && !metrics[d.metric])
      ctx.unknown([...path, 'metric'], 'metric', d.metric, Object.keys(metrics));
    if (d.metric === undefined && d.value === undefined) {
      ctx.fail(
        'PLAN_SCHEMA',
        path,
        `driver "${name}" needs a metric or a value`,
        'add `metric: <metric name>` to measure it live, or `value: <number>` for a fixed current value',
      );
    }
    const growth =
      d.growth === undefined ? undefined : parseGrowth(ctx, d.growth, [...path, 'growth']);
    out[name] = { name, metric: d.metric, value: d.value, growth, description: d.description };
    // A measured driver reads its metric; its static value stands in while the metric has no data.
    const alias = d.metric !== undefined ? `metrics.${d.metric}` : undefined;
    ctx.graph.add({
      key: `drivers.${name}`,
      path,
      deps: alias ? [alias] : [],
      alias,
      constant: d.value,
    });
  }
  return out;
}

const COMPOUND = /^\s*([\d.]+)\s*%\s*(?:per\s+|\/\s*)(\w+)\s*$/;

function parseGrowth(
  ctx: CompileContext,
  text: string,
  path: (string | number)[],
): PlanGrowth | undefined {
  const compound = COMPOUND.exec(text);
  if (compound) {
    const periodMs =
      parseDurationMs(`1 ${compound[2]}`) ?? (compound[2] === 'month' ? 2_629_800_000 : undefined);
    if (periodMs === undefined) {
      ctx.fail(
        'PLAN_UNIT',
        path,
        `"${compound[2]}" is not a period`,
        'write e.g. 10%/month or 2%/week',
      );
      return undefined;
    }
    return { kind: 'compound', rate: Number(compound[1]) / 100, periodMs, text };
  }
  const q = ctx.constant(text, path);
  if (!q) return undefined;
  if (q.unit !== '1/s') {
    ctx.fail(
      'PLAN_UNIT',
      path,
      `growth "${text}" is not a rate per time`,
      'write e.g. 15/week (linear) or 10%/month (compound)',
    );
    return undefined;
  }
  return { kind: 'linear', rate: q.value / 1000, periodMs: 1, text };
}

function compileTriggers(ctx: CompileContext): PlanTrigger[] {
  const out: PlanTrigger[] = [];
  (ctx.raw.triggers ?? []).forEach((t, index) => {
    const path = ['triggers', index];
    if (t.component !== undefined && !ctx.raw.components?.[t.component]) {
      ctx.unknown(
        [...path, 'component'],
        'component',
        t.component,
        Object.keys(ctx.raw.components ?? {}),
      );
    }
    const expr = ctx.expr(t.expr, [...path, 'expr']);
    if (!expr) return;
    const deps = ctx.graph.dependencies(expr);
    const unit = ctx.probeUnit(expr, [...path, 'expr']);
    if (unit === undefined && ctx.graphComplete) return;
    if (!t.warning && !t.critical) {
      ctx.fail(
        'PLAN_SCHEMA',
        path,
        `trigger "${t.name}" has neither warning nor critical`,
        'add `warning: { when: "> 70%" }` and/or `critical: { when: ... }`',
      );
    }
    const levels: PlanLevel[] = [];
    for (const severity of ['warning', 'critical'] as const) {
      const level = t[severity];
      if (!level) continue;
      const lp = [...path, severity];
      const condition = ctx.condition(level.when, [...lp, 'when'], unit);
      if (!condition) continue;
      levels.push({
        severity,
        condition,
        forMs: ctx.duration(
          level.for ?? t.for,
          level.for !== undefined ? [...lp, 'for'] : [...path, 'for'],
          0,
        ),
        keepFiringForMs: ctx.duration(
          level.keep_firing_for ?? t.keep_firing_for,
          level.keep_firing_for !== undefined
            ? [...lp, 'keep_firing_for']
            : [...path, 'keep_firing_for'],
          0,
        ),
        leadTimeMs:
          level.lead_time === undefined
            ? undefined
            : ctx.duration(level.lead_time, [...lp, 'lead_time'], 0),
        action: level.action,
      });
    }
    out.push({
      name: t.name,
      index,
      description: t.description,
      component: t.component,
      expr,
      unit: unit ?? '',
      inputs: ctx.graph.inputsOf(deps),
      levels,
      labels: t.labels ?? {},
    });
  });
  return out;
}
