/**
 * Compiles `components`: capacities, per-replica capacities, live usage and model formulas,
 * replicas — as formula-graph nodes — and checks that each resource's formulas agree on units.
 */
import type { CompileContext } from './context.ts';
import { describeUnit } from './context.ts';
import { toQuantity } from './units.ts';

const FIELDS = ['capacity', 'per_replica', 'usage', 'model'] as const;

/** Adds every component field to the formula graph. */
export function compileComponents(ctx: CompileContext): void {
  for (const [name, c] of Object.entries(ctx.raw.components ?? {})) {
    const base = ['components', name];
    for (const field of FIELDS) {
      for (const [resource, text] of Object.entries(c[field] ?? {})) {
        const path = [...base, field, resource];
        const expr = ctx.expr(text, path);
        if (expr)
          ctx.graph.add({
            key: `components.${name}.${field}.${resource}`,
            path,
            expr,
            deps: ctx.graph.dependencies(expr),
          });
      }
    }
    const r = c.replicas;
    if (typeof r === 'object' && r.metric !== undefined) {
      if (!ctx.raw.metrics?.[r.metric])
        ctx.unknown(
          [...base, 'replicas', 'metric'],
          'metric',
          r.metric,
          Object.keys(ctx.raw.metrics ?? {}),
        );
      ctx.graph.add({
        key: `components.${name}.replicas`,
        path: [...base, 'replicas'],
        deps: [`metrics.${r.metric}`],
        alias: `metrics.${r.metric}`,
        constant: r.current ?? r.min ?? 1,
      });
    } else {
      const current = typeof r === 'number' ? r : (r?.current ?? r?.min ?? 1);
      ctx.graph.add({
        key: `components.${name}.replicas`,
        path: [...base, 'replicas'],
        deps: [],
        constant: current,
      });
    }
    if (typeof r === 'object' && r.min !== undefined && r.max !== undefined && r.min > r.max) {
      ctx.fail(
        'PLAN_SCHEMA',
        [...base, 'replicas'],
        `replicas.min (${r.min}) is above replicas.max (${r.max})`,
        'make min <= max',
      );
    }
    if (c.queue !== undefined && !ctx.raw.metrics?.[c.queue]) {
      ctx.unknown([...base, 'queue'], 'metric', c.queue, Object.keys(ctx.raw.metrics ?? {}));
    }
  }
}

/** Checks that capacity, per-replica × replicas, usage and model of each resource share a unit. */
export function checkComponentUnits(ctx: CompileContext): void {
  const probe = ctx.graph.probeInputs();
  for (const [name, c] of Object.entries(ctx.raw.components ?? {})) {
    const resources = new Set(FIELDS.flatMap((f) => Object.keys(c[f] ?? {})));
    for (const resource of resources) {
      const units = new Map<string, string>();
      for (const field of FIELDS) {
        if (c[field]?.[resource] === undefined) continue;
        const path = ['components', name, field, resource];
        try {
          const value = ctx.graph.evaluate(`components.${name}.${field}.${resource}`, probe);
          units.set(field, toQuantity(ctx.units, value).unit);
        } catch (err) {
          ctx.fail(
            'PLAN_UNIT',
            path,
            `units do not fit in "${c[field]?.[resource]}": ${(err as Error).message}`,
            'make both sides of + and - the same kind of quantity; write divisors with units in parentheses, e.g. / (200 ms)',
          );
        }
      }
      const reference = units.get('capacity') ?? units.get('per_replica');
      for (const [field, unit] of units) {
        if (reference !== undefined && unit !== reference) {
          ctx.fail(
            'PLAN_UNIT',
            ['components', name, field, resource],
            `${field}.${resource} is ${describeUnit(unit)}, but its capacity is ${describeUnit(reference)}`,
            'use the same kind of quantity for capacity and usage of one resource',
          );
        }
      }
      if (reference === undefined && (units.has('usage') || units.has('model'))) {
        ctx.fail(
          'PLAN_SCHEMA',
          ['components', name],
          `resource "${resource}" has usage but no capacity`,
          `add capacity.${resource} or per_replica.${resource}`,
        );
      }
    }
  }
}
