/**
 * What-if: the plan under other driver values or a load multiplier ("5,000 companies", "10×
 * traffic for 24 h") — utilization of every resource, what breaks first, replicas and the tier
 * needed, and what it costs against today.
 */
import type { EvalInputs } from '../plan/graph.ts';
import { costSummary, MONTH_MS } from './costs.ts';
import { nodeValue, tierSetFrom } from './evaluate.ts';
import {
  currentDrivers,
  maxReplicas,
  type CapacityModel,
  type ProjectedResource,
  type ResourceState,
} from './model.ts';
import { project, scenarioInputs } from './projection.ts';
import { withinBounds } from './deployed-tier.ts';
import { fullAtUnder } from './scale.ts';
import { serversForWaitSlo } from './queueing/index.ts';
import { parseWaitObjective } from '../plan/wait-objective.ts';
import type { MeasuredView } from './measured.ts';

/** The question of a what-if. */
export interface WhatIfQuestion {
  /** Driver values to assume (canonical). */
  drivers?: Record<string, number>;
  /** Multiplier on today's load: drivers and measured usage alike. */
  scale?: number;
  /** Plan overrides to assume (`db.capacity.connections`). */
  set?: Record<string, number>;
  /** How long the situation lasts, ms (a spike): its cost is prorated. */
  durationMs?: number;
}

/** Status of a resource under a what-if. */
export type WhatIfStatus = 'ok' | 'warning' | 'critical' | 'scale-out' | 'full' | 'unknown';

/** One resource under a what-if. */
export interface WhatIfResource {
  /** Component. */
  component: string;
  /** Resource. */
  resource: string;
  /** Canonical unit. */
  unit: string;
  /** Capacity under the what-if (deployed configuration): measured, scaled to it, when a load test measured it. */
  capacity?: number;
  /** Capacity under the what-if by the roadmap's formula alone. */
  formulaCapacity?: number;
  /** The load test behind `capacity` (`applied`: the measurement scaled to the what-if). */
  measured?: MeasuredView;
  /** Usage under the what-if. */
  usage?: number;
  /** Utilization under the what-if. */
  utilization?: number;
  /** Utilization today. */
  utilizationNow?: number;
  /** Highest threshold crossed. */
  status: WhatIfStatus;
  /**
   * For per-replica resources: replicas now, needed (to stay under the first threshold), the
   * maximum, and — for a worker pool with a wait objective — the fewest replicas Erlang C says
   * keep it (the objective as written beside).
   */
  replicas?: {
    now?: number;
    needed?: number;
    max?: number;
    forWaitObjective?: number;
    waitObjective?: string;
  };
}

/** The answer of a what-if. */
export interface WhatIfResult {
  /** Driver values: today and assumed. */
  drivers: Record<string, { now?: number; value: number }>;
  /** Load multiplier applied to usage no model explains. */
  loadScale: number;
  /** Every resource, in plan order. */
  resources: WhatIfResource[];
  /** The resource with the highest utilization at or over a threshold. */
  firstToBreak?: { component: string; resource: string; utilization: number; status: WhatIfStatus };
  /** Tiers: deployed now, and the first that holds the what-if. */
  tier: { deployed?: string; needed?: string; reason: string };
  /** Monthly costs: today, under the what-if (in the tier needed), the difference, and over the duration. */
  cost: {
    nowMonthlyUsd?: number;
    whatIfMonthlyUsd?: number;
    deltaMonthlyUsd?: number;
    forDurationUsd?: number;
  };
}

