/**
 * The cost model: the tier's monthly cost, per-replica costs, metered unit costs from measured
 * volumes (SMS at $0.0079 each), cost per driver unit, and — where the plan states what a
 * driver unit pays — break-even and margin.
 */
import type { Plan } from '../plan/types.ts';
import type { Frame } from './evaluate.ts';

/** Average month, ms (a twelfth of a Julian year, as the plan's `month` unit). */
export const MONTH_MS = 2_629_800_000;

/** One metered cost. */
export interface UnitCostLine {
  /** Name in `unit_costs`. */
  name: string;
  /** Metric counting the units. */
  metric?: string;
  /** USD per unit. */
  priceUsd: number;
  /** Units per month, measured. */
  monthlyVolume?: number;
  /** USD per month. */
  monthlyUsd?: number;
  /** How the volume was measured, or why it could not be. */
  note: string;
}

/** What one configuration costs per month. */
export interface CostSummary {
  /** Tier whose cost is counted. */
  tier?: string;
  /** The tier's monthly cost, USD. */
  tierMonthlyUsd?: number;
  /** Fixed and per-replica component costs, USD/month. */
  components: { component: string; replicas?: number; monthlyUsd: number }[];
  /** Metered costs. */
  units: UnitCostLine[];
  /** Everything known added up, USD/month (undefined when nothing is priced). */
  totalMonthlyUsd?: number;
  /** Total per unit of each driver, USD/month. */
  perDriverUnit: Record<string, number>;
  /** Break-even and margin, when the plan states revenue. */
  revenue?: RevenueSummary;
}

/** Revenue against cost. */
export interface RevenueSummary {
  /** Paying driver. */
  driver: string;
  /** USD/month per driver unit. */
  priceUsdPerMonth: number;
  /** Paying units now. */
  units?: number;
  /** Revenue now, USD/month. */
  monthlyRevenueUsd?: number;
  /** Paying units needed to cover the cost. */
  breakEvenUnits?: number;
  /** Paying units for the plan's healthy coverage. */
  healthyUnits?: number;
  /** (revenue − cost) / revenue now. */
  margin?: number;
}

/** Options of `costSummary`. */
export interface CostOptions {
  /** Tier index whose cost counts (-1: none). */
  tierIndex: number;
  /** Replicas per component. */
  replicas: Record<string, number>;
  /** Driver values. */
  drivers: Record<string, number>;
  /** Multiplier on metered volumes (what-if load). */
  volumeScale?: number;
  /** History for metered volumes. */
  history: readonly Frame[];
}

/** The monthly cost of a configuration. */
export function costSummary(plan: Plan, options: CostOptions): CostSummary {
  const tier = plan.tiers[options.tierIndex];
  const components = Object.entries(plan.costs.components).map(([component, c]) => {
    const replicas = options.replicas[component];
    const monthlyUsd = (c.monthlyUsd ?? 0) + (c.perReplicaUsd ?? 0) * (replicas ?? 0);
    return {
      component,
      replicas: c.perReplicaUsd !== undefined ? replicas : undefined,
      monthlyUsd,
    };
  });
  const units = plan.costs.units.map((u) => unitCostLine(plan, u, options));
  const parts = [
    tier?.monthlyCostUsd,
    ...components.map((c) => c.monthlyUsd),
    ...units.map((u) => u.monthlyUsd),
  ].filter((v): v is number => v !== undefined);
  const totalMonthlyUsd = parts.length ? parts.reduce((a, b) => a + b, 0) : undefined;
  const perDriverUnit: Record<string, number> = {};
  if (totalMonthlyUsd !== undefined)
    for (const [d, v] of Object.entries(options.drivers))
      if (v > 0) perDriverUnit[d] = totalMonthlyUsd / v;
  return {
    tier: tier?.name,
    tierMonthlyUsd: tier?.monthlyCostUsd,
    components,
    units,
    totalMonthlyUsd,
    perDriverUnit,
    revenue: revenueSummary(plan, totalMonthlyUsd, options.drivers),
  };
}

/** Break-even and margin for a monthly cost. */
export function revenueSummary(
  plan: Plan,
  costUsd: number | undefined,
  drivers: Record<string, number>,
): RevenueSummary | undefined {
  const r = plan.costs.revenue;
  if (!r) return undefined;
  const units = drivers[r.driver];
  const monthlyRevenueUsd = units === undefined ? undefined : units * r.priceUsdPerMonth;
  return {
    driver: r.driver,
    priceUsdPerMonth: r.priceUsdPerMonth,
    units,
    monthlyRevenueUsd,
    breakEvenUnits: costUsd === undefined ? undefined : Math.ceil(costUsd / r.priceUsdPerMonth),
    healthyUnits:
      costUsd === undefined || r.healthyCoverage === undefined
        ? undefined
        : Math.ceil((costUsd * r.healthyCoverage) / r.priceUsdPerMonth),
    margin:
      costUsd === undefined || !monthlyRevenueUsd
        ? undefined
        : (monthlyRevenueUsd - costUsd) / monthlyRevenueUsd,
  };
}

function unitCostLine(
  plan: Plan,
  u: Plan['costs']['units'][number],
  options: CostOptions,
): UnitCostLine {
  const base = { name: u.name, metric: u.metric, priceUsd: u.priceUsd };
  if (!u.metric) return { ...base, note: 'no metric counts it' };
  const volume = monthlyVolume(plan, u.metric, options.history);
  if (volume.value === undefined) return { ...base, note: volume.note };
  const scaled = volume.value * (options.volumeScale ?? 1);
  return { ...base, monthlyVolume: scaled, monthlyUsd: scaled * u.priceUsd, note: volume.note };
}

/** Minimum span of history a monthly volume is extrapolated from, ms. */
const MIN_VOLUME_SPAN_MS = 60_000;

/** Units per month of a metric: a rate (per second) averaged, or a counter's increase extrapolated. */
export function monthlyVolume(
  plan: Plan,
  metric: string,
  history: readonly Frame[],
): { value?: number; note: string } {
  const points = history
    .filter((f) => f.t >= (history[history.length - 1]?.t ?? 0) - MONTH_MS)
    .flatMap((f) => (f.metrics[metric] === undefined ? [] : [{ t: f.t, v: f.metrics[metric]! }]));
  if (points.length < 2) return { note: `needs history of ${metric} (2 samples or more)` };
  const spanMs = points[points.length - 1]!.t - points[0]!.t;
  if (spanMs < MIN_VOLUME_SPAN_MS) return { note: `needs a minute or more of ${metric}'s history` };
  const days = (spanMs / 86_400_000).toFixed(1);
  if (plan.metrics[metric]?.unit === '1/s') {
    const mean = points.reduce((a, p) => a + p.v, 0) / points.length;
    return { value: (mean * MONTH_MS) / 1000, note: `mean rate over ${days} days × one month` };
  }
  let increase = 0;
  for (let i = 1; i < points.length; i++) {
    const step = points[i]!.v - points[i - 1]!.v;
    increase += step >= 0 ? step : points[i]!.v;
  }
  return {
    value: (increase * MONTH_MS) / spanMs,
    note: `counter increase over ${days} days, per month`,
  };
}
