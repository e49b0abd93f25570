/**
 * Compiles `tiers`: driver bounds, deploy conditions, costs, plan overrides (`set`) and
 * per-tier targets.
 */
import type { CompileContext } from './context.ts';
import type { RawCost } from './schema.ts';
import type { PlanCondition, PlanTier } from './types.ts';
import { toQuantity } from './units.ts';

/** Compiles every tier in plan order. */
export function compileTiers(ctx: CompileContext): PlanTier[] {
  const drivers = Object.keys(ctx.raw.drivers ?? {});
  return (ctx.raw.tiers ?? []).map((t, index) => {
    const path = ['tiers', index];
    for (const driver of Object.keys(t.until ?? {})) {
      if (!ctx.raw.drivers?.[driver])
        ctx.unknown([...path, 'until', driver], 'driver', driver, drivers, true);
    }
    const deployWhen =
      t.deploy_when === undefined ? undefined : ctx.expr(t.deploy_when, [...path, 'deploy_when']);
    if (deployWhen) ctx.probeUnit(deployWhen, [...path, 'deploy_when']);
    const { monthlyCostUsd, costRangeUsd, costBreakdown } = compileCost(ctx, t.cost, [
      ...path,
      'cost',
    ]);
    const set: Record<string, number> = {};
    for (const [key, text] of Object.entries(t.set ?? {})) {
      const value = compileSet(ctx, key, text, [...path, 'set', key]);
      if (value !== undefined) set[key] = value;
    }
    const targets: Record<string, PlanCondition> = {};
    for (const [name, text] of Object.entries(t.targets ?? {})) {
      const c = ctx.condition(text, [...path, 'targets', name], undefined);
      if (c) targets[name] = c;
    }
    return {
      name: t.name,
      index,
      description: t.description,
      status: t.status,
      duration: t.duration,
      changes: t.changes ?? [],
      until: t.until ?? {},
      deployWhen,
      monthlyCostUsd,
      costRangeUsd,
      costBreakdown,
      set,
      targets,
    };
  });
}

/** A compiled cost, in USD/month. */
export interface CompiledCost {
  /** Monthly cost: `fixed`, else the midpoint of `min`..`max`, else the breakdown's sum. */
  monthlyCostUsd?: number;
  /** `[min, max]` when the roadmap gives a range. */
  costRangeUsd?: [number, number];
  /** Cost per replica. */
  perReplicaUsd?: number;
  /** Items of the cost. */
  costBreakdown: Record<string, number>;
}

/** A cost (`92 USD/month` or `{ fixed | min + max, per_replica, breakdown }`) as USD/month. */
export function compileCost(
  ctx: CompileContext,
  cost: RawCost | undefined,
  path: (string | number)[],
): CompiledCost {
  const money = (text: string | number, p: (string | number)[]): number | undefined => {
    const v = ctx.quantityOf(text, p, 'USD/month', '92 USD/month');
    if (v !== undefined && v < 0) {
      const range = typeof text === 'string' && /\d\s*-\s*\d/.test(text);
      ctx.fail(
        'PLAN_SCHEMA',
        p,
        `cost "${text}" is negative`,
        range
          ? 'a range is written { min: 400 USD/month, max: 600 USD/month }; "400-600" subtracts'
          : 'costs are zero or more',
      );
      return undefined;
    }
    return v;
  };
  if (cost === undefined) return { costBreakdown: {} };
  if (typeof cost !== 'object') return { monthlyCostUsd: money(cost, path), costBreakdown: {} };
  const costBreakdown: Record<string, number> = {};
  for (const [item, text] of Object.entries(cost.breakdown ?? {})) {
    const v = money(text, [...path, 'breakdown', item]);
    if (v !== undefined) costBreakdown[item] = v;
  }
  const fixed = cost.fixed === undefined ? undefined : money(cost.fixed, [...path, 'fixed']);
  const perReplicaUsd =
    cost.per_replica === undefined ? undefined : money(cost.per_replica, [...path, 'per_replica']);
  const low = cost.min === undefined ? undefined : money(cost.min, [...path, 'min']);
  const high = cost.max === undefined ? undefined : money(cost.max, [...path, 'max']);
  if ((cost.min === undefined) !== (cost.max === undefined)) {
    ctx.fail(
      'PLAN_SCHEMA',
      path,
      'a cost range needs both min and max',
      'write { min: 400 USD/month, max: 600 USD/month }',
    );
  }
  if (low !== undefined && high !== undefined && low > high) {
    ctx.fail('PLAN_SCHEMA', path, `cost min (${low}) is above max (${high})`, 'make min <= max');
  }
  const costRangeUsd: [number, number] | undefined =
    low !== undefined && high !== undefined ? [low, high] : undefined;
  const sum = Object.values(costBreakdown).reduce((a, b) => a + b, 0);
  const monthlyCostUsd =
    fixed ??
    (costRangeUsd ? (costRangeUsd[0] + costRangeUsd[1]) / 2 : undefined) ??
    (Object.keys(costBreakdown).length > 0 ? sum : undefined);
  return { monthlyCostUsd, costRangeUsd, perReplicaUsd, costBreakdown };
}

/** A tier override `component.capacity.resource: value` (or a param, or replicas.min/max). */
function compileSet(
  ctx: CompileContext,
  key: string,
  text: string | number,
  path: (string | number)[],
): number | undefined {
  const parts = key.split('.');
  const settable = settableKeysOf(ctx);
  const nodeKey = parts.length === 1 ? `params.${key}` : `components.${key}`;
  if (!settable.has(key)) {
    ctx.unknown(path, 'settable field', key, settable, true);
    return undefined;
  }
  const q = ctx.constant(text, path);
  if (!q) return undefined;
  const node = ctx.graph.nodes.get(nodeKey);
  if (node?.expr) {
    try {
      const unit = toQuantity(ctx.units, ctx.graph.evaluate(nodeKey, ctx.graph.probeInputs())).unit;
      if (unit !== q.unit) {
        ctx.fail(
          'PLAN_UNIT',
          path,
          `"${text}" does not fit ${key}, which is ${unit === '' ? 'a plain number' : unit}`,
          `write the value in the same unit as ${key}`,
        );
        return undefined;
      }
      ctx.graph.setOverrideUnit(nodeKey, unit);
    } catch {
      // The formula itself is reported by the component checks.
    }
  }
  return q.value;
}

const settableCache = new WeakMap<CompileContext, ReadonlySet<string>>();

/** The settable keys of the plan being compiled, found once per compile. */
function settableKeysOf(ctx: CompileContext): ReadonlySet<string> {
  let keys = settableCache.get(ctx);
  if (!keys) settableCache.set(ctx, (keys = new Set(settableKeys(ctx))));
  return keys;
}

/** Every key a tier may `set`: params and component capacities, per-replica values and replicas. */
export function settableKeys(ctx: CompileContext): string[] {
  const keys = Object.keys(ctx.raw.params ?? {});
  for (const [name, c] of Object.entries(ctx.raw.components ?? {})) {
    for (const field of ['capacity', 'per_replica'] as const) {
      for (const resource of Object.keys(c[field] ?? {})) keys.push(`${name}.${field}.${resource}`);
    }
    keys.push(`${name}.replicas.current`, `${name}.replicas.min`, `${name}.replicas.max`);
  }
  return keys;
}
