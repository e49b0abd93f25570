/**
 * `withSafety`: rails around any policy. In order:
 *
 * 1. Failed reads. A failed observation (`ok: false`) is not shown to the policy. After more
 *    than `fallbackAfterFailures` failed reads in a row the pool goes to `fallbackReplicas`, as
 *    KEDA's `fallback` does (keda.sh/docs/2.15/reference/scaledobject-spec#fallback; kedacore/keda
 *    pkg/fallback/fallback.go): KEDA counts consecutive failures per scaler, falls back once the
 *    count exceeds `failureThreshold` (so with 3, the 4th failure in a row), and one good read
 *    resets the count. KEDA's fallback is a metric fed to the HPA, so its behavior still applies;
 *    here too the fallback goes through the clamp, stabilization and rate limits (not the flap
 *    budget: it is itself a safety action). Before that, a failed read keeps the current replicas.
 * 2. Bounds. Replicas outside [min, max] go to the bound at once (as the HPA does); a
 *    recommendation outside is clamped.
 * 3. Scale-down stabilization. A scale-down takes the highest recommendation of the last
 *    `scaleDownStabilizationMs` (default 300 s, the HPA's; the first call records the current
 *    replicas, as the HPA's first reconcile does). Scale-ups are never delayed.
 * 4. Rate limits. At most `maxScaleUpStep` replicas added and `maxScaleDownStep` removed per
 *    `rateWindowMs` (default 60 s), counting the changes that took effect in the window.
 * 5. Flap budget. At most `flapBudgetPerHour` replica changes in any hour: when it is spent the
 *    replicas are held, except that a scale-up is still allowed while the backlog grows (the
 *    queue is longer than at the previous call), so the objective is not sacrificed to the
 *    budget. Such scale-ups count against the budget too.
 * 6. Dry run. Everything is computed and reported, but the answer is always the current
 *    replicas: "dry run: would scale to N because …".
 *
 * Changes are learnt from the observed replicas (see `changes.ts`). Every reason names the rail
 * that acted.
 */
import {
  addedAfter,
  keepAfter,
  observedChange,
  removedAfter,
  type LastSeen,
  type ReplicaChange,
} from './changes.ts';
import { dur, num } from './format.ts';
import type { TimedRecommendation } from './hpa-behavior.ts';
import type { DecisionWithState, Observation, Policy, SafetyOptions } from './types.ts';

/** Default scale-down stabilization window, ms (the HPA's). */
export const DEFAULT_SCALE_DOWN_STABILIZATION_MS = 300_000;
/** Default window of the rate limits, ms. */
export const DEFAULT_RATE_WINDOW_MS = 60_000;
/** The flap budget's window, ms. */
export const HOUR_MS = 3_600_000;

/** What the rails remember, around the wrapped policy's own state (plain JSON). */
export interface SafetyState<S> {
  /** The wrapped policy's state. */
  inner: S;
  /** Failed reads in a row. */
  failures: number;
  /** Recommendations inside the stabilization window. */
  recommendations: TimedRecommendation[];
  /** Changes that took effect in the last hour (or rate window, if longer). */
  changes: ReplicaChange[];
  /** The previous call; null before the first. */
  last: LastSeen | null;
  /** Queue length at the previous good read, for "the backlog is growing". */
  lastQueue: number | null;
}

