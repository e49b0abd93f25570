/**
 * Breaking points by load: how many times today's drivers a configuration takes before each
 * resource crosses a threshold — "the database connections run out at 3.4× today, at 340
 * users". Usage without a load model is taken to grow in proportion to the drivers.
 */
import { tierOverrides } from './evaluate.ts';
import {
  currentDrivers,
  maxReplicas,
  replicasOf,
  type CapacityModel,
  type ResourceState,
} from './model.ts';
import { project } from './projection.ts';
import { fullUtilization } from './resources.ts';
import type { ThresholdSeverity } from './resources.ts';

/** The largest multiple of today's load searched, ×. */
export const MAX_SCALE = 1e6;
/** Relative precision of the scale found. */
const SCALE_PRECISION = 1e-4;

/** A resource crossing a threshold at a multiple of today's load. */
export interface ScaleBreak {
  /** Component. */
  component: string;
  /** Resource. */
  resource: string;
  /** Threshold severity (`capacity` = full). */
  severity: ThresholdSeverity;
  /** Threshold utilization. */
  threshold: number;
  /** Multiple of today's drivers at which it is crossed (≤ 1: already crossed). */
  scale: number;
  /** Driver values at that multiple. */
  driverValues: Record<string, number>;
}

/** Utilization of one resource at `scale` × today's load under overrides `set`. */
export function utilizationAtScale(
  model: CapacityModel,
  resource: ResourceState,
  scale: number,
  set: Record<string, number> = {},
): number | undefined {
  const drivers = scaledDrivers(model, scale);
  const [p] = project(model, { drivers, loadScale: scale, set }, [resource]);
  return p?.utilization;
}

/** Today's driver values × scale. */
export function scaledDrivers(model: CapacityModel, scale: number): Record<string, number> {
  return Object.fromEntries(
    Object.entries(currentDrivers(model.drivers)).map(([n, v]) => [n, v * scale]),
  );
}

/** The multiple of today's load at which a resource reaches `threshold`, or undefined. */
export function scaleToThreshold(
  model: CapacityModel,
  resource: ResourceState,
  threshold: number,
  set: Record<string, number> = {},
): number | undefined {
  const reached = (s: number): boolean => {
    const u = utilizationAtScale(model, resource, s, set);
    return u !== undefined && u >= threshold;
  };
  if (reached(1)) {
    // Already past: how far back would it have been fine? Report the fraction of today's load.
    let lo = 0;
    let hi = 1;
    if (reached(1e-9)) return 0;
    while (hi - lo > SCALE_PRECISION) {
      const mid = (lo + hi) / 2;
      if (reached(mid)) hi = mid;
      else lo = mid;
    }
    return hi;
  }
  let lo = 1;
  let hi = 2;
  while (!reached(hi)) {
    lo = hi;
    hi *= 2;
    if (hi > MAX_SCALE) return undefined;
  }
  while ((hi - lo) / hi > SCALE_PRECISION) {
    const mid = (lo + hi) / 2;
    if (reached(mid)) hi = mid;
    else lo = mid;
  }
  return hi;
}

/** Utilization at which a resource is full under overrides `set` (per-replica: at max replicas). */
export function fullAtUnder(
  model: CapacityModel,
  r: ResourceState,
  set: Record<string, number>,
): number {
  const inputs = { metrics: model.inputs.metrics, overrides: tierOverrides(set).overrides };
  return fullUtilization(
    r.ref,
    replicasOf(model.plan, r.ref.component, inputs),
    maxReplicas(model.plan, r.ref.component, set),
  );
}

/** Every resource's crossings of its thresholds by load, first first. */
export function breaksByScale(
  model: CapacityModel,
  set: Record<string, number> = {},
): ScaleBreak[] {
  const out: ScaleBreak[] = [];
  for (const r of model.resources) {
    for (const th of r.thresholds) {
      const level = th.severity === 'capacity' ? fullAtUnder(model, r, set) : th.utilization;
      const scale = scaleToThreshold(model, r, level, set);
      if (scale === undefined) continue;
      out.push({
        component: r.ref.component,
        resource: r.ref.resource,
        severity: th.severity,
        threshold: level,
        scale,
        driverValues: scaledDrivers(model, scale),
      });
    }
  }
  return out.sort((a, b) => a.scale - b.scale);
}

/** The first resource to reach its capacity (per-replica: at its most replicas) as load grows under `set`. */
export function firstToBreakByScale(
  model: CapacityModel,
  set: Record<string, number> = {},
): ScaleBreak | undefined {
  let best: ScaleBreak | undefined;
  for (const r of model.resources) {
    const full = fullAtUnder(model, r, set);
    const scale = scaleToThreshold(model, r, full, set);
    if (scale === undefined || (best && best.scale <= scale)) continue;
    best = {
      component: r.ref.component,
      resource: r.ref.resource,
      severity: 'capacity',
      threshold: full,
      scale,
      driverValues: scaledDrivers(model, scale),
    };
  }
  return best;
}
