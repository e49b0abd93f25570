/**
 * The fix for a breaking point and what it costs: the first tier after the deployed one that
 * raises the resource's capacity enough to hold the load at which it broke.
 */
import { tierSetFrom } from './evaluate.ts';
import { type CapacityModel } from './model.ts';
import { project } from './projection.ts';

/** A fix: the tier that holds the load, and the monthly cost difference. */
export interface Fix {
  /** Tier name. */
  tier: string;
  /** Extra monthly cost over the deployed tier, USD (undefined when a cost is missing). */
  deltaMonthlyUsd?: number;
  /** What the tier changes, as written. */
  changes: string[];
}

/** The first later tier under which `component.resource` stays under `threshold` at `drivers`. */
export function fixFor(
  model: CapacityModel,
  component: string,
  resource: string,
  threshold: number,
  drivers: Record<string, number>,
): Fix | undefined {
  const deployed = Math.max(model.deployedTier, 0);
  const target = model.resources.find(
    (r) => r.ref.component === component && r.ref.resource === resource,
  );
  if (!target) return undefined;
  const deployedCost = model.plan.tiers[deployed]?.monthlyCostUsd;
  for (let i = deployed + 1; i < model.plan.tiers.length; i++) {
    const set = tierSetFrom(model.plan, deployed, i);
    if (!Object.keys(set).some((k) => k.startsWith(`${component}.`) || !k.includes('.'))) continue;
    const [p] = project(model, { drivers, set }, [target]);
    if (p?.utilization === undefined || p.utilization >= threshold) continue;
    const tier = model.plan.tiers[i]!;
    return {
      tier: tier.name,
      deltaMonthlyUsd:
        tier.monthlyCostUsd !== undefined && deployedCost !== undefined
          ? tier.monthlyCostUsd - deployedCost
          : undefined,
      changes: tier.changes,
    };
  }
  return undefined;
}
