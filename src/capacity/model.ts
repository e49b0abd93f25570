/**
 * The capacity model of a plan at one moment: drivers and their projections, every resource's
 * capacity, usage and load model (calibrated against what was measured) — the basis of
 * breaking points, what-ifs, tiers and costs. Projections under a scenario: `projection.ts`.
 */
import type { ChoiceMemory, FitOptions, Point } from '../forecast/index.ts';
import type { EvalInputs } from '../plan/graph.ts';
import type { Plan } from '../plan/types.ts';
import { toQuantity } from '../plan/units.ts';
import { AS_WRITTEN, calibrate, type Calibration } from './calibrate.ts';
import { projectDriver, type DriverProjection } from './drivers.ts';
import { nodeValue, tierOverrides, type Frame, type TierOverrides } from './evaluate.ts';
import {
  fullUtilization,
  listResources,
  resourceThresholds,
  type ResourceRef,
  type ResourceThreshold,
} from './resources.ts';
import { deployedTierIndex } from './deployed-tier.ts';
import {
  applyMeasured,
  measuredScalings,
  measuredView,
  type MeasuredScaling,
  type MeasuredView,
} from './measured.ts';

/** What the capacity model is built from. */
export interface CapacityInput {
  /** The compiled plan. */
  plan: Plan;
  /** The moment "now", epoch ms. */
  now: number;
  /** Latest canonical value of each metric and window key (missing when unknown). */
  current: Record<string, number | undefined>;
  /** For metrics with several series now: the largest series. */
  currentWorst?: Record<string, number | undefined>;
  /** History, oldest first (may be empty). */
  history: readonly Frame[];
  /** Central prediction interval coverage, 0..1 (default 0.8). */
  level?: number;
  /** Model choices kept from earlier models of the same plan (a serve loop's rebuilds). */
  choices?: ChoiceMemory;
}

/** One resource now. */
export interface ResourceState {
  /** Which resource. */
  ref: ResourceRef;
  /** Capacity now, canonical units (per_replica × replicas for per-replica resources): measured when a load test measured it, else the formula's. */
  capacity?: number;
  /** Capacity now by the roadmap's formula alone, same basis as `capacity`. */
  formulaCapacity?: number;
  /** The load test behind `capacity`, when one measured it. */
  measured?: MeasuredView;
  /** Measured usage now. */
  usage?: number;
  /** The load model's value now (as written, before calibration). */
  model?: number;
  /** The usage the model is judged by: measured, else the calibrated model. */
  effectiveUsage?: number;
  /** effectiveUsage / capacity. */
  utilization?: number;
  /** How the model is tied to measured usage (resources with a model). */
  calibration?: Calibration;
  /** Thresholds on the resource, lowest first (100 % last or among them). */
  thresholds: ResourceThreshold[];
  /** Canonical unit of the resource (`B`, `1/s`, `conn`…). */
  unit: string;
}

/** The capacity model at one moment. */
export interface CapacityModel {
  /** The plan. */
  plan: Plan;
  /** The moment, epoch ms. */
  now: number;
  /** Interval coverage, 0..1. */
  level: number;
  /** Current inputs for the formula graph. */
  inputs: EvalInputs;
  /** For metrics with several series now: the largest series. */
  worst: Record<string, number | undefined>;
  /** The history it was built from. */
  history: readonly Frame[];
  /** Drivers by name. */
  drivers: Record<string, DriverProjection>;
  /** Resources in plan order. */
  resources: ResourceState[];
  /** Index of the deployed tier (-1 without tiers). */
  deployedTier: number;
  /** Measured capacities by the capacity node they replace (`components.api.per_replica.requests`). */
  measured: Record<string, MeasuredScaling>;
  /** Where forecasts keep their model choices across rebuilds, when the caller keeps one. */
  choices?: ChoiceMemory;
}

/** A hypothetical state: driver values, a load multiplier, plan overrides. */
export interface Scenario {
  /** Driver values (canonical); drivers left out keep their value now. */
  drivers?: Record<string, number>;
  /** Multiplier on measured usage that no model explains (default 1). */
  loadScale?: number;
  /** Tier-style overrides (`db.capacity.connections`, `api.replicas.current`, params). */
  set?: Record<string, number>;
}

