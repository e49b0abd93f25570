/**
 * Which tier of the ladder is deployed now: the last one marked `deployed`, else the first
 * whose driver bounds hold today.
 */
import type { Plan, PlanTier } from '../plan/types.ts';

/** The deployed tier: the last marked `deployed`, else the first whose bounds hold now; -1 without tiers. */
export function deployedTierIndex(plan: Plan, values: Record<string, number>): number {
  if (plan.tiers.length === 0) return -1;
  const marked = plan.tiers.map((t, i) => (t.status === 'deployed' ? i : -1)).filter((i) => i >= 0);
  if (marked.length > 0) return marked[marked.length - 1]!;
  const fits = plan.tiers.findIndex((t) => withinBounds(t, values));
  return fits >= 0 ? fits : plan.tiers.length - 1;
}

/** True when every driver the tier bounds is at or under its bound. */
export function withinBounds(tier: PlanTier, values: Record<string, number>): boolean {
  return Object.entries(tier.until).every(([d, bound]) => (values[d] ?? 0) <= bound);
}
