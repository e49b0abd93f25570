/**
 * The Kubernetes HPA's `behavior` (autoscaling/v2): stabilization windows and scaling policies,
 * applied to the replica count the metrics ask for. A reproduction of
 * `normalizeDesiredReplicasWithBehaviors` in kubernetes/kubernetes
 * pkg/controller/podautoscaler/horizontal.go (`stabilizeRecommendationWithBehaviors`,
 * `convertDesiredReplicasWithBehaviorRate`, `calculateScaleUpLimitWithScalingRules`,
 * `calculateScaleDownLimitWithBehaviors`, `getReplicasChangePerPeriod`), with the defaults of
 * pkg/apis/autoscaling/v2/defaults.go:
 *
 * - scale-up: no stabilization; policies 4 Pods / 15 s and 100 Percent / 15 s; selectPolicy Max;
 * - scale-down: stabilization 300 s (the highest recommendation of the window); policy
 *   100 Percent / 15 s; selectPolicy Max.
 *
 * Durations are milliseconds here (Kubernetes writes seconds). Time comparisons keep the
 * controller's strictness: a sample counts when it is strictly after `now − window`.
 */
import { addedAfter, removedAfter, type ReplicaChange } from './changes.ts';
import { dur } from './format.ts';

/** One scaling policy: at most `value` pods, or `value` percent, per `periodMs`. */
export interface HpaScalingPolicy {
  type: 'Pods' | 'Percent';
  value: number;
  periodMs: number;
}

/** The rules for one direction (`behavior.scaleUp` or `behavior.scaleDown`). */
export interface HpaScalingRules {
  /** Past recommendations considered, ms (up: the lowest wins; down: the highest). */
  stabilizationWindowMs: number;
  /** Max: the policy allowing the biggest change; Min: the smallest; Disabled: no change. */
  selectPolicy: 'Max' | 'Min' | 'Disabled';
  policies: HpaScalingPolicy[];
}

/** Both directions. */
export interface HpaBehavior {
  scaleUp: HpaScalingRules;
  scaleDown: HpaScalingRules;
}

/** The Kubernetes default behavior (pkg/apis/autoscaling/v2/defaults.go). */
export const DEFAULT_HPA_BEHAVIOR: HpaBehavior = {
  scaleUp: {
    stabilizationWindowMs: 0,
    selectPolicy: 'Max',
    policies: [
      { type: 'Pods', value: 4, periodMs: 15_000 },
      { type: 'Percent', value: 100, periodMs: 15_000 },
    ],
  },
  scaleDown: {
    stabilizationWindowMs: 300_000,
    selectPolicy: 'Max',
    policies: [{ type: 'Percent', value: 100, periodMs: 15_000 }],
  },
};

/** A recommendation the controller remembers for stabilization. */
export interface TimedRecommendation {
  at: number;
  replicas: number;
}

/** Result of stabilization: the replicas, the recommendations to keep, and a note if it acted. */
export interface Stabilized {
  replicas: number;
  recommendations: TimedRecommendation[];
  note?: string;
}

/**
 * `stabilizeRecommendationWithBehaviors`: the desired count is bounded below by the lowest
 * recommendation of the scale-up window and above by the highest of the scale-down window,
 * starting from the current count; then `desired` is recorded. Recommendations older than both
 * windows are dropped (the controller overwrites them; they never count again).
 */
export function stabilize(
  recommendations: readonly TimedRecommendation[],
  desired: number,
  current: number,
  now: number,
  behavior: HpaBehavior,
): Stabilized {
  const upCutoff = now - behavior.scaleUp.stabilizationWindowMs;
  const downCutoff = now - behavior.scaleDown.stabilizationWindowMs;
  let up = desired;
  let down = desired;
  for (const rec of recommendations) {
    if (rec.at > upCutoff) up = Math.min(up, rec.replicas);
    if (rec.at > downCutoff) down = Math.max(down, rec.replicas);
  }
  let replicas = current;
  if (replicas < up) replicas = up;
  if (replicas > down) replicas = down;
  const oldest = Math.min(upCutoff, downCutoff);
  const kept = recommendations.filter((r) => r.at > oldest);
  kept.push({ at: now, replicas: desired });
  let note: string | undefined;
  if (replicas !== desired) {
    note =
      desired >= current
        ? `scale-up stabilized: lowest recommendation in the last ${dur(behavior.scaleUp.stabilizationWindowMs)} is ${replicas}`
        : `scale-down stabilized: highest recommendation in the last ${dur(behavior.scaleDown.stabilizationWindowMs)} is ${replicas}`;
  }
  return { replicas, recommendations: kept, note };
}

