/**
 * Autoscaling: pure scaling policies (the Kubernetes HPA, roadmap step rules, an Erlang C
 * wait-objective policy, a forecasting one, a clairvoyant yardstick and a fixed baseline),
 * the safety rails around them, and the compiler from a plan's `autoscale:` entry.
 * `docs/autoscale.md` documents each policy.
 */
export type {
  Decision,
  DecisionWithState,
  Observation,
  Policy,
  PolicySpec,
  SafetyOptions,
  ScaleMetricName,
  StepRule,
  Threshold,
  WaitTarget,
} from './types.ts';
export { createPolicy } from './create.ts';
export { withSafety, type SafetyState } from './safety.ts';
export { policyFromPlan, type CompiledAutoscale, type PolicyFromPlanOptions } from './from-plan.ts';
export { createFixedPolicy, type FixedSpec } from './fixed.ts';
export { createHpaPolicy, type HpaOptions, type HpaSpec, type HpaState } from './hpa.ts';
export {
  DEFAULT_HPA_BEHAVIOR,
  type HpaBehavior,
  type HpaScalingPolicy,
  type HpaScalingRules,
} from './hpa-behavior.ts';
export { createStepPolicy, type StepSpec, type StepState } from './step.ts';
export {
  createTargetLatencyPolicy,
  type TargetLatencySpec,
  type TargetLatencyState,
} from './target-latency.ts';
export { createPredictivePolicy, type PredictiveSpec, type PredictiveState } from './predictive.ts';
export { createOraclePolicy, type OracleSpec, type OracleState } from './oracle.ts';
export { sizeForWait, waitBudgetSec, type Sizing } from './sizing.ts';
export { readMetric, QUEUE_LENGTH_METRIC } from './observation.ts';