/** Wraps `policy` in the safety rails. */
export function withSafety<S>(policy: Policy<S>, options: SafetyOptions): Policy<SafetyState<S>> {
  validate(options);
  const { min, max } = options;
  const stabilizationMs = options.scaleDownStabilizationMs ?? DEFAULT_SCALE_DOWN_STABILIZATION_MS;
  const rateWindowMs = options.rateWindowMs ?? DEFAULT_RATE_WINDOW_MS;
  const memoryMs = Math.max(HOUR_MS, rateWindowMs);
  return {
    name: policy.name,
    initialState: () => ({
      inner: policy.initialState(),
      failures: 0,
      recommendations: [],
      changes: [],
      last: null,
      lastQueue: null,
    }),
    decide(observation, state, now): DecisionWithState<SafetyState<S>> {
      const current = observation.currentReplicas;
      const change = observedChange(state.last, current);
      const changes = keepAfter(
        change ? [...state.changes, change] : state.changes,
        now - memoryMs,
      );
      const next: SafetyState<S> = {
        ...state,
        changes,
        last: { at: now, replicas: current },
        lastQueue: observation.ok ? (observation.queueLength ?? null) : state.lastQueue,
      };
      const finish = (replicas: number, reason: string): DecisionWithState<SafetyState<S>> =>
        options.dryRun
          ? {
              replicas: current,
              reason: `dry run: would scale to ${replicas} because ${reason}`,
              state: next,
            }
          : { replicas, reason, state: next };

      let proposal: { replicas: number; reason: string };
      let fallback = false;
      if (!observation.ok) {
        next.failures = state.failures + 1;
        const threshold = options.fallbackAfterFailures;
        if (threshold !== undefined && next.failures > threshold) {
          fallback = true;
          proposal = {
            replicas: options.fallbackReplicas!,
            reason: `fallback: ${next.failures} failed reads in a row (more than ${threshold}) → ${options.fallbackReplicas}`,
          };
        } else {
          const after = threshold !== undefined ? `; fallback after ${threshold}` : '';
          return finish(
            current,
            `hold: metrics read failed (${next.failures} in a row${after}); keep ${current}`,
          );
        }
      } else {
        next.failures = 0;
        const d = policy.decide(observation, state.inner, now);
        next.inner = d.state;
        proposal = d;
      }

      const notes: string[] = [];
      let n = proposal.replicas;
      if (!Number.isFinite(n)) {
        notes.push(`invalid answer ${n}: keep ${current}`);
        n = current;
      } else if (!Number.isInteger(n)) {
        n = Math.ceil(n);
      }
      if (current > max || current < min) {
        const bound = current > max ? max : min;
        next.recommendations = keepAfter(
          [...state.recommendations, { at: now, replicas: bound }],
          now - stabilizationMs,
        );
        return finish(
          bound,
          `${proposal.reason}; bounds: current ${current} is outside ${min}..${max} → ${bound}`,
        );
      }
      if (n > max) {
        notes.push(`clamped to max ${max}`);
        n = max;
      } else if (n < min) {
        notes.push(`raised to min ${min}`);
        n = min;
      }
      n = stabilize(n);
      if (n > current && options.maxScaleUpStep !== undefined) n = limitUp(n);
      if (n < current && options.maxScaleDownStep !== undefined) n = limitDown(n);
      if (n !== current && options.flapBudgetPerHour !== undefined && !fallback) n = budget(n);
      const tail = notes.length > 0 ? `; ${notes.join('; ')}` : '';
      return finish(n, `${proposal.reason}${tail}`);

      function stabilize(wanted: number): number {
        const seen = state.last === null ? [{ at: now, replicas: current }] : state.recommendations;
        const window = keepAfter(seen, now - stabilizationMs);
        next.recommendations = [...window, { at: now, replicas: wanted }];
        if (wanted >= current || stabilizationMs <= 0) return wanted;
        const highest = Math.min(current, Math.max(wanted, ...window.map((r) => r.replicas)));
        if (highest > wanted) {
          notes.push(
            `scale-down stabilization: highest recommendation in the last ${dur(stabilizationMs)} is ${highest} → ${highest}`,
          );
        }
        return highest;
      }

      function limitUp(wanted: number): number {
        const step = options.maxScaleUpStep!;
        const added = addedAfter(changes, now - rateWindowMs);
        const allowed = current + Math.max(0, step - added);
        if (wanted <= allowed) return wanted;
        notes.push(
          `rate limit: at most +${step} per ${dur(rateWindowMs)} (+${added} already) → ${allowed}`,
        );
        return allowed;
      }

      function limitDown(wanted: number): number {
        const step = options.maxScaleDownStep!;
        const removed = removedAfter(changes, now - rateWindowMs);
        const allowed = current - Math.max(0, step - removed);
        if (wanted >= allowed) return wanted;
        notes.push(
          `rate limit: at most -${step} per ${dur(rateWindowMs)} (-${removed} already) → ${allowed}`,
        );
        return allowed;
      }

      function budget(wanted: number): number {
        const limit = options.flapBudgetPerHour!;
        const used = changes.filter((c) => c.at > now - HOUR_MS).length;
        if (used < limit) return wanted;
        const growing = backlogGrowing(observation, state.lastQueue);
        if (wanted > current && growing !== undefined) {
          notes.push(
            `flap budget spent (${used} changes in the last hour, budget ${limit}) but the backlog is growing (${growing}): scale-up allowed`,
          );
          return wanted;
        }
        notes.push(
          `flap budget: ${used} changes in the last hour (budget ${limit}) → hold ${current}`,
        );
        return current;
      }
    },
  };
}

/** `"120 → 180"` when the queue is longer than at the previous good read, else undefined. */
function backlogGrowing(observation: Observation, lastQueue: number | null): string | undefined {
  const q = observation.queueLength;
  if (!observation.ok || q === undefined || lastQueue === null || !(q > lastQueue))
    return undefined;
  return `${num(lastQueue)} → ${num(q)}`;
}

function validate(o: SafetyOptions): void {
  const whole = (name: string, v: number | undefined, least: number): void => {
    if (v !== undefined && !(Number.isInteger(v) && v >= least)) {
      throw new Error(`safety: ${name} must be a whole number >= ${least}; got ${v}`);
    }
  };
  whole('min', o.min, 0);
  whole('max', o.max, 0);
  if (o.min > o.max) throw new Error(`safety: min (${o.min}) is above max (${o.max})`);
  whole('maxScaleUpStep', o.maxScaleUpStep, 0);
  whole('maxScaleDownStep', o.maxScaleDownStep, 0);
  whole('flapBudgetPerHour', o.flapBudgetPerHour, 0);
  whole('fallbackAfterFailures', o.fallbackAfterFailures, 0);
  whole('fallbackReplicas', o.fallbackReplicas, 0);
  for (const [name, v] of [
    ['scaleDownStabilizationMs', o.scaleDownStabilizationMs],
    ['rateWindowMs', o.rateWindowMs],
  ] as const) {
    if (v !== undefined && !(Number.isFinite(v) && v >= 0)) {
      throw new Error(`safety: ${name} must be a duration >= 0 ms; got ${v}`);
    }
  }
  if ((o.fallbackAfterFailures === undefined) !== (o.fallbackReplicas === undefined)) {
    throw new Error(
      'safety: fallbackAfterFailures and fallbackReplicas go together (KEDA fallback: failureThreshold and replicas)',
    );
  }
}
