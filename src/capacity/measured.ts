/**
 * Measured capacities (`headroom loadtest --write`, compiled into `plan.measured`) in the
 * capacity model. A measurement replaces the formula's value in the configuration it was
 * measured in and scales with the formula elsewhere: capacity = measured × formula(here) ÷
 * formula(then), where "then" is the formula value recorded with the measurement, else the
 * formula in the deployed configuration. So a tier that doubles the vCPU behind a per-replica
 * formula doubles the measured capacity too; where the formula cannot be evaluated, the
 * measurement is used as is. Pure: no I/O, no clock.
 */
import type { MeasuredCapacity } from '../loadtest/types.ts';
import type { EvalInputs } from '../plan/graph.ts';
import type { Plan } from '../plan/types.ts';
import { nodeValue } from './evaluate.ts';
import type { ResourceRef } from './resources.ts';

/** A measured capacity as the model applies it, in the basis of the capacity node it replaces. */
export interface MeasuredScaling {
  /** The capacity node it replaces (`components.api.per_replica.requests`). */
  key: string;
  /** The measured capacity, canonical units, per replica for a per-replica resource. */
  value: number;
  /** The formula value it stands against (same basis): recorded, else the deployed configuration's; undefined when neither is known. */
  formula?: number;
  /** The measurement as the plan records it. */
  source: MeasuredCapacity;
}

/** What a resource shows of its measurement (`ResourceState.measured`, what-if's `measured`). */
export interface MeasuredView {
  /** The capacity measured, canonical units (per replica when `perReplica`), as recorded. */
  value: number;
  /** True when `value` is per replica. */
  perReplica: boolean;
  /** The thresholds that held at that capacity, as written (`http_req_duration: p(95)<300`). */
  held: string[];
  /** When it was measured, ISO 8601. */
  at: string;
  /** Scenario that measured it. */
  scenario: string;
  /** `breakpoint` (a ramp found it) or `probe` (predicted from a low-load run). */
  method: 'breakpoint' | 'probe';
  /** The formula value the measurement is compared with, same basis as `value` (recorded, else evaluated as deployed). */
  formula?: number;
  /** measured ÷ formula: what the formula's value is multiplied by in any configuration (undefined: the measurement is used as is). */
  factor?: number;
  /** The measured capacity in the configuration shown, same basis as `value` (differs from `value` when the formula changed since). */
  applied?: number;
}

/**
 * The measurements of a plan tied to its resources, by capacity node key. `deployed` are the
 * inputs of the deployed configuration (drivers now, no overrides of capacities).
 */
export function measuredScalings(
  plan: Plan,
  refs: readonly ResourceRef[],
  deployed: EvalInputs,
): Record<string, MeasuredScaling> {
  const out: Record<string, MeasuredScaling> = {};
  for (const m of plan.measured ?? []) {
    const ref = refs.find((r) => r.component === m.component && r.resource === m.resource);
    if (!ref) continue;
    const replicasNow = nodeValue(plan, `components.${ref.component}.replicas`, deployed);
    const value = toNodeBasis(m.value, m, ref, replicasNow);
    if (value === undefined || !(value > 0)) continue;
    const previous = out[ref.capacityKey];
    // Two measurements of one resource: the newer one counts.
    if (previous && Date.parse(previous.source.at) > Date.parse(m.at)) continue;
    const recorded =
      m.formula === undefined ? undefined : toNodeBasis(m.formula, m, ref, replicasNow);
    const formula = recorded ?? nodeValue(plan, ref.capacityKey, deployed);
    out[ref.capacityKey] = {
      key: ref.capacityKey,
      value,
      formula:
        formula !== undefined && formula > 0 && Number.isFinite(formula) ? formula : undefined,
      source: m,
    };
  }
  return out;
}

/** A recorded number in the basis of the resource's capacity node (per replica, or the total). */
function toNodeBasis(
  v: number,
  m: MeasuredCapacity,
  ref: ResourceRef,
  replicasNow: number | undefined,
): number | undefined {
  if (!Number.isFinite(v)) return undefined;
  if (m.perReplica === ref.perReplica) return v;
  const replicas = m.replicas ?? replicasNow;
  // A total over `replicas` for a per-replica resource, or one replica's share of a total.
  if (ref.perReplica) return replicas ? v / replicas : undefined;
  return v * (replicas ?? 1);
}

/** The measured capacity in a configuration whose formula gives `formulaHere` (same basis). */
export function measuredAt(s: MeasuredScaling, formulaHere: number | undefined): number {
  if (s.formula === undefined || formulaHere === undefined) return s.value;
  return (s.value * formulaHere) / s.formula;
}

/**
 * Replaces, in `inputs`, every measured capacity node by its measured value scaled to the
 * configuration `inputs` describe (tier or what-if overrides of the node itself, or of the
 * formula's inputs, are the formula's terms and scale too). Returns each node's formula value
 * there. Call once per inputs object.
 */
export function applyMeasured(
  plan: Plan,
  scalings: Record<string, MeasuredScaling>,
  inputs: EvalInputs,
): Record<string, number | undefined> {
  const formula: Record<string, number | undefined> = {};
  const entries = Object.values(scalings);
  if (entries.length === 0) return formula;
  const overrides = (inputs.overrides ??= {});
  for (const s of entries) formula[s.key] = nodeValue(plan, s.key, inputs);
  for (const s of entries) overrides[s.key] = measuredAt(s, formula[s.key]);
  return formula;
}

/** The view of a measurement for a resource, where the formula gives `formulaHere`. */
export function measuredView(s: MeasuredScaling, formulaHere: number | undefined): MeasuredView {
  const m = s.source;
  const perReplica = m.perReplica;
  // Shown in the basis it was recorded in.
  const scaleBack = s.value === 0 ? 1 : m.value / s.value;
  return {
    value: m.value,
    perReplica,
    held: [...m.held],
    at: m.at,
    scenario: m.scenario,
    method: m.method,
    formula: s.formula === undefined ? undefined : s.formula * scaleBack,
    factor: s.formula === undefined ? undefined : s.value / s.formula,
    applied: measuredAt(s, formulaHere) * scaleBack,
  };
}
