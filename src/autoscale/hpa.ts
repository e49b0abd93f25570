/**
 * `hpa`: the Kubernetes Horizontal Pod Autoscaler on AverageValue external metrics, as KEDA
 * drives it (a queue length per replica, a CPU total per replica). Reproduces, without copying:
 *
 * - kubernetes/kubernetes pkg/controller/podautoscaler/replica_calculator.go,
 *   `GetExternalPerPodMetricReplicas`: usageRatio = value / (target × currentReplicas); inside
 *   the tolerance (|usageRatio − 1| <= 0.1) keep currentReplicas, else ceil(value / target).
 *   Values and targets are taken to the milli-unit, as Kubernetes quantities are.
 * - horizontal.go, `computeReplicasForMetrics`: the highest proposal over the metrics; when every
 *   metric is missing, or some are and the rest would scale down, do not scale.
 * - horizontal.go, `reconcileAutoscaler`: replicas above max go to max and below min to min at
 *   once; otherwise the proposal goes through `behavior` (see `hpa-behavior.ts`), and the first
 *   reconcile records the current count as a recommendation (`recordInitialRecommendation`).
 * - KEDA (scaledobject-spec: minReplicaCount, cooldownPeriod): with `min: 0` the HPA's floor is 1
 *   and KEDA itself scales 0 → 1 when a metric is above 0 (activation), and 1 → 0 after
 *   `cooldownPeriod` (300 s) without activity.
 *
 * Sources: https://kubernetes.io/docs/concepts/workloads/autoscaling/horizontal-pod-autoscale/
 * ("Algorithm details", "Configurable scaling behavior", "Default behavior"; kubernetes/website
 * content/en/docs/concepts/workloads/autoscaling/horizontal-pod-autoscale.md); kubernetes/kubernetes
 * pkg/controller/podautoscaler/replica_calculator.go and horizontal.go,
 * pkg/apis/autoscaling/v2/defaults.go; https://keda.sh/docs/2.15/reference/scaledobject-spec/
 * (kedacore/keda-docs content/docs/2.15/reference/scaledobject-spec.md).
 *
 * One deliberate difference: Kubernetes remembers a scale event when its own update succeeds;
 * this policy learns changes from the observed `currentReplicas` (see `changes.ts`), so a
 * change held back by a safety rail or a dry run is not counted against the scaling policies.
 */
import { keepAfter, observedChange, type LastSeen, type ReplicaChange } from './changes.ts';
import { num } from './format.ts';
import {
  DEFAULT_HPA_BEHAVIOR,
  limitRate,
  stabilize,
  type HpaBehavior,
  type HpaScalingRules,
  type TimedRecommendation,
} from './hpa-behavior.ts';
import { readMetric } from './observation.ts';
import type { DecisionWithState, Policy, PolicySpec } from './types.ts';

/** The `hpa` entry of `PolicySpec`. */
export type HpaSpec = Extract<PolicySpec, { kind: 'hpa' }>;

/** Kubernetes' default tolerance (`--horizontal-pod-autoscaler-tolerance`). */
export const HPA_TOLERANCE = 0.1;
/** KEDA's default `cooldownPeriod`: idle time before scaling 1 → 0 when `min` is 0, ms. */
export const KEDA_COOLDOWN_MS = 300_000;

/** How the HPA is set up besides its metrics. */
export interface HpaOptions {
  /** `minReplicas` (0 lets KEDA scale to zero). */
  min: number;
  /** `maxReplicas`. */
  max: number;
  /** Tolerance on the usage ratio (default 0.1). */
  tolerance?: number;
  /** Overrides of the default behavior, per direction. */
  behavior?: { scaleUp?: Partial<HpaScalingRules>; scaleDown?: Partial<HpaScalingRules> };
}

/** What the HPA remembers between calls (plain JSON). */
export interface HpaState {
  /** Recommendations inside the stabilization windows. */
  recommendations: TimedRecommendation[];
  /** Replica changes inside the longest policy period. */
  changes: ReplicaChange[];
  /** The previous call, to see changes; null before the first. */
  last: LastSeen | null;
  /** When a metric was last above 0 (KEDA activity), for scale-to-zero; null if never. */
  lastActiveAt: number | null;
}

