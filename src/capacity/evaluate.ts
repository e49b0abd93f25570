/**
 * Reading numbers out of a plan's formula graph for the capacity model: a node or expression
 * evaluated to a canonical number, `undefined` when a metric it needs has no value. Both go
 * through number functions compiled once per set of overridden keys (`number-evaluator.ts`),
 * equal to the mathjs path.
 */
import type { CompiledExpression } from '../plan/expression.ts';
import { MissingInputError, type EvalInputs } from '../plan/graph.ts';
import { evaluateNumber } from '../plan/number-evaluator.ts';
import type { Plan } from '../plan/types.ts';

/** One moment of history: the canonical value of each plan metric (and window key) then. */
export interface Frame {
  /** Time, epoch ms. */
  t: number;
  /** Values by metric name, canonical units, summed over a metric's series; absent when the metric had no sample. */
  metrics: Record<string, number | undefined>;
  /** For metrics with several series: the largest series (what a per-series trigger fires on). */
  worst?: Record<string, number | undefined>;
}

/** A graph node as a canonical number, or undefined when an input is missing. */
export function nodeValue(plan: Plan, key: string, inputs: EvalInputs): number | undefined {
  if (!plan.graph.nodes.has(key) && inputs.overrides?.[key] === undefined) return undefined;
  try {
    return finite(evaluateNumber(plan.graph, key, inputs));
  } catch (err) {
    if (err instanceof MissingInputError) return undefined;
    throw err;
  }
}

/** An expression as a canonical number, or undefined when an input is missing. */
export function exprValue(
  plan: Plan,
  expr: CompiledExpression,
  inputs: EvalInputs,
): number | undefined {
  try {
    return finite(evaluateNumber(plan.graph, expr, inputs));
  } catch (err) {
    if (err instanceof MissingInputError) return undefined;
    throw err;
  }
}

function finite(v: number): number | undefined {
  return Number.isFinite(v) ? v : undefined;
}

/**
 * Graph overrides for a tier's `set` (params, capacities, per-replica values and current
 * replicas), plus the replica bounds it sets, by component.
 */
export function tierOverrides(set: Record<string, number>): TierOverrides {
  // A search projects one tier's `set` at every step: each set is converted once. Sets are
  // not changed once made (every caller builds its own); what comes back is frozen.
  let result = converted.get(set);
  if (!result) {
    result = convertSet(set);
    converted.set(set, result);
  }
  return result;
}

/** A tier's `set` as graph overrides and replica bounds; shared, so never to be modified. */
export interface TierOverrides {
  readonly overrides: Readonly<Record<string, number>>;
  readonly replicaBounds: Readonly<Record<string, { min?: number; max?: number }>>;
  /**
   * A new overrides object that holds the set's overrides through its prototype, free to add
   * to (a projection adds drivers and usages): no copy of a large set per projection. Reads
   * (`overrides[key]`) see them; nothing enumerates overrides.
   */
  layered(): Record<string, number>;
}

const converted = new WeakMap<Record<string, number>, TierOverrides>();

function convertSet(set: Record<string, number>): TierOverrides {
  const overrides: Record<string, number> = {};
  const replicaBounds: Record<string, { min?: number; max?: number }> = {};
  for (const [key, value] of Object.entries(set)) {
    const parts = key.split('.');
    if (parts.length === 1) overrides[`params.${key}`] = value;
    else if (parts[1] === 'replicas') {
      const [component, , bound] = parts as [string, string, string];
      if (bound === 'current') overrides[`components.${component}.replicas`] = value;
      else (replicaBounds[component] ??= {})[bound as 'min' | 'max'] = value;
    } else overrides[`components.${key}`] = value;
  }
  // The prototype of layered objects: a copy, writable, so that a layer may shadow a key.
  const layer = { ...overrides };
  return Object.freeze({
    overrides: Object.freeze(overrides),
    replicaBounds: Object.freeze(replicaBounds),
    layered: () => Object.create(layer) as Record<string, number>,
  });
}

/**
 * What moving from the deployed tier to tier `index` sets: the plan's components describe what
 * is deployed, and each later tier inherits what the tiers before it set.
 */
export function tierSetFrom(plan: Plan, deployed: number, index: number): Record<string, number> {
  const set: Record<string, number> = {};
  for (const tier of plan.tiers.slice(deployed + 1, index + 1)) Object.assign(set, tier.set);
  return set;
}
