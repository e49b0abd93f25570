/**
 * Breaking points in time: for every resource and threshold, when it will be crossed and at
 * what driver values — from the load model and the drivers' projections where the resource
 * has a model, else from a forecast of its own measured utilization. Sorted, first on top.
 */
import { fit, timeToThreshold, type Model, type Point } from '../forecast/index.ts';
import { firstCrossing, memoizedInTime } from './crossing.ts';
import { nodeValue } from './evaluate.ts';
import { fitOptions, type CapacityModel, type ResourceState } from './model.ts';
import { project } from './projection.ts';
import type { ResourceThreshold, ThresholdSeverity } from './resources.ts';

/** When one threshold of one resource will be crossed. */
export interface BreakingPoint {
  /** Component. */
  component: string;
  /** Resource. */
  resource: string;
  /** Trigger level, or `capacity` (full). */
  severity: ThresholdSeverity;
  /** Threshold utilization (0..1). */
  threshold: number;
  /** Utilization now. */
  utilizationNow?: number;
  /** When it is crossed, epoch ms (now when already past); undefined beyond the horizon. */
  at?: number;
  /** Earliest plausible crossing, epoch ms (interval bound). */
  earliest?: number;
  /** Latest plausible crossing, epoch ms (interval bound). */
  latest?: number;
  /** Driver values at `at` (today's when no date). */
  driverValues: Record<string, number>;
  /** `model`: drivers through the load model; `history`: the resource's own trend; `now`: no projection. */
  basis: 'model' | 'history' | 'now';
  /** The trigger that set the threshold, and its action and lead time. */
  trigger?: string;
  /** Action from the roadmap. */
  action?: string;
  /** Lead time of the action, ms: act by `at - leadTimeMs`. */
  leadTimeMs?: number;
}

/** Options of `breakingPoints`. */
export interface BreakingPointOptions {
  /** How far ahead to look, ms. */
  horizonMs: number;
  /** History points a resource needs before its own trend is forecast. */
  minHistoryPoints?: number;
}

/** Every breaking point of the model, first on top (undated ones last). */
export function breakingPoints(
  model: CapacityModel,
  options: BreakingPointOptions,
): BreakingPoint[] {
  const growing = Object.values(model.drivers).some((d) => d.method !== 'flat' && d.perWeek !== 0);
  const out: BreakingPoint[] = [];
  for (const r of model.resources) {
    const history = growing && r.ref.hasModel ? undefined : utilizationHistory(model, r);
    // One forecast, or one set of projected curves, per resource: its thresholds share them.
    const forecast =
      history && history.length >= (options.minHistoryPoints ?? 10)
        ? fit(history, fitOptions(model, `utilization ${r.ref.component}.${r.ref.resource}`))
        : undefined;
    const curves = growing && r.ref.hasModel ? projectedCurves(model, r) : undefined;
    for (const th of r.thresholds) {
      const base = pointBase(model, r, th);
      if (curves) out.push({ ...base, ...byModel(model, curves, th, options.horizonMs) });
      else if (forecast)
        out.push({ ...base, ...byHistory(model, forecast, th, options.horizonMs) });
      else
        out.push({
          ...base,
          basis: 'now',
          at:
            r.utilization !== undefined && r.utilization >= th.utilization ? model.now : undefined,
        });
    }
  }
  for (const p of out) if (p.at !== undefined) p.driverValues = driversAt(model, p.at);
  return out.sort(compareBreakingPoints);
}

/** Orders breaking points by date (undated last), then by how close they are now. */
export function compareBreakingPoints(a: BreakingPoint, b: BreakingPoint): number {
  const at = (p: BreakingPoint): number => p.at ?? Infinity;
  if (at(a) !== at(b)) return at(a) - at(b);
  const gap = (p: BreakingPoint): number => p.threshold - (p.utilizationNow ?? -Infinity);
  return gap(a) - gap(b);
}

function pointBase(model: CapacityModel, r: ResourceState, th: ResourceThreshold): BreakingPoint {
  return {
    component: r.ref.component,
    resource: r.ref.resource,
    severity: th.severity,
    threshold: th.utilization,
    utilizationNow: r.utilization,
    driverValues: driversAt(model, model.now),
    basis: 'now',
    trigger: th.trigger,
    action: th.action,
    leadTimeMs: th.leadTimeMs,
  };
}

function driversAt(model: CapacityModel, t: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const d of Object.values(model.drivers))
    if (d.now !== undefined) out[d.name] = d.at(t).value;
  return out;
}

type Curve = (t: number) => number | undefined;

/** A resource's projected utilization over time, with the drivers at their value and bounds. */
function projectedCurves(
  model: CapacityModel,
  r: ResourceState,
): Record<'value' | 'lower' | 'upper', Curve> {
  const curve = (which: 'value' | 'lower' | 'upper') =>
    memoizedInTime((t) => {
      const drivers: Record<string, number> = {};
      for (const d of Object.values(model.drivers))
        if (d.now !== undefined) drivers[d.name] = d.at(t)[which];
      return project(model, { drivers }, [r])[0]?.utilization;
    });
  return { value: curve('value'), lower: curve('lower'), upper: curve('upper') };
}

function byModel(
  model: CapacityModel,
  curves: Record<'value' | 'lower' | 'upper', Curve>,
  th: ResourceThreshold,
  horizonMs: number,
): Pick<BreakingPoint, 'at' | 'earliest' | 'latest' | 'basis'> {
  return {
    basis: 'model',
    at: firstCrossing(curves.value, th.utilization, model.now, horizonMs),
    // Growth at the upper bound crosses first.
    earliest: firstCrossing(curves.upper, th.utilization, model.now, horizonMs),
    latest: firstCrossing(curves.lower, th.utilization, model.now, horizonMs),
  };
}

function byHistory(
  model: CapacityModel,
  forecast: Model,
  th: ResourceThreshold,
  horizonMs: number,
): Pick<BreakingPoint, 'at' | 'earliest' | 'latest' | 'basis'> {
  const t = timeToThreshold(forecast, th.utilization, {
    level: model.level,
    horizonMs: horizonMs + (model.now - forecast.lastT),
    direction: 'above',
  });
  const clamp = (v: number | undefined): number | undefined =>
    v === undefined ? undefined : Math.max(v, model.now);
  return { basis: 'history', at: clamp(t.at), earliest: clamp(t.lower), latest: clamp(t.upper) };
}

/** Measured utilization over the history (usage / capacity at each frame). */
function utilizationHistory(model: CapacityModel, r: ResourceState): Point[] | undefined {
  if (!r.ref.hasUsage || r.capacity === undefined) return undefined;
  const points: Point[] = [];
  for (const f of model.history) {
    const u = nodeValue(model.plan, r.ref.usageKey, { metrics: f.metrics });
    if (u !== undefined) points.push({ t: f.t, v: u / r.capacity });
  }
  return points;
}
