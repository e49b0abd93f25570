/**
 * `step`: threshold steps on one metric, as roadmaps write them ("depth > 500 → +5, < 50 → −2",
 * "CPU > 70% for 5 min → +1"), with cooldowns.
 *
 * - Order: the rules are checked in the order written and the first that matches wins, so write
 *   the most urgent rule first (the bigger step before the smaller one, scale-up before
 *   scale-down when both could hold).
 * - `for`: a rule matches once its condition has held continuously for `forMs`, counted from
 *   when it began to hold or from the last replica change, whichever is later (after a change
 *   the metric must show the need again). A call where the condition does not hold restarts the
 *   count; a failed read or a missing value neither breaks nor extends it.
 * - Cooldowns: after a replica change took effect, no scale-up for `cooldownMs` and no
 *   scale-down for `scaleDownCooldownMs` (default `cooldownMs`). Changes are learnt from the
 *   observed replicas (see `changes.ts`).
 *
 * The rule's `change` is applied to the current replicas; the pool's min and max are the safety
 * rails' clamp (`safety.ts`).
 */
import { observedChange, type LastSeen } from './changes.ts';
import { dur, num, signed } from './format.ts';
import { readMetric } from './observation.ts';
import type { DecisionWithState, Policy, PolicySpec, Threshold } from './types.ts';

/** The `step` entry of `PolicySpec`. */
export type StepSpec = Extract<PolicySpec, { kind: 'step' }>;

/** What step remembers between calls (plain JSON). */
export interface StepState {
  /** Per rule, when its condition began to hold (epoch ms), or null when it does not hold. */
  since: (number | null)[];
  /** When the last replica change was asked for (epoch ms), or null. */
  lastChangeAt: number | null;
  /** The previous call, to see changes; null before the first. */
  last: LastSeen | null;
}

/** True when `value op threshold` holds. */
export function thresholdHolds(t: Threshold, value: number): boolean {
  switch (t.op) {
    case '>':
      return value > t.value;
    case '>=':
      return value >= t.value;
    case '<':
      return value < t.value;
    case '<=':
      return value <= t.value;
  }
}

/** Creates the step policy. */
export function createStepPolicy(spec: StepSpec): Policy<StepState> {
  if (spec.steps.length === 0) throw new Error('step needs at least one rule');
  const downCooldownMs = spec.scaleDownCooldownMs ?? spec.cooldownMs;
  return {
    name: 'step',
    initialState: () => ({ since: spec.steps.map(() => null), lastChangeAt: null, last: null }),
    decide(observation, state, now): DecisionWithState<StepState> {
      const current = observation.currentReplicas;
      const change = observedChange(state.last, current);
      const lastChangeAt = change ? change.at : state.lastChangeAt;
      const value = readMetric(observation, spec.metric);
      const since =
        value === undefined
          ? spec.steps.map((_, i) => state.since[i] ?? null)
          : spec.steps.map((rule, i) =>
              thresholdHolds(rule.when, value) ? (state.since[i] ?? now) : null,
            );
      const next: StepState = { since, lastChangeAt, last: { at: now, replicas: current } };
      const answer = (replicas: number, reason: string): DecisionWithState<StepState> => ({
        replicas,
        reason: `step: ${reason}`,
        state: next,
      });
      if (value === undefined) {
        const why = observation.ok ? `no value for ${spec.metric}` : 'metrics unavailable';
        return answer(current, `${why}; keep ${current}`);
      }
      const matched = spec.steps.findIndex((rule, i) => {
        const start = since[i];
        if (start === null || start === undefined) return false;
        const from = lastChangeAt === null ? start : Math.max(start, lastChangeAt);
        return now - from >= rule.forMs;
      });
      const shown = `${spec.metric} ${num(value)}`;
      if (matched < 0) {
        const waiting = spec.steps.findIndex((_, i) => since[i] !== null);
        const note =
          waiting >= 0
            ? `${describe(spec.steps[waiting]!.when)} holds but not yet for ${dur(spec.steps[waiting]!.forMs)}`
            : 'no rule matches';
        return answer(current, `${shown}: ${note}; keep ${current}`);
      }
      const rule = spec.steps[matched]!;
      const head = `${shown} ${describe(rule.when)}${rule.forMs > 0 ? ` for ${dur(rule.forMs)}` : ''} (rule ${matched + 1})`;
      if (rule.change === 0) return answer(current, `${head} → no change; keep ${current}`);
      const cooldown = rule.change > 0 ? spec.cooldownMs : downCooldownMs;
      if (lastChangeAt !== null && now - lastChangeAt < cooldown) {
        const left = cooldown - (now - lastChangeAt);
        const kind = rule.change > 0 ? 'scale-up cooldown' : 'scale-down cooldown';
        return answer(
          current,
          `${head} → ${signed(rule.change)}, but ${kind} of ${dur(cooldown)} has ${dur(left)} left; keep ${current}`,
        );
      }
      const replicas = Math.max(0, current + rule.change);
      return answer(replicas, `${head} → ${signed(rule.change)}: ${current} → ${replicas}`);
    },
  };
}

function describe(t: Threshold): string {
  return `${t.op} ${num(t.value)}`;
}