/** The projected value of every resource under a scenario. */
export interface ProjectedResource {
  /** Which resource. */
  ref: ResourceRef;
  /** Capacity under the scenario (measured, scaled to it, when a load test measured it). */
  capacity?: number;
  /** Capacity under the scenario by the roadmap's formula alone. */
  formulaCapacity?: number;
  /** The measurement behind `capacity`, scaled to the scenario. */
  measured?: MeasuredView;
  /** Usage under the scenario. */
  usage?: number;
  /** usage / capacity. */
  utilization?: number;
}

const REGISTERED = new WeakSet<Plan>();

/**
 * Declares the canonical unit of every node the model overrides (usages, capacities, per-replica
 * values, params), so an override of `1e9` on a storage usage means 1 GB, not the number 1e9.
 */
function registerOverrideUnits(plan: Plan): void {
  if (REGISTERED.has(plan)) return;
  REGISTERED.add(plan);
  const probe = plan.graph.probeInputs();
  for (const node of plan.graph.nodes.values()) {
    if (!/^(params\.|components\.[^.]+\.(usage|capacity|per_replica|model)\.)/.test(node.key))
      continue;
    try {
      plan.graph.setOverrideUnit(
        node.key,
        toQuantity(plan.units, plan.graph.evaluate(node.key, probe)).unit,
      );
    } catch {
      // A node that cannot be probed is never overridden with a number.
    }
  }
}

/** Builds the capacity model. */
export function buildCapacityModel(input: CapacityInput): CapacityModel {
  const { plan, now } = input;
  registerOverrideUnits(plan);
  const level = input.level ?? 0.8;
  const inputs: EvalInputs = { metrics: { ...input.current } };
  const drivers: Record<string, DriverProjection> = {};
  for (const d of Object.values(plan.drivers)) {
    const measured = d.metric !== undefined ? input.current[d.metric] : undefined;
    const history: Point[] = [];
    if (d.metric !== undefined)
      for (const f of input.history) {
        const v = f.metrics[d.metric];
        if (v !== undefined && Number.isFinite(v)) history.push({ t: f.t, v });
      }
    // A source down now: the latest recorded value beats the plan's static one.
    const latest = measured ?? history[history.length - 1]?.v;
    drivers[d.name] = projectDriver(d, {
      now,
      measured: latest,
      history,
      level,
      ...fitOptions(input, `driver ${d.name}`),
    });
  }
  const base = {
    plan,
    now,
    level,
    inputs,
    worst: input.currentWorst ?? {},
    history: input.history,
    drivers,
    deployedTier: deployedTierIndex(plan, currentDrivers(drivers)),
    ...(input.choices ? { choices: input.choices } : {}),
  };
  const refs = listResources(plan);
  const measured = measuredScalings(plan, refs, withDrivers(base, currentDrivers(drivers)));
  const withMeasured = { ...base, measured };
  const driverInputs = withDrivers(base, currentDrivers(drivers));
  const formula = applyMeasured(plan, measured, driverInputs);
  const resources = refs.map((ref) => resourceState(withMeasured, ref, driverInputs, formula));
  return { ...withMeasured, resources };
}

/** Options of a forecast of the model's series `key`: it keeps its model choice in the model's memory. */
export function fitOptions(model: Pick<CapacityModel, 'choices'>, key: string): FitOptions {
  return model.choices ? { memory: { choices: model.choices, key } } : {};
}

/** Driver values now, by name. */
export function currentDrivers(drivers: Record<string, DriverProjection>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const d of Object.values(drivers)) if (d.now !== undefined) out[d.name] = d.now;
  return out;
}

/** Inputs with driver values as overrides (so a driver without a measurement still evaluates). */
export function withDrivers(
  model: Pick<CapacityModel, 'inputs'>,
  values: Record<string, number>,
  set?: TierOverrides,
): EvalInputs {
  const overrides = set ? set.layered() : {};
  for (const [name, v] of Object.entries(values)) overrides[`drivers.${name}`] = v;
  return { metrics: model.inputs.metrics, overrides };
}

