/**
 * Predicting saturation from a load test at low load, by the service demand law: while a run
 * holds a steady rate X, each resource the plan measures is used U = U₀ + D·X, where D is the
 * resource's demand per iteration (connection-seconds, CPU-seconds, busy workers per job/s).
 * From an idle baseline and one or more stages, D and U₀ come out by least squares, and the
 * resource is full at X = (capacity − U₀) / D. The resource with the lowest such rate is the
 * bottleneck: what the system saturates on, and the rate at which it will. Pure: frames (the
 * plan's metrics sampled during the run) and stage times come in as arguments.
 */
import { leastSquares } from '../capacity/calibrate.ts';
import type { Frame } from '../capacity/evaluate.ts';
import { nodeValue } from '../capacity/evaluate.ts';
import { capacityOf, unitOf } from '../capacity/model.ts';
import { listResources, type ResourceRef } from '../capacity/resources.ts';
import type { Plan } from '../plan/types.ts';

/** A span of the run at one steady rate. */
export interface SteadySpan {
  /** Start, epoch ms. */
  from: number;
  /** End, epoch ms. */
  to: number;
  /** Iterations completed per second in it (0 for the idle baseline). */
  rate: number;
}

/** One resource's demand, as the run measured it. */
export interface ResourceDemand {
  /** Component. */
  component: string;
  /** Resource. */
  resource: string;
  /** Canonical unit of the resource. */
  unit: string;
  /** Capacity, canonical units (per_replica × replicas for a per-replica resource). */
  capacity?: number;
  /** Mean usage per span, in span order: `{ rate, usage }`. */
  points: { rate: number; usage: number }[];
  /** Usage at no load (the fit's intercept), canonical units. */
  idle?: number;
  /** Usage added per iteration per second (canonical unit × s). */
  demand?: number;
  /** Utilization at the highest rate measured. */
  utilization?: number;
  /** Rate at which the resource is full, per second. */
  saturation_rate?: number;
  /** How well U = U₀ + D·X fits the points (3 points or more). */
  r2?: number;
  /** One sentence on the result, or why there is none. */
  note: string;
}

/** The prediction of a run: every resource's demand, and which one saturates first. */
export interface DemandPrediction {
  /** Resources with a live usage, in plan order. */
  resources: ResourceDemand[];
  /** The resource that is full at the lowest rate, and that rate (per second). */
  bottleneck?: { component: string; resource: string; rate: number };
}

/** What `predictSaturation` needs. */
export interface DemandInput {
  /** The plan. */
  plan: Plan;
  /** The plan's metrics sampled during the run, oldest first. */
  frames: readonly Frame[];
  /** Steady spans: the idle baseline (rate 0) and the run's stages. */
  spans: readonly SteadySpan[];
  /** Leading part of each span left out while usage settles (lagging metrics), ms. */
  settleMs: number;
  /** Resources not to name as the bottleneck (the throughput being measured, `api.requests`). */
  exclude?: readonly { component: string; resource: string }[];
}

/** Share of capacity a resource's usage must move by over the run to count as loaded by it. */
export const MIN_LOADED_SHARE = 0.01;

/** Predicts each resource's saturation rate from a run's spans. */
export function predictSaturation(input: DemandInput): DemandPrediction {
  const { plan, frames } = input;
  const last = frames[frames.length - 1];
  const resources: ResourceDemand[] = [];
  for (const ref of listResources(plan)) {
    if (!ref.hasUsage) continue;
    const capacity = capacityOf(plan, ref, { metrics: last?.metrics ?? {} });
    const points = spanMeans(input, ref);
    resources.push(judge(plan, ref, capacity, points));
  }
  const excluded = (r: ResourceDemand) =>
    (input.exclude ?? []).some((e) => e.component === r.component && e.resource === r.resource);
  let bottleneck: DemandPrediction['bottleneck'];
  for (const r of resources) {
    if (r.saturation_rate === undefined || excluded(r)) continue;
    if (!bottleneck || r.saturation_rate < bottleneck.rate)
      bottleneck = { component: r.component, resource: r.resource, rate: r.saturation_rate };
  }
  return { resources, bottleneck };
}

/** Mean usage over each span (after it settles), for spans with at least one sample. */
function spanMeans(input: DemandInput, ref: ResourceRef): { rate: number; usage: number }[] {
  const out: { rate: number; usage: number }[] = [];
  for (const span of input.spans) {
    const from = span.from + Math.min(input.settleMs, (span.to - span.from) / 2);
    let sum = 0;
    let n = 0;
    for (const f of input.frames) {
      if (f.t < from || f.t >= span.to) continue;
      const u = nodeValue(input.plan, ref.usageKey, { metrics: f.metrics });
      if (u === undefined) continue;
      sum += u;
      n++;
    }
    if (n > 0) out.push({ rate: span.rate, usage: sum / n });
  }
  return out;
}

function judge(
  plan: Plan,
  ref: ResourceRef,
  capacity: number | undefined,
  points: { rate: number; usage: number }[],
): ResourceDemand {
  const base = {
    component: ref.component,
    resource: ref.resource,
    unit: unitOf(plan, ref),
    capacity,
    points,
  };
  const loaded = points.filter((p) => p.rate > 0);
  if (loaded.length === 0)
    return { ...base, note: 'no usage was read while load ran (is its source up?)' };
  const fit = fitLine(points);
  if (!fit) return { ...base, note: 'the run held one rate and no idle baseline was read' };
  const top = Math.max(...loaded.map((p) => p.rate));
  const utilization =
    capacity && capacity > 0 ? (fit.intercept + fit.slope * top) / capacity : undefined;
  const shared = { ...base, idle: fit.intercept, demand: fit.slope, utilization, r2: fit.r2 };
  if (capacity === undefined || capacity <= 0)
    return { ...shared, note: 'its capacity is not known now' };
  if (fit.slope <= 0 || fit.slope * top < MIN_LOADED_SHARE * capacity)
    return { ...shared, note: `not loaded by this run (usage moved < 1 % of capacity)` };
  const saturation = (capacity - fit.intercept) / fit.slope;
  return {
    ...shared,
    saturation_rate: Math.max(0, saturation),
    note:
      `${fmt(fit.intercept + fit.slope * top)} of ${fmt(capacity)}${unitText(base.unit)} used at ${fmt(top)}/s ` +
      `(${fmt(100 * utilization!)} %; ${fmt(fit.intercept)} idle, ${fmt(fit.slope)} per iteration/s): full at ${fmt(Math.max(0, saturation))}/s`,
  };
}

/** Least squares U = a + b·X (R² from 3 points on); with one point and no baseline, U₀ = 0. */
function fitLine(
  points: readonly { rate: number; usage: number }[],
): { intercept: number; slope: number; r2?: number } | undefined {
  if (points.length === 1) {
    const p = points[0]!;
    return p.rate > 0 ? { intercept: 0, slope: p.usage / p.rate } : undefined;
  }
  const fit = leastSquares(points.map((p) => ({ model: p.rate, usage: p.usage })));
  if (!fit) return undefined;
  const r2 = points.length >= 3 ? fit.rSquared : undefined;
  return { intercept: fit.intercept, slope: fit.slope, r2 };
}

/** A canonical unit after a number (` B`), nothing for a count. */
function unitText(unit: string): string {
  return unit === '' ? '' : ` ${unit}`;
}

function fmt(v: number): string {
  return Number(v.toPrecision(3)).toString();
}
