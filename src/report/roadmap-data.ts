/**
 * The live roadmap as data: everything `headroom report` shows — capacity now, drivers and
 * their growth, triggers with live states and forecasts, the tier ladder and the time to the
 * next step, breaking points with the cost of their fix, costs, scenarios and checklist
 * progress. Pure: the model, the statuses and the times come in as arguments.
 */
import {
  breakingPoints,
  costSummary,
  currentDrivers,
  fixFor,
  forecastTriggers,
  tierOutlook,
  whatIf,
  type BreakingPoint,
  type CapacityModel,
  type CostSummary,
  type Fix,
  type TierOutlook,
  type TriggerForecast,
  type WhatIfResult,
} from '../capacity/index.ts';
import type { DriverProjection } from '../capacity/drivers.ts';
import type { ResourceState } from '../capacity/model.ts';
import { replicasUnder } from '../capacity/whatif.ts';
import type { TriggerStatus } from '../rules/types.ts';
import type { LoadTestRunRecord } from '../loadtest/types.ts';
import { parseDurationMs } from '../plan/units.ts';
import { hasPassed } from './loadtest-runs.ts';

/** Where the report's numbers came from. */
export interface RoadmapSource {
  /** `live`: collected now plus the store's history; `csv`: a samples file. */
  kind: 'live' | 'csv';
  /** The CSV, for `csv`. */
  file?: string;
  /** History frames used. */
  frames: number;
  /** First and last history time, epoch ms. */
  from?: number;
  /** Last history time. */
  to?: number;
  /** Sources or store that failed during the collect. */
  sourceErrors: string[];
}

/** A breaking point with the fix the roadmap offers. */
export type RoadmapBreakingPoint = BreakingPoint & { fix?: Fix };

/** A tier with its costs and checklist. */
export interface RoadmapTier extends TierOutlook {
  /** Description, status, duration and changes as written. */
  description?: string;
  /** Status as written. */
  status?: string;
  /** Duration as written. */
  duration?: string;
  /** Changes as written. */
  changes: string[];
  /** Cost per unit of each driver at the tier's bounds (or today), USD/month. */
  costPerDriverUnit: Record<string, number>;
  /** Break-even and healthy paying units for the tier's cost. */
  breakEvenUnits?: number;
  /** Paying units for a healthy margin. */
  healthyUnits?: number;
  /** Checklist progress of lists bound to this tier. */
  checklist?: { done: number; total: number };
  /** Cost difference to the deployed tier, USD/month. */
  deltaMonthlyUsd?: number;
}

/** A disaster scenario of the plan, answered by the model. */
export interface RoadmapScenario {
  /** Name. */
  name: string;
  /** Description and cause, as written. */
  description?: string;
  /** Cause as written. */
  cause?: string;
  /** The what-if answer, when the scenario states a scale or driver values. */
  whatIf?: WhatIfResult;
  /** Impact and response as written. */
  impact: string[];
  /** Response as written. */
  response: { within: string; action: string }[];
}

/** One checklist item: done as the plan says, or because a run of the load test it names passed. */
export interface RoadmapChecklistItem {
  /** The item as written. */
  item: string;
  /** Ticked: `done: true` in the plan, or a passing run of its load test. */
  done: boolean;
  /** The load-test scenario it names (`loadtest: three-x`). */
  loadtest?: string;
  /** That scenario's last run in the plan's store (none yet: never run). */
  lastRun?: LoadTestRunRecord;
}

/** A checklist with its items. */
export interface RoadmapChecklist {
  /** Name. */
  name: string;
  /** The tier it prepares. */
  tier?: string;
  /** Items, in plan order. */
  items: RoadmapChecklistItem[];
}

