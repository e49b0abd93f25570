/**
 * Projections of the capacity model: every resource's capacity, usage and utilization under a
 * scenario (driver values, a load multiplier, a tier's `set`), and the inputs that evaluate any
 * expression under one. Breaking points, tiers, what-ifs and fixes ask these hundreds of times.
 */
import type { CompiledExpression } from '../plan/expression.ts';
import type { EvalInputs } from '../plan/graph.ts';
import { nodeValue, tierOverrides } from './evaluate.ts';
import { applyMeasured, measuredView } from './measured.ts';
import {
  capacityOf,
  currentDrivers,
  formulaCapacityOf,
  ratio,
  withDrivers,
  type CapacityModel,
  type ProjectedResource,
  type ResourceState,
  type Scenario,
} from './model.ts';
import { reachedKeys } from './reach.ts';

/** Inputs and formula capacities under a scenario, before any usage is projected. */
function scenarioBase(
  model: CapacityModel,
  scenario: Scenario,
): { inputs: EvalInputs; formula: Record<string, number | undefined> } {
  const values = scenario.drivers
    ? { ...driversNow(model), ...scenario.drivers }
    : driversNow(model);
  const inputs = withDrivers(model, values, tierOverrides(scenario.set ?? NO_SET));
  return { inputs, formula: applyMeasured(model.plan, model.measured, inputs) };
}

/** A `set` that sets nothing, shared so that its conversion is made once. */
const NO_SET: Record<string, number> = Object.freeze({}) as Record<string, number>;

const driversNowOf = new WeakMap<CapacityModel, Record<string, number>>();

/** `currentDrivers` of a model, made once per model (callers only read it). */
function driversNow(model: CapacityModel): Record<string, number> {
  let values = driversNowOf.get(model);
  if (!values) driversNowOf.set(model, (values = currentDrivers(model.drivers)));
  return values;
}

/**
 * Sets the projected usage of each of `resources` as an override in `inputs`: usage measured
 * now moves with its calibrated model, or with the load multiplier. In order, so a model that
 * reads an earlier resource's usage sees its projection.
 */
function projectUsages(
  model: CapacityModel,
  inputs: EvalInputs,
  resources: readonly ResourceState[],
  loadScale: number,
): void {
  for (const r of resources) {
    if (!r.ref.hasUsage) continue;
    if (r.ref.hasModel && r.calibration) {
      const m = nodeValue(model.plan, r.ref.modelKey, inputs);
      if (m !== undefined)
        inputs.overrides![r.ref.usageKey] = r.calibration.intercept + r.calibration.slope * m;
    } else if (r.usage !== undefined) {
      inputs.overrides![r.ref.usageKey] = r.usage * loadScale;
    }
  }
}

/** The projected state of every resource under a scenario. */
export function project(
  model: CapacityModel,
  scenario: Scenario = {},
  only?: readonly ResourceState[] | ((r: ResourceState) => boolean),
): ProjectedResource[] {
  const { inputs, formula } = scenarioBase(model, scenario);
  // A list of resources costs nothing to pick; a predicate is asked of every resource.
  const resources =
    typeof only === 'function' ? model.resources.filter(only) : (only ?? model.resources);
  projectUsages(model, inputs, resources, scenario.loadScale ?? 1);
  return resources.map((r) => {
    const capacity = capacityOf(model.plan, r.ref, inputs);
    const usage = r.ref.hasUsage
      ? inputs.overrides![r.ref.usageKey]
      : r.ref.hasModel
        ? nodeValue(model.plan, r.ref.modelKey, inputs)
        : undefined;
    const scaling = model.measured[r.ref.capacityKey];
    if (!scaling) return { ref: r.ref, capacity, usage, utilization: ratio(usage, capacity) };
    return {
      ref: r.ref,
      capacity,
      formulaCapacity: formulaCapacityOf(model.plan, r.ref, formula, inputs),
      measured: measuredView(scaling, formula[r.ref.capacityKey]),
      usage,
      utilization: ratio(usage, capacity),
    };
  });
}

/**
 * Inputs (metrics and overrides) for evaluating any expression under a scenario: what `project`
 * evaluates with, its projected usages included. Given `expr`, only the resources it reads are
 * projected (the rest could not change its value).
 */
export function scenarioInputs(
  model: CapacityModel,
  scenario: Scenario = {},
  expr?: CompiledExpression,
): EvalInputs {
  const { inputs } = scenarioBase(model, scenario);
  const resources = expr ? resourcesRead(model, expr) : model.resources;
  projectUsages(model, inputs, resources, scenario.loadScale ?? 1);
  return inputs;
}

const readsOf = new WeakMap<CapacityModel, Map<CompiledExpression, ResourceState[]>>();

/** The resources whose usage `expr` reads (through formulas and models), once per model. */
function resourcesRead(model: CapacityModel, expr: CompiledExpression): ResourceState[] {
  let byExpr = readsOf.get(model);
  if (!byExpr) readsOf.set(model, (byExpr = new Map()));
  let resources = byExpr.get(expr);
  if (!resources) {
    const reads = reachedKeys(model.plan.graph, expr, modelOfUsage(model));
    resources = model.resources.filter((r) => reads.has(r.ref.usageKey));
    byExpr.set(expr, resources);
  }
  return resources;
}

const modelsOfUsage = new WeakMap<CapacityModel['plan'], (key: string) => readonly string[]>();

/** usage key → the model key a projection computes it from, per plan. */
function modelOfUsage(model: CapacityModel): (key: string) => readonly string[] {
  let edges = modelsOfUsage.get(model.plan);
  if (!edges) {
    const map = new Map<string, string[]>();
    for (const r of model.resources)
      if (r.ref.hasUsage && r.ref.hasModel) map.set(r.ref.usageKey, [r.ref.modelKey]);
    edges = (key) => map.get(key) ?? [];
    modelsOfUsage.set(model.plan, edges);
  }
  return edges;
}
