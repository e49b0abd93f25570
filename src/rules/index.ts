/**
 * The alert engine's public surface: evaluate triggers with Prometheus alerting semantics.
 * Pure: no I/O, no clock; time comes in as epoch milliseconds.
 */
export type {
  Alert,
  AlertStateName,
  ComparisonOp,
  Condition,
  EngineState,
  EvaluateOptions,
  EvaluateResult,
  Input,
  InstanceStatus,
  Labels,
  LevelSpec,
  RuleAlerts,
  RuleHealth,
  Series,
  Severity,
  Transition,
  TriggerSpec,
  TriggerState,
  TriggerStatus,
  TriggerStatusName,
  UnknownInput,
} from './types.ts';
export {
  COMPARISON_OPS,
  conditionProblems,
  formatCondition,
  holds,
  parseCondition,
} from './condition.ts';
export { evalRule, RESOLVED_RETENTION_MS, restoreAlerts } from './alert.ts';
export type { AlertChange, RuleEvalOptions, RuleEvalResult, RuleTiming } from './alert.ts';
export {
  computeVector,
  elementKey,
  formatLabels,
  indexVector,
  labelsKey,
  sameLabels,
} from './vector.ts';
export type { ComputeOptions, IndexedVector, VectorElement, VectorResult } from './vector.ts';
export { evaluate, restoreState, validateTrigger } from './engine.ts';