/** The whole live roadmap. */
export interface Roadmap {
  /** Plan name, description and file. */
  plan: { name: string; description?: string; file: string };
  /** When the report was produced, epoch ms. */
  producedAt: number;
  /** The "now" of the numbers, epoch ms. */
  asOf: number;
  /** Interval level, 0..1. */
  level: number;
  /** Horizon of the projections, ms. */
  horizonMs: number;
  /** Where the numbers came from. */
  source: RoadmapSource;
  /** Drivers and their projections. */
  drivers: (Omit<DriverProjection, 'at'> & { in30d: number; in90d: number; in365d: number })[];
  /** Resources now. */
  resources: ResourceState[];
  /** Triggers: live status and forecast. */
  triggers: {
    status?: TriggerStatus;
    forecast: TriggerForecast;
    unit: string;
    component?: string;
  }[];
  /** The tier ladder. */
  tiers: RoadmapTier[];
  /** Index of the deployed tier (-1 without tiers). */
  deployedTier: number;
  /** The next scaling step: which tier and when. */
  nextStep?: { tier: string; at?: number; earliest?: number; latest?: number; reason: string };
  /** Breaking points, first on top. */
  breakingPoints: RoadmapBreakingPoint[];
  /** Costs now. */
  costs: CostSummary;
  /** Scenarios. */
  scenarios: RoadmapScenario[];
  /** Checklists with progress. */
  checklists: RoadmapChecklist[];
  /** Review schedule and change log, as written. */
  reviews: { every: string; what: string; owner?: string }[];
  /** Change log as written. */
  changelog: { date: string; change: string; reason?: string; impact?: string }[];
}

const DAY_MS = 86_400_000;

/** Builds the live roadmap. */
export function roadmapData(
  model: CapacityModel,
  statuses: readonly TriggerStatus[],
  options: {
    producedAt: number;
    horizonMs: number;
    source: RoadmapSource;
    /** Each scenario's last load-test run in the plan's store (`loadTestRuns`). */
    loadTests?: Record<string, LoadTestRunRecord>;
  },
): Roadmap {
  const { plan } = model;
  const raw = plan.raw;
  const tiers = tierOutlook(model, options.horizonMs);
  const checklists = checklistsOf(raw.checklist ?? [], options.loadTests ?? {});
  const points = breakingPoints(model, { horizonMs: options.horizonMs }).map((p) => ({
    ...p,
    fix:
      p.severity === 'capacity' || p.severity === 'critical'
        ? fixFor(model, p.component, p.resource, p.threshold, p.driverValues)
        : undefined,
  }));
  const forecasts = forecastTriggers(model, options.horizonMs);
  return {
    plan: { name: plan.name, description: raw.description, file: plan.file },
    producedAt: options.producedAt,
    asOf: model.now,
    level: model.level,
    horizonMs: options.horizonMs,
    source: options.source,
    drivers: Object.values(model.drivers).map((d) => {
      const { at, ...rest } = d;
      return {
        ...rest,
        in30d: at(model.now + 30 * DAY_MS).value,
        in90d: at(model.now + 90 * DAY_MS).value,
        in365d: at(model.now + 365 * DAY_MS).value,
      };
    }),
    resources: model.resources,
    triggers: plan.triggers.map((t, i) => ({
      status: statuses.find((s) => s.trigger === t.name),
      forecast: forecasts[i]!,
      unit: t.unit,
      component: t.component,
    })),
    tiers: tiers.map((t) => tierView(model, t, checklists)),
    deployedTier: model.deployedTier,
    nextStep: nextStep(model, tiers),
    breakingPoints: points,
    costs: costSummary(plan, {
      tierIndex: model.deployedTier,
      replicas: replicasUnder(model, {}),
      drivers: currentDrivers(model.drivers),
      history: model.history,
    }),
    scenarios: (raw.scenarios ?? []).map((s) => scenarioView(model, s)),
    checklists,
    reviews: (raw.reviews ?? []).map((r) => ({
      every: String(r.every),
      what: r.what,
      owner: r.owner,
    })),
    changelog: raw.changelog ?? [],
  };
}

/** The plan's checklists, a load-test item ticked by a passing run of its scenario. */
export function checklistsOf(
  lists: NonNullable<CapacityModel['plan']['raw']['checklist']>,
  runs: Record<string, LoadTestRunRecord>,
): RoadmapChecklist[] {
  return lists.map((c) => ({
    name: c.name,
    tier: c.tier,
    items: c.items.map((i): RoadmapChecklistItem => {
      if (typeof i === 'string') return { item: i, done: false };
      if (!i.loadtest) return { item: i.item, done: i.done ?? false };
      const lastRun = runs[i.loadtest];
      return {
        item: i.item,
        done: (i.done ?? false) || hasPassed(lastRun),
        loadtest: i.loadtest,
        ...(lastRun ? { lastRun } : {}),
      };
    }),
  }));
}

