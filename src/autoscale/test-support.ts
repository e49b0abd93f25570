/**
 * Helpers for the autoscale tests: build observations, and drive a policy through time with an
 * ideal actuator (the replicas asked for are running at the next call).
 */
import type { Observation, Policy } from './types.ts';

/** An observation that read fine, with `replicas` current and ready. */
export function obs(replicas: number, fields: Partial<Observation> = {}): Observation {
  return { at: 0, ok: true, readyReplicas: replicas, currentReplicas: replicas, ...fields };
}

/** A failed read at `replicas`. */
export function failed(replicas: number): Observation {
  return { at: 0, ok: false, readyReplicas: replicas, currentReplicas: replicas };
}

/** One step of a drive: the time, what was observed, and the decision. */
export interface Step {
  now: number;
  replicas: number;
  reason: string;
}

/**
 * Calls `policy` every `everyMs` from `startMs` while `until` is not reached, feeding it
 * `observe(now, currentReplicas)` and applying each answer at once. Returns each decision.
 */
export function drive<S>(
  policy: Policy<S>,
  options: {
    startReplicas: number;
    startMs?: number;
    everyMs: number;
    untilMs: number;
    observe: (now: number, replicas: number) => Observation;
    state?: S;
  },
): { steps: Step[]; state: S } {
  let state = options.state ?? policy.initialState();
  let replicas = options.startReplicas;
  const steps: Step[] = [];
  for (let now = options.startMs ?? 0; now < options.untilMs; now += options.everyMs) {
    const d = policy.decide(options.observe(now, replicas), state, now);
    state = d.state;
    replicas = d.replicas;
    steps.push({ now, replicas, reason: d.reason });
  }
  return { steps, state };
}

/** The replicas answered at time `now` in a drive. */
export function at(steps: readonly Step[], now: number): number {
  const step = steps.find((s) => s.now === now);
  if (!step) throw new Error(`no step at ${now}`);
  return step.replicas;
}