function resourceState(
  model: Omit<CapacityModel, 'resources'>,
  ref: ResourceRef,
  inputs: EvalInputs,
  formula: Record<string, number | undefined>,
): ResourceState {
  const capacity = capacityOf(model.plan, ref, inputs);
  const scaling = model.measured[ref.capacityKey];
  const usage = ref.hasUsage ? nodeValue(model.plan, ref.usageKey, model.inputs) : undefined;
  const modelNow = ref.hasModel ? nodeValue(model.plan, ref.modelKey, inputs) : undefined;
  const calibration =
    ref.hasModel && ref.hasUsage
      ? calibrateResource(model, ref, usage, modelNow)
      : ref.hasModel
        ? AS_WRITTEN
        : undefined;
  const effectiveUsage =
    usage ??
    (modelNow !== undefined && calibration
      ? calibration.intercept + calibration.slope * modelNow
      : undefined);
  return {
    ref,
    capacity,
    formulaCapacity: scaling ? formulaCapacityOf(model.plan, ref, formula, inputs) : capacity,
    ...(scaling ? { measured: measuredView(scaling, formula[ref.capacityKey]) } : {}),
    usage,
    model: modelNow,
    effectiveUsage,
    utilization: ratio(effectiveUsage, capacity),
    calibration,
    thresholds: resourceThresholds(
      model.plan,
      ref,
      capacity,
      fullUtilization(
        ref,
        replicasOf(model.plan, ref.component, inputs),
        maxReplicas(model.plan, ref.component, {}),
      ),
    ),
    unit: unitOf(model.plan, ref),
  };
}

/** Frames used for calibration at most (evenly spaced over the history). */
const MAX_CALIBRATION_FRAMES = 300;

function calibrateResource(
  model: Omit<CapacityModel, 'resources'>,
  ref: ResourceRef,
  usageNow: number | undefined,
  modelNow: number | undefined,
): Calibration {
  const pairs: { model: number; usage: number }[] = [];
  const stride = Math.max(1, Math.ceil(model.history.length / MAX_CALIBRATION_FRAMES));
  const driverMetrics = Object.values(model.plan.drivers).flatMap((d) =>
    d.metric ? [d.metric] : [],
  );
  for (let i = 0; i < model.history.length; i += stride) {
    const frame = model.history[i]!;
    // A frame without a driver's measurement would evaluate the model at the static value.
    if (driverMetrics.some((m) => frame.metrics[m] === undefined)) continue;
    const inputs = { metrics: frame.metrics };
    const u = nodeValue(model.plan, ref.usageKey, inputs);
    const m = nodeValue(model.plan, ref.modelKey, inputs);
    if (u !== undefined && m !== undefined) pairs.push({ model: m, usage: u });
  }
  if (usageNow !== undefined && modelNow !== undefined)
    pairs.push({ model: modelNow, usage: usageNow });
  return calibrate(pairs);
}

/** Replicas of a component under some inputs. */
export function replicasOf(plan: Plan, component: string, inputs: EvalInputs): number | undefined {
  return nodeValue(plan, `components.${component}.replicas`, inputs);
}

/** The most replicas a component may run: a tier's `set` bound, else the plan's `replicas.max`. */
export function maxReplicas(
  plan: Plan,
  component: string,
  set: Record<string, number>,
): number | undefined {
  const bound = tierOverrides(set).replicaBounds[component]?.max;
  if (bound !== undefined) return bound;
  const r = plan.raw.components?.[component]?.replicas;
  return typeof r === 'object' ? r.max : undefined;
}

/**
 * Capacity of a resource under some inputs: capacity, or per_replica × replicas. Inputs built by
 * `configInputs` carry the measured capacities, so every consumer sees the measurement.
 */
export function capacityOf(plan: Plan, ref: ResourceRef, inputs: EvalInputs): number | undefined {
  return timesReplicas(plan, ref, nodeValue(plan, ref.capacityKey, inputs), inputs);
}

/** The formula's capacity (per_replica × replicas), from the node values `applyMeasured` returned. */
export function formulaCapacityOf(
  plan: Plan,
  ref: ResourceRef,
  formula: Record<string, number | undefined>,
  inputs: EvalInputs,
): number | undefined {
  return timesReplicas(plan, ref, formula[ref.capacityKey], inputs);
}

function timesReplicas(
  plan: Plan,
  ref: ResourceRef,
  node: number | undefined,
  inputs: EvalInputs,
): number | undefined {
  if (!ref.perReplica || node === undefined) return node;
  const replicas = nodeValue(plan, `components.${ref.component}.replicas`, inputs);
  return replicas === undefined ? undefined : node * replicas;
}

/** Canonical unit of a resource's capacity (`` when it cannot be probed). */
export function unitOf(plan: Plan, ref: ResourceRef): string {
  try {
    return toQuantity(plan.units, plan.graph.evaluate(ref.capacityKey, plan.graph.probeInputs()))
      .unit;
  } catch {
    return '';
  }
}

/** a / b, undefined when either is unknown or b is 0. */
export function ratio(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined || b === undefined || b === 0 ? undefined : a / b;
}