/** Answers a what-if. */
export function whatIf(model: CapacityModel, q: WhatIfQuestion): WhatIfResult {
  const now = currentDrivers(model.drivers);
  const scale = q.scale ?? 1;
  const values: Record<string, number> = {};
  for (const [n, v] of Object.entries(now)) values[n] = v * scale;
  Object.assign(values, q.drivers);
  const loadScale = scale * setRatio(now, q.drivers);
  const scenario = { drivers: values, loadScale, set: q.set };
  const deployed = Math.max(model.deployedTier, 0);
  const projected = project(model, scenario);
  // Per-replica capacities and replica counts under the scenario: one evaluation for all.
  const inputs = scenarioInputs(model, scenario);
  const resources = projected.map((p, i) =>
    resourceView(model, model.resources[i]!, p, scenario, inputs),
  );
  const tierIndex = tierNeeded(model, scenario, values);
  const nowCost = costSummary(model.plan, {
    tierIndex: model.deployedTier,
    replicas: replicasUnder(model, {}),
    drivers: now,
    history: model.history,
  }).totalMonthlyUsd;
  const neededIndex = tierIndex ?? deployed;
  const set = { ...tierSetFrom(model.plan, deployed, neededIndex), ...q.set };
  const replicas = replicasUnder(model, set);
  for (const r of resources)
    if (r.replicas?.needed !== undefined)
      replicas[r.component] = Math.max(replicas[r.component] ?? 0, r.replicas.needed);
  const whatIfCost = costSummary(model.plan, {
    tierIndex: model.plan.tiers.length ? neededIndex : -1,
    replicas,
    drivers: values,
    volumeScale: loadScale,
    history: model.history,
  }).totalMonthlyUsd;
  const delta =
    nowCost !== undefined && whatIfCost !== undefined ? whatIfCost - nowCost : undefined;
  return {
    drivers: Object.fromEntries(
      Object.entries(values).map(([n, v]) => [n, { now: now[n], value: v }]),
    ),
    loadScale,
    resources,
    firstToBreak: firstToBreak(resources),
    tier: tierAnswer(model, tierIndex),
    cost: {
      nowMonthlyUsd: nowCost,
      whatIfMonthlyUsd: whatIfCost,
      deltaMonthlyUsd: delta,
      forDurationUsd:
        delta !== undefined && q.durationMs !== undefined
          ? (delta * q.durationMs) / MONTH_MS
          : undefined,
    },
  };
}

/** Measured usage without a model grows with the largest ratio of the drivers set. */
function setRatio(now: Record<string, number>, set: Record<string, number> | undefined): number {
  const ratios = Object.entries(set ?? {})
    .filter(([n]) => (now[n] ?? 0) > 0)
    .map(([n, v]) => v / now[n]!);
  return ratios.length ? Math.max(...ratios) : 1;
}

function resourceView(
  model: CapacityModel,
  r: ResourceState,
  p: ProjectedResource,
  scenario: { set?: Record<string, number> },
  inputs: EvalInputs,
): WhatIfResource {
  const out: WhatIfResource = {
    component: r.ref.component,
    resource: r.ref.resource,
    unit: r.unit,
    capacity: p.capacity,
    formulaCapacity: p.measured ? p.formulaCapacity : p.capacity,
    ...(p.measured ? { measured: p.measured } : {}),
    usage: p.usage,
    utilization: p.utilization,
    utilizationNow: r.utilization,
    status: statusOf(r, p.utilization, fullAtUnder(model, r, scenario.set ?? {})),
  };
  if (r.ref.perReplica) {
    const perReplica = nodeValue(model.plan, r.ref.capacityKey, inputs);
    const target = r.thresholds.find((t) => t.severity !== 'capacity')?.utilization ?? 1;
    out.replicas = {
      now: nodeValue(model.plan, `components.${r.ref.component}.replicas`, inputs),
      needed:
        perReplica && p.usage !== undefined
          ? Math.max(1, Math.ceil(p.usage / (perReplica * target) - 1e-9))
          : undefined,
      max: maxReplicas(model.plan, r.ref.component, scenario.set ?? {}),
    };
    const objective = model.plan.raw.autoscale?.[r.ref.component]?.slo;
    const wait = objective === undefined ? undefined : parseWaitObjective(objective);
    if (wait && r.unit === '1/s' && perReplica && p.usage !== undefined && p.usage > 0) {
      // The pool as M/M/c: arrivals at the projected throughput, one job takes 1/per-replica.
      const servers = serversForWaitSlo({
        arrivalRatePerSec: p.usage,
        serviceTimeSec: 1 / perReplica,
        slo: wait,
      });
      out.replicas.waitObjective = objective;
      // Infinity: no pool size meets it (an objective of zero wait); keep the utilization answer.
      if (Number.isFinite(servers)) {
        out.replicas.forWaitObjective = servers;
        out.replicas.needed = Math.max(out.replicas.needed ?? 0, servers);
      }
    }
  }
  return out;
}

