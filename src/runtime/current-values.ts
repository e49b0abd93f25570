/**
 * The capacity model's "now" from one cycle: each metric's value (summed over its series) and
 * its worst series, with `rate()`/`increase()` — which one collect cannot compute — taken from
 * the history's last frame.
 */
import type { Frame } from '../capacity/evaluate.ts';
import type { Plan } from '../plan/types.ts';
import { planWindows } from '../plan/windows.ts';
import { derivedInputs, inputsFromSamples, type CollectOutcome } from './collect.ts';
import { scalarInputs } from './history.ts';

/** Scalar values now from what a cycle collected, completed from the history. */
export function currentValues(
  plan: Plan,
  collected: CollectOutcome,
  frames: readonly Frame[],
): Pick<Frame, 'metrics' | 'worst'> {
  const inputs = inputsFromSamples(plan, collected.samples, collected.failures);
  derivedInputs(plan, inputs);
  const current = scalarInputs(inputs);
  const last = frames[frames.length - 1];
  for (const w of planWindows(plan))
    if (!w.aggregate && current.metrics[w.key] === undefined && last)
      current.metrics[w.key] = last.metrics[w.key];
  return current;
}

/** Each source that failed in a collect, as `name: last error`. */
export function sourceErrors(collected: CollectOutcome): string[] {
  return Object.entries(collected.sources)
    .filter(([, s]) => s.health.lastError)
    .map(([name, s]) => `${name}: ${s.health.lastError}`);
}
