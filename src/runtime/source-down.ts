/**
 * The built-in `source-down` trigger: one alert instance per source (label `source`), active
 * while the source reads nothing at all, firing after the plan's `source_down.for`. A source
 * whose metrics partly fail is degraded, not down: its failed metrics make their own triggers
 * `unknown`.
 */
import type { Plan } from '../plan/types.ts';
import type { Series, TriggerSpec } from '../rules/types.ts';
import type { CollectOutcome } from './collect.ts';

/** Name of the built-in trigger. */
export const SOURCE_DOWN = 'source-down';

/** Engine input carrying each source's up (1) / down (0) state. */
export const SOURCE_UP_INPUT = '__source_up';

/** The trigger spec, or undefined when the plan reads no source. */
export function sourceDownSpec(plan: Plan): TriggerSpec | undefined {
  if (sourceNames(plan).length === 0) return undefined;
  const { forMs, severity, action } = plan.sourceDown;
  return {
    name: SOURCE_DOWN,
    inputs: [SOURCE_UP_INPUT],
    compute: (values) => values[SOURCE_UP_INPUT]!,
    levels: [{ severity, condition: { op: '<', threshold: 1 }, forMs, keepFiringForMs: 0, action }],
  };
}

/** Each source's up state after a collect: up when at least one of its metrics was read. */
export function sourceUpVector(plan: Plan, outcome: CollectOutcome): Series[] {
  return sourceNames(plan).map((source) => {
    const metrics = Object.values(plan.metrics).filter((m) => m.source === source);
    const up = metrics.some((m) => outcome.failures[m.name] === undefined);
    return {
      labels: { source, kind: String(plan.raw.sources?.[source]?.kind) },
      value: up ? 1 : 0,
    };
  });
}

/** Sources the plan reads at least one metric from. */
function sourceNames(plan: Plan): string[] {
  const used = new Set(Object.values(plan.metrics).flatMap((m) => (m.source ? [m.source] : [])));
  return Object.keys(plan.raw.sources ?? {}).filter((s) => used.has(s));
}