/** Inputs of `limitRate`. */
export interface RateInput {
  desired: number;
  current: number;
  min: number;
  max: number;
  /** Changes that took effect (see `changes.ts`). */
  changes: readonly ReplicaChange[];
  now: number;
  behavior: HpaBehavior;
}

/**
 * `convertDesiredReplicasWithBehaviorRate`: caps a scale-up at the policies' limit and at max,
 * floors a scale-down at the policies' limit and at min.
 */
export function limitRate(input: RateInput): { replicas: number; note?: string } {
  const { desired, current, min, max, changes, now, behavior } = input;
  if (desired > current) {
    const limit = Math.max(current, scaleUpLimit(current, changes, now, behavior.scaleUp));
    if (max > limit && desired > limit) {
      return { replicas: limit, note: `scale-up limited to ${limit} by the scale-up policies` };
    }
    if (desired > max) return { replicas: max, note: `capped at max ${max}` };
  } else if (desired < current) {
    const limit = Math.min(current, scaleDownLimit(current, changes, now, behavior.scaleDown));
    if (min < limit && desired < limit) {
      return { replicas: limit, note: `scale-down limited to ${limit} by the scale-down policies` };
    }
    if (desired < min) return { replicas: min, note: `floored at min ${min}` };
  }
  return { replicas: desired };
}

/** Replicas at the start of a policy's period: current minus what was added plus removed since. */
function periodStart(current: number, changes: readonly ReplicaChange[], cutoff: number): number {
  return current - addedAfter(changes, cutoff) + removedAfter(changes, cutoff);
}

/** `calculateScaleUpLimitWithScalingRules`: the most replicas the scale-up policies allow. */
export function scaleUpLimit(
  current: number,
  changes: readonly ReplicaChange[],
  now: number,
  rules: HpaScalingRules,
): number {
  if (rules.selectPolicy === 'Disabled') return current;
  const pick = rules.selectPolicy === 'Min' ? Math.min : Math.max;
  let result = rules.selectPolicy === 'Min' ? Infinity : -Infinity;
  for (const policy of rules.policies) {
    const start = periodStart(current, changes, now - policy.periodMs);
    // Rounded up, so that a percentage of a small count still adds a pod. Plain float64
    // arithmetic, as in Go: the same inputs round the same way.
    const proposed =
      policy.type === 'Pods' ? start + policy.value : Math.ceil(start * (1 + policy.value / 100));
    result = pick(result, proposed);
  }
  return result;
}

/** `calculateScaleDownLimitWithBehaviors`: the fewest replicas the scale-down policies allow. */
export function scaleDownLimit(
  current: number,
  changes: readonly ReplicaChange[],
  now: number,
  rules: HpaScalingRules,
): number {
  if (rules.selectPolicy === 'Disabled') return current;
  // For scaling down, the biggest change (Max) is the lowest count.
  const pick = rules.selectPolicy === 'Min' ? Math.max : Math.min;
  let result = rules.selectPolicy === 'Min' ? -Infinity : Infinity;
  for (const policy of rules.policies) {
    const start = periodStart(current, changes, now - policy.periodMs);
    // Truncated like Go's int32 conversion: the pods removed are rounded up.
    const proposed =
      policy.type === 'Pods' ? start - policy.value : Math.trunc(start * (1 - policy.value / 100));
    result = pick(result, proposed);
  }
  return result;
}
