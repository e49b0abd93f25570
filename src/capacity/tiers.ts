/**
 * Where the plan stands on its tier ladder: the driver bounds of each tier
 * and when they will be reached, whether each tier's `deploy_when` holds now and when it will,
 * and what breaks first inside each tier as the drivers grow.
 */
import type { PlanTier } from '../plan/types.ts';
import { firstCrossing } from './crossing.ts';
import { exprValue, tierSetFrom } from './evaluate.ts';
import { firstToBreakByScale, type ScaleBreak } from './scale.ts';
import { currentDrivers, type CapacityModel } from './model.ts';
import { scenarioInputs } from './projection.ts';

/** One driver bound of a tier, with progress and when it will be reached. */
export interface TierBound {
  /** Driver name. */
  driver: string;
  /** The bound (`until`). */
  until: number;
  /** Driver value now. */
  now?: number;
  /** now / until. */
  fraction?: number;
  /** When the driver reaches the bound (epoch ms; now if already past), with interval. */
  at?: number;
  /** Earliest plausible time. */
  earliest?: number;
  /** Latest plausible time. */
  latest?: number;
}

/** One tier of the ladder, judged now. */
export interface TierOutlook {
  /** Tier name. */
  name: string;
  /** Index in the ladder. */
  index: number;
  /** Relative to the deployed tier. */
  position: 'past' | 'deployed' | 'next' | 'later';
  /** Monthly cost, USD. */
  monthlyCostUsd?: number;
  /** Driver bounds of the tier. */
  bounds: TierBound[];
  /** Whether the tier's `deploy_when` holds now (undefined: no condition, or unknown). */
  deployNow?: boolean;
  /** When `deploy_when` is projected to hold, epoch ms. */
  deployAt?: number;
  /** What breaks first in this tier's configuration as the drivers grow. */
  firstToBreak?: ScaleBreak;
  /** Whether that happens before the tier's own driver bounds are reached. */
  breaksWithinTier?: boolean;
}

/** Every tier, judged now; `horizonMs` bounds the projections. */
export function tierOutlook(model: CapacityModel, horizonMs: number): TierOutlook[] {
  const { plan, deployedTier } = model;
  const values = currentDrivers(model.drivers);
  return plan.tiers.map((tier, index) => {
    const position =
      index < deployedTier
        ? 'past'
        : index === deployedTier
          ? 'deployed'
          : index === deployedTier + 1
            ? 'next'
            : 'later';
    const bounds = Object.entries(tier.until).map(([driver, until]) =>
      tierBound(model, driver, until, horizonMs),
    );
    const set = tierSetFrom(plan, Math.max(deployedTier, 0), index);
    const out: TierOutlook = {
      name: tier.name,
      index,
      position,
      monthlyCostUsd: tier.monthlyCostUsd,
      bounds,
    };
    if (tier.deployWhen && index > deployedTier) {
      const holds = (t: number): number | undefined => {
        const drivers = Object.fromEntries(
          Object.entries(model.drivers).map(([n, d]) => [n, d.at(t).value]),
        );
        return exprValue(
          plan,
          tier.deployWhen!,
          scenarioInputs(model, { drivers }, tier.deployWhen),
        );
      };
      const now = holds(model.now);
      out.deployNow = now === undefined ? undefined : now >= 1;
      out.deployAt = firstCrossing(holds, 1, model.now, horizonMs);
    }
    if (index >= deployedTier) {
      const limit = scaleLimit(tier, values);
      const brk = firstToBreakByScale(model, set);
      if (brk) {
        out.firstToBreak = brk;
        out.breaksWithinTier = limit === undefined ? true : brk.scale <= limit;
      }
    }
    return out;
  });
}

/** The scale on today's drivers at which the tier's first bound is reached. */
function scaleLimit(tier: PlanTier, values: Record<string, number>): number | undefined {
  const limits = Object.entries(tier.until)
    .filter(([d]) => (values[d] ?? 0) > 0)
    .map(([d, bound]) => bound / values[d]!);
  return limits.length ? Math.min(...limits) : undefined;
}

function tierBound(
  model: CapacityModel,
  driver: string,
  until: number,
  horizonMs: number,
): TierBound {
  const d = model.drivers[driver];
  const now = d?.now;
  const bound: TierBound = {
    driver,
    until,
    now,
    fraction: now === undefined ? undefined : now / until,
  };
  if (!d || now === undefined) return bound;
  bound.at = firstCrossing((t) => d.at(t).value, until, model.now, horizonMs);
  bound.earliest = firstCrossing((t) => d.at(t).upper, until, model.now, horizonMs);
  bound.latest = firstCrossing((t) => d.at(t).lower, until, model.now, horizonMs);
  return bound;
}
