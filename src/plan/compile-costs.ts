/**
 * Compiles what things cost: each component's cost (fixed and per replica), the unit costs of
 * metered usage (SMS at $0.0079 each), and the revenue per driver unit that break-even and
 * margin are computed from.
 */
import type { CompileContext } from './context.ts';
import { compileCost } from './compile-tiers.ts';
import type { PlanCosts, PlanUnitCost } from './types.ts';

/** Compiles component costs, unit costs and revenue. */
export function compileCosts(ctx: CompileContext): PlanCosts {
  const components: PlanCosts['components'] = {};
  for (const [name, c] of Object.entries(ctx.raw.components ?? {})) {
    const cost = compileCost(ctx, c.cost, ['components', name, 'cost']);
    if (cost.monthlyCostUsd !== undefined || cost.perReplicaUsd !== undefined)
      components[name] = { monthlyUsd: cost.monthlyCostUsd, perReplicaUsd: cost.perReplicaUsd };
  }
  return { components, units: compileUnitCosts(ctx), revenue: compileRevenue(ctx) };
}

function compileUnitCosts(ctx: CompileContext): PlanUnitCost[] {
  const out: PlanUnitCost[] = [];
  for (const [name, uc] of Object.entries(ctx.raw.unit_costs ?? {})) {
    const path = ['unit_costs', name];
    if (uc.metric !== undefined && !ctx.raw.metrics?.[uc.metric])
      ctx.unknown([...path, 'metric'], 'metric', uc.metric, Object.keys(ctx.raw.metrics ?? {}));
    const priceUsd = ctx.quantityOf(uc.price, [...path, 'price'], 'USD', '0.0079 USD/msg');
    if (priceUsd !== undefined)
      out.push({ name, metric: uc.metric, priceUsd, per: uc.per, description: uc.description });
  }
  return out;
}

function compileRevenue(ctx: CompileContext): PlanCosts['revenue'] {
  const r = ctx.raw.revenue;
  if (!r) return undefined;
  if (!ctx.raw.drivers?.[r.driver]) {
    ctx.unknown(['revenue', 'driver'], 'driver', r.driver, Object.keys(ctx.raw.drivers ?? {}));
    return undefined;
  }
  const priceUsdPerMonth = ctx.quantityOf(
    r.price,
    ['revenue', 'price'],
    'USD/month',
    '25 USD/month (what one driver unit pays)',
  );
  if (priceUsdPerMonth === undefined) return undefined;
  if (priceUsdPerMonth <= 0) {
    ctx.fail(
      'PLAN_SCHEMA',
      ['revenue', 'price'],
      'the price must be above zero',
      'write e.g. 25 USD/month',
    );
    return undefined;
  }
  return {
    driver: r.driver,
    priceUsdPerMonth,
    healthyCoverage: r.healthy_coverage,
    description: r.description,
  };
}
