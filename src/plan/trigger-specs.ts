/**
 * The bridge from a compiled plan to the alert engine: each plan trigger becomes a
 * `TriggerSpec` whose `compute` evaluates the trigger's expression — as a number function
 * (`number-function.ts`) when it has an exact one, else through the formula graph and mathjs.
 */
import type { TriggerSpec } from '../rules/types.ts';
import { numberFunction } from './number-function.ts';
import type { Plan, PlanTrigger } from './types.ts';
import { toQuantity } from './units.ts';

/** Trigger specs for the rules engine, in plan order. */
export function triggerSpecs(plan: Plan): TriggerSpec[] {
  return plan.triggers.map((t) => ({
    name: t.name,
    inputs: t.inputs,
    compute: computeFor(plan, t),
    levels: t.levels.map((l) => ({
      severity: l.severity,
      condition: { op: l.condition.op, threshold: l.condition.threshold },
      forMs: l.forMs,
      keepFiringForMs: l.keepFiringForMs,
      action: l.action,
    })),
  }));
}

function computeFor(plan: Plan, trigger: PlanTrigger): (values: Record<string, number>) => number {
  const text = trigger.expr.text.trim();
  // Fast path: a trigger on one source metric needs no formula evaluation.
  if (trigger.inputs.length === 1 && trigger.inputs[0] === text && plan.metrics[text]?.source) {
    return (values) => values[text]!;
  }
  return (
    numberFunction(plan.graph, trigger.expr) ??
    ((values) =>
      toQuantity(plan.units, plan.graph.evaluateExpr(trigger.expr, { metrics: values })).value)
  );
}