function tierView(
  model: CapacityModel,
  t: TierOutlook,
  checklists: { tier?: string; items: { done: boolean }[] }[],
): RoadmapTier {
  const tier = model.plan.tiers[t.index]!;
  const drivers = currentDrivers(model.drivers);
  // Cost per unit where the tier ends; an open-ended tier is priced where it starts.
  const start = model.plan.tiers[t.index - 1]?.until ?? {};
  const at = Object.keys(tier.until).length
    ? { ...drivers, ...tier.until }
    : { ...drivers, ...start };
  const cost = tier.monthlyCostUsd;
  const perDriver: Record<string, number> = {};
  if (cost !== undefined)
    for (const [d, v] of Object.entries(at)) if (v > 0) perDriver[d] = cost / v;
  const revenue = model.plan.costs.revenue;
  const lists = checklists.filter((c) => c.tier === tier.name);
  const deployedCost = model.plan.tiers[Math.max(model.deployedTier, 0)]?.monthlyCostUsd;
  return {
    ...t,
    description: tier.description,
    status: tier.status,
    duration: tier.duration,
    changes: tier.changes,
    costPerDriverUnit: perDriver,
    breakEvenUnits:
      revenue && cost !== undefined ? Math.ceil(cost / revenue.priceUsdPerMonth) : undefined,
    healthyUnits:
      revenue?.healthyCoverage !== undefined && cost !== undefined
        ? Math.ceil((cost * revenue.healthyCoverage) / revenue.priceUsdPerMonth)
        : undefined,
    checklist: lists.length
      ? {
          done: lists.reduce((a, c) => a + c.items.filter((i) => i.done).length, 0),
          total: lists.reduce((a, c) => a + c.items.length, 0),
        }
      : undefined,
    deltaMonthlyUsd:
      cost !== undefined && deployedCost !== undefined ? cost - deployedCost : undefined,
  };
}

/** The next tier and when it is due: its deploy condition, or the deployed tier's bounds. */
function nextStep(model: CapacityModel, tiers: TierOutlook[]): Roadmap['nextStep'] {
  const deployed = tiers[model.deployedTier];
  const next = tiers[model.deployedTier + 1];
  if (!next) return undefined;
  if (next.deployNow)
    return { tier: next.name, at: model.now, reason: 'its deploy condition holds now' };
  const bound = deployed?.bounds.filter((b) => b.at !== undefined).sort((a, b) => a.at! - b.at!)[0];
  const candidates = [
    next.deployAt !== undefined
      ? { at: next.deployAt, reason: 'its deploy condition is projected to hold' }
      : undefined,
    bound
      ? {
          at: bound.at!,
          earliest: bound.earliest,
          latest: bound.latest,
          reason: `${bound.driver} reaches ${deployed!.name}'s bound of ${bound.until}`,
        }
      : undefined,
  ].filter(
    (c): c is { at: number; earliest?: number; latest?: number; reason: string } => c !== undefined,
  );
  candidates.sort((a, b) => a.at - b.at);
  const first = candidates[0];
  return first
    ? { tier: next.name, ...first }
    : { tier: next.name, reason: 'not due within the horizon' };
}

function scenarioView(
  model: CapacityModel,
  s: NonNullable<CapacityModel['plan']['raw']['scenarios']>[number],
): RoadmapScenario {
  const scale =
    s.scale === undefined ? undefined : Number(String(s.scale).replace(/[x×]\s*$/i, ''));
  const drivers =
    s.set && Object.keys(s.set).every((k) => model.plan.drivers[k]) ? s.set : undefined;
  const durationMs = s.for === undefined ? undefined : parseDurationMs(s.for);
  const answer =
    (scale !== undefined && Number.isFinite(scale)) || drivers
      ? whatIf(model, { scale, drivers, durationMs })
      : undefined;
  return {
    name: s.name,
    description: s.description,
    cause: s.cause,
    whatIf: answer,
    impact: s.impact ?? [],
    response: s.response ?? [],
  };
}
