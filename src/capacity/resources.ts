/**
 * The resources of a plan's components (`nats.storage`, `api.requests`) and the utilization
 * thresholds the plan's triggers set on them, plus the line every resource has: 100 % full.
 */
import type { ConditionOp, Plan, PlanTrigger } from '../plan/types.ts';

/** One resource of one component. */
export interface ResourceRef {
  /** Component name. */
  component: string;
  /** Resource name. */
  resource: string;
  /** True when capacity is per replica (capacity = per_replica × replicas). */
  perReplica: boolean;
  /** True when a live `usage` formula is declared. */
  hasUsage: boolean;
  /** True when a load `model` formula is declared. */
  hasModel: boolean;
  /** Graph key of the capacity node (`components.db.capacity.connections`, or per replica). */
  capacityKey: string;
  /** Graph key of the usage node, if declared. */
  usageKey: string;
  /** Graph key of the model node, if declared. */
  modelKey: string;
}

/** Severity of a resource threshold: a trigger level, or the resource being full. */
export type ThresholdSeverity = 'warning' | 'critical' | 'capacity';

/** A utilization at which something happens to a resource. */
export interface ResourceThreshold {
  /** Trigger level, or `capacity` for 100 % full. */
  severity: ThresholdSeverity;
  /** Utilization (0..1+) at which it is crossed. */
  utilization: number;
  /** The trigger that sets it, if any. */
  trigger?: string;
  /** The roadmap's action. */
  action?: string;
  /** How long the action takes, ms. */
  leadTimeMs?: number;
}

/** Every resource with a capacity, in plan order. */
export function listResources(plan: Plan): ResourceRef[] {
  const out: ResourceRef[] = [];
  for (const [component, c] of Object.entries(plan.raw.components ?? {})) {
    const names = new Set([...Object.keys(c.capacity ?? {}), ...Object.keys(c.per_replica ?? {})]);
    for (const resource of names) {
      const perReplica = c.capacity?.[resource] === undefined;
      const base = `components.${component}`;
      out.push({
        component,
        resource,
        perReplica,
        hasUsage: c.usage?.[resource] !== undefined,
        hasModel: c.model?.[resource] !== undefined,
        capacityKey: perReplica
          ? `${base}.per_replica.${resource}`
          : `${base}.capacity.${resource}`,
        usageKey: `${base}.usage.${resource}`,
        modelKey: `${base}.model.${resource}`,
      });
    }
  }
  return out;
}

/**
 * Utilization (against the replicas running now) at which a resource is full: 1, or for a
 * per-replica resource max ÷ current replicas, when a maximum above the current count is known.
 */
export function fullUtilization(
  ref: ResourceRef,
  replicas: number | undefined,
  maxReplicas: number | undefined,
): number {
  if (!ref.perReplica || !replicas || maxReplicas === undefined || maxReplicas <= replicas)
    return 1;
  return maxReplicas / replicas;
}

const RISING: ReadonlySet<ConditionOp> = new Set(['>', '>=']);
const FALLING: ReadonlySet<ConditionOp> = new Set(['<', '<=']);

const FIELDS = ['utilization', 'headroom', 'usage'] as const;
type Field = (typeof FIELDS)[number];
const triggersOf = new WeakMap<Plan, Map<string, { trigger: PlanTrigger; field: Field }[]>>();

/**
 * The triggers whose expression is exactly `component.resource.field`, by `component.resource.`,
 * in plan order: found once per plan (asking every trigger of every resource is quadratic).
 */
function resourceTriggers(plan: Plan): Map<string, { trigger: PlanTrigger; field: Field }[]> {
  let index = triggersOf.get(plan);
  if (!index) {
    index = new Map();
    for (const trigger of plan.triggers) {
      const text = trigger.expr.text.replace(/\s+/g, '');
      const field = FIELDS.find((f) => text.endsWith(`.${f}`));
      if (!field) continue;
      const prefix = text.slice(0, text.length - field.length);
      const list = index.get(prefix);
      if (list) list.push({ trigger, field });
      else index.set(prefix, [{ trigger, field }]);
    }
    triggersOf.set(plan, index);
  }
  return index;
}

/**
 * Thresholds on a resource, lowest first: each level of a trigger whose expression is exactly
 * `component.resource.utilization` (or `.usage`, compared with `capacityNow`, or `.headroom`),
 * then full — `fullAt`: 1, or for a per-replica resource that may scale out, max ÷ current
 * replicas (utilization is measured against the replicas running now).
 */
export function resourceThresholds(
  plan: Plan,
  ref: ResourceRef,
  capacityNow: number | undefined,
  fullAt = 1,
): ResourceThreshold[] {
  const out: ResourceThreshold[] = [];
  const triggers = resourceTriggers(plan).get(`${ref.component}.${ref.resource}.`) ?? [];
  for (const { trigger: t, field } of triggers) {
    for (const level of t.levels) {
      const { op, threshold } = level.condition;
      let utilization: number | undefined;
      if (field === 'utilization' && RISING.has(op)) utilization = threshold;
      else if (field === 'headroom' && FALLING.has(op)) utilization = 1 - threshold;
      else if (field === 'usage' && RISING.has(op) && capacityNow)
        utilization = threshold / capacityNow;
      if (utilization === undefined) continue;
      out.push({
        severity: level.severity,
        utilization,
        trigger: t.name,
        action: level.action,
        leadTimeMs: level.leadTimeMs,
      });
    }
  }
  out.push({ severity: 'capacity', utilization: fullAt });
  return out.sort((a, b) => a.utilization - b.utilization);
}