/** Creates the HPA policy. */
export function createHpaPolicy(spec: HpaSpec, options: HpaOptions): Policy<HpaState> {
  if (spec.metrics.length === 0) throw new Error('hpa needs at least one metric');
  for (const m of spec.metrics) {
    if (!(m.target > 0)) throw new Error(`hpa metric ${m.metric}: target must be > 0`);
  }
  const behavior = resolveBehavior(spec, options);
  const tolerance = options.tolerance ?? HPA_TOLERANCE;
  const hpaMin = Math.max(options.min, 1);
  const longestPeriod = Math.max(
    0,
    ...[...behavior.scaleUp.policies, ...behavior.scaleDown.policies].map((p) => p.periodMs),
  );
  return {
    name: 'hpa',
    initialState: () => ({ recommendations: [], changes: [], last: null, lastActiveAt: null }),
    decide(observation, state, now): DecisionWithState<HpaState> {
      const current = observation.currentReplicas;
      const change = observedChange(state.last, current);
      const changes = keepAfter(
        change ? [...state.changes, change] : state.changes,
        now - longestPeriod,
      );
      const recommendations =
        state.last === null ? [{ at: now, replicas: current }] : state.recommendations;
      const values = spec.metrics.map((m) => readMetric(observation, m.metric));
      const active = values.some((v) => v !== undefined && v > 0);
      const next: HpaState = {
        recommendations,
        changes,
        last: { at: now, replicas: current },
        // The first call counts as activity, so that idleness is measured from then.
        lastActiveAt: active || state.last === null ? now : state.lastActiveAt,
      };
      const answer = (replicas: number, reason: string): DecisionWithState<HpaState> => ({
        replicas,
        reason: `hpa: ${reason}`,
        state: next,
      });
      if (!observation.ok) return answer(current, `metrics unavailable; keep ${current}`);
      if (options.min === 0 && current === 0) {
        return active
          ? answer(1, `activation: a metric is above 0; 0 → 1 (KEDA)`)
          : answer(0, 'idle: no metric above 0; keep 0 (KEDA)');
      }
      if (options.min === 0 && current === 1 && !active) {
        const idleSince = state.lastActiveAt ?? now;
        if (now - idleSince >= KEDA_COOLDOWN_MS) {
          return answer(0, `no metric above 0 for ${num((now - idleSince) / 1000)}s; 1 → 0 (KEDA)`);
        }
      }
      if (current > options.max)
        return answer(options.max, `${current} is above max; → ${options.max}`);
      if (current < hpaMin) return answer(hpaMin, `${current} is below min; → ${hpaMin}`);
      const proposal = propose(spec, values, current, tolerance);
      if (proposal.replicas === undefined)
        return answer(current, `${proposal.reason}; keep ${current}`);
      const stable = stabilize(recommendations, proposal.replicas, current, now, behavior);
      next.recommendations = stable.recommendations;
      const limited = limitRate({
        desired: stable.replicas,
        current,
        min: hpaMin,
        max: options.max,
        changes,
        now,
        behavior,
      });
      const notes = [stable.note, limited.note].filter((n) => n !== undefined);
      const tail = notes.length > 0 ? `; ${notes.join('; ')}` : '';
      return answer(limited.replicas, `${proposal.reason}${tail} → ${limited.replicas}`);
    },
  };
}

function resolveBehavior(spec: HpaSpec, options: HpaOptions): HpaBehavior {
  const up = { ...DEFAULT_HPA_BEHAVIOR.scaleUp, ...options.behavior?.scaleUp };
  if (spec.scaleUpStabilizationMs !== undefined)
    up.stabilizationWindowMs = spec.scaleUpStabilizationMs;
  return {
    scaleUp: up,
    scaleDown: { ...DEFAULT_HPA_BEHAVIOR.scaleDown, ...options.behavior?.scaleDown },
  };
}

/** The replicas each metric asks for, and the highest; undefined replicas when none may act. */
function propose(
  spec: HpaSpec,
  values: (number | undefined)[],
  current: number,
  tolerance: number,
): { replicas?: number; reason: string } {
  let best: number | undefined;
  const parts: string[] = [];
  const missing: string[] = [];
  spec.metrics.forEach((m, i) => {
    const value = values[i];
    if (value === undefined) {
      missing.push(m.metric);
      return;
    }
    const { replicas, ratio, within } = metricReplicas(value, m.target, current, tolerance);
    parts.push(
      within
        ? `${m.metric} ${num(value)} on ${current} replicas is within ${num(tolerance * 100)}% of target ${num(m.target)} each (ratio ${num(ratio)}) → ${current}`
        : `${m.metric} ${num(value)} / target ${num(m.target)} → ${replicas} (ratio ${num(ratio)} on ${current})`,
    );
    if (best === undefined || replicas > best) best = replicas;
  });
  const text = parts.join('; ');
  if (best === undefined) return { reason: `no value for ${missing.join(', ')}` };
  if (missing.length > 0 && best < current) {
    return { reason: `${text}; no value for ${missing.join(', ')}, so no scale-down` };
  }
  return {
    replicas: best,
    reason: missing.length > 0 ? `${text}; no value for ${missing.join(', ')}` : text,
  };
}

/**
 * `GetExternalPerPodMetricReplicas` for one metric: the current count when the usage ratio is
 * within the tolerance, else ceil(value / target), in milli-units.
 */
export function metricReplicas(
  value: number,
  target: number,
  current: number,
  tolerance = HPA_TOLERANCE,
): { replicas: number; ratio: number; within: boolean } {
  const usage = Math.max(0, Math.round(value * 1000));
  const perPod = Math.max(1, Math.round(target * 1000));
  const ratio = usage / (perPod * current);
  const within = Math.abs(1 - ratio) <= tolerance;
  return { replicas: within ? current : Math.ceil(usage / perPod), ratio, within };
}