function statusOf(r: ResourceState, utilization: number | undefined, fullAt: number): WhatIfStatus {
  if (utilization === undefined) return 'unknown';
  if (utilization >= fullAt) return 'full';
  // Past its replicas now, within its maximum: more replicas hold it.
  if (utilization >= 1) return 'scale-out';
  const crossed = r.thresholds.filter(
    (t) => t.severity !== 'capacity' && utilization >= t.utilization,
  );
  if (crossed.some((t) => t.severity === 'critical')) return 'critical';
  return crossed.length ? 'warning' : 'ok';
}

/** Replicas of every component under overrides `set` (measured, else as the plan states). */
export function replicasUnder(
  model: CapacityModel,
  set: Record<string, number>,
): Record<string, number> {
  const inputs = scenarioInputs(model, { set });
  const out: Record<string, number> = {};
  for (const name of Object.keys(model.plan.raw.components ?? {})) {
    const v = nodeValue(model.plan, `components.${name}.replicas`, inputs);
    if (v !== undefined) out[name] = v;
  }
  return out;
}

const RANK: Record<WhatIfStatus, number> = {
  unknown: 0,
  ok: 0,
  warning: 1,
  'scale-out': 1,
  critical: 2,
  full: 3,
};

function firstToBreak(resources: WhatIfResource[]): WhatIfResult['firstToBreak'] {
  const over = resources
    .filter((r) => RANK[r.status] > 0 && r.utilization !== undefined)
    .sort((a, b) => RANK[b.status] - RANK[a.status] || b.utilization! - a.utilization!);
  const top = over[0];
  return top
    ? {
        component: top.component,
        resource: top.resource,
        utilization: top.utilization!,
        status: top.status,
      }
    : undefined;
}

/** The first tier from the deployed one whose bounds and capacities hold the scenario. */
function tierNeeded(
  model: CapacityModel,
  scenario: { drivers: Record<string, number>; loadScale: number; set?: Record<string, number> },
  values: Record<string, number>,
): number | undefined {
  const deployed = Math.max(model.deployedTier, 0);
  for (let i = deployed; i < model.plan.tiers.length; i++) {
    if (!withinBounds(model.plan.tiers[i]!, values)) continue;
    const set = { ...tierSetFrom(model.plan, deployed, i), ...scenario.set };
    let inputs: EvalInputs | undefined;
    const fits = project(model, { ...scenario, set }).every((p, k) => {
      const r = model.resources[k]!;
      if (p.utilization === undefined || p.utilization < 1) return true;
      // Per-replica resources fit when the tier allows enough replicas.
      if (!r.ref.perReplica || p.usage === undefined) return false;
      inputs ??= scenarioInputs(model, { set });
      const per = nodeValue(model.plan, r.ref.capacityKey, inputs);
      const max = maxReplicas(model.plan, r.ref.component, set);
      return per !== undefined && max !== undefined && p.usage <= per * max;
    });
    if (fits) return i;
  }
  return undefined;
}

function tierAnswer(model: CapacityModel, index: number | undefined): WhatIfResult['tier'] {
  const deployed = model.plan.tiers[model.deployedTier]?.name;
  if (model.plan.tiers.length === 0) return { reason: 'the plan has no tiers' };
  if (index === undefined)
    return { deployed, reason: 'no tier of the plan holds this load: the roadmap ends before it' };
  const needed = model.plan.tiers[index]!.name;
  return {
    deployed,
    needed,
    reason:
      index === Math.max(model.deployedTier, 0)
        ? 'the deployed tier holds it'
        : `${needed} is the first tier whose bounds and capacities hold it`,
  };
}
