/**
 * Shared types of the alert engine. The engine follows Prometheus's `rules/alerting.go`: each
 * level of a trigger is one alerting rule, each label set of its result one alert instance
 * (inactive → pending → firing). Everything here is plain data, so the runtime can persist the
 * engine state with `store.saveState` as JSON.
 */
import type { Labels } from '../sources/source.ts';

export type { Labels };

/** A comparison operator, as in PromQL's filtering comparisons. */
export type ComparisonOp = '>' | '>=' | '<' | '<=' | '==' | '!=';

/** A threshold test on a trigger's computed value; `threshold` is in the value's base unit. */
export interface Condition {
  /** How the value is compared with the threshold (value `op` threshold). */
  op: ComparisonOp;
  /** The threshold, in base units (a ratio 0..1 for percentages, bytes, seconds, count). */
  threshold: number;
}

/** Severity of a trigger level; critical outranks warning. */
export type Severity = 'warning' | 'critical';

/** One level of a trigger: one Prometheus alerting rule (same alert name, label `severity`). */
export interface LevelSpec {
  /** The `severity` label of the rule. */
  severity: Severity;
  /** When an element of the trigger's result counts as active. */
  condition: Condition;
  /** Prometheus `for`: how long an element must stay active before it fires, in ms (>= 0). */
  forMs: number;
  /** Prometheus `keep_firing_for`: how long a firing alert outlives its condition, in ms (>= 0). */
  keepFiringForMs: number;
  /** What a human should do when this level fires (shown in statuses and notifications). */
  action?: string;
}

/** A trigger: an expression over plan metrics and up to two levels (warning, critical). */
export interface TriggerSpec {
  /** Unique name; the Prometheus `alertname`. */
  name: string;
  /** Names of the metrics `compute` reads, each a key of the evaluation's inputs. */
  inputs: string[];
  /**
   * The expression: one value from one value per input, in base units. Called once per result
   * element with a scratch object that is reused between calls, so read it and do not keep it.
   * A throw or a non-number fails the whole evaluation of the trigger (recorded, never rethrown).
   */
  compute(values: Record<string, number>): number;
  /** One or two levels, at most one per severity. */
  levels: LevelSpec[];
}

/** One series of one metric at the evaluation time. */
export interface Series {
  /** Labels that tell the metric's series apart (`{}` for a metric with one series). */
  labels: Labels;
  /** The latest value, in the metric's base unit. */
  value: number;
}

/** An input that could not be read, with the reason (source down, stale, no data). */
export interface UnknownInput {
  /** Why the value is unknown, as one short sentence for humans. */
  unknown: string;
}

/** What one metric looks like at the evaluation time: a vector of series, or unknown. */
export type Input = readonly Series[] | UnknownInput;

/** State of one alert instance, as in Prometheus. */
export type AlertStateName = 'inactive' | 'pending' | 'firing';

/** One alert instance of one level (Prometheus `Alert`); times are epoch milliseconds. */
export interface Alert {
  /** pending or firing while active; inactive once resolved (kept for the resolved retention). */
  state: AlertStateName;
  /** Labels of the result element (without `alertname` and `severity`). */
  labels: Labels;
  /** The computed value at the last evaluation where the element was present. */
  value: number;
  /** When the element became active (entered pending), epoch ms. */
  activeAt: number;
  /** When the alert went from pending to firing, epoch ms. */
  firedAt?: number;
  /** When the alert resolved (went from firing to inactive), epoch ms. */
  resolvedAt?: number;
  /** When a firing alert first missed its condition under keep_firing_for, epoch ms. */
  keepFiringSince?: number;
}

/** The alerts of one level (one rule), keyed by `labelsKey(labels)` (a prototype-less object). */
export type RuleAlerts = Record<string, Alert>;

/** What the engine shows for a trigger as a whole. */
export type TriggerStatusName = 'ok' | 'pending' | 'warning' | 'critical' | 'unknown';

/** Persisted state of one trigger between evaluations. */
export interface TriggerState {
  /** Status at the last evaluation. */
  status: TriggerStatusName;
  /** When the trigger entered that status, epoch ms. */
  since: number;
  /** Alerts per level. */
  alerts: Partial<Record<Severity, RuleAlerts>>;
}

/** Persisted state of the whole engine (JSON-serialisable; ±Inf values become null in JSON). */
export interface EngineState {
  /** Format version; a state of another version is ignored (alerts start afresh). */
  version: 1;
  /** State per trigger name. */
  triggers: Record<string, TriggerState>;
}

/** One state change of one alert instance. */
export interface Transition {
  /** Evaluation time, epoch ms. */
  t: number;
  /** Trigger name. */
  trigger: string;
  /** Level that changed. */
  severity: Severity;
  /** Labels of the alert instance. */
  labels: Labels;
  /** State before this evaluation. */
  from: AlertStateName;
  /** State after this evaluation (for: 0 goes from inactive straight to firing). */
  to: AlertStateName;
  /** The alert's value (for a resolution: its last value while active). */
  value: number;
  /** True for a warning while the critical alert of the same labels fires: do not notify it. */
  suppressed?: boolean;
}

/** Rule health, as Prometheus reports it: unknown before the first evaluation. */
export type RuleHealth = 'ok' | 'err' | 'unknown';

/** One pending or firing alert instance, as shown in a status. */
export interface InstanceStatus {
  /** Level of the alert. */
  severity: Severity;
  /** Labels of the alert instance. */
  labels: Labels;
  /** pending or firing. */
  state: 'pending' | 'firing';
  /** Latest value. */
  value: number;
  /** When it became pending, epoch ms. */
  activeAt: number;
  /** When it fired, epoch ms. */
  firedAt?: number;
  /** Set while a firing alert is only held by keep_firing_for, epoch ms. */
  keepFiringSince?: number;
  /** True for a warning superseded by a firing critical of the same labels. */
  suppressed?: boolean;
  /** The level's action. */
  action?: string;
}

/** What a trigger looks like after one evaluation. */
export interface TriggerStatus {
  /** Trigger name. */
  trigger: string;
  /** Worst state: critical > warning > pending > ok; unknown when it cannot be judged. */
  status: TriggerStatusName;
  /** Severity behind a warning, critical or pending status. */
  severity?: Severity;
  /** The value that explains the status (the most extreme relevant value), in base units. */
  value?: number;
  /** When the trigger entered this status, epoch ms. */
  since: number;
  /** The action of the level behind a warning or critical status. */
  action?: string;
  /** Why the status is unknown. */
  reason?: string;
  /** Health of the last evaluation: err when it failed or produced NaN. */
  health: RuleHealth;
  /** Message of the last evaluation error, if any. */
  lastError?: string;
  /** Pending and firing alert instances, critical first, then by labels. */
  instances: InstanceStatus[];
}

/** Everything one engine evaluation needs. */
export interface EvaluateOptions {
  /** The triggers to evaluate (state of triggers not listed is dropped). */
  triggers: readonly TriggerSpec[];
  /** Each metric's vector (or why it is unknown) at `now`, by metric name. */
  inputs: Readonly<Record<string, Input>>;
  /** Evaluation time, epoch ms. */
  now: number;
  /** The state returned by the previous evaluation, or undefined for a fresh start. */
  previous?: EngineState | undefined;
}

/** What one engine evaluation returns. */
export interface EvaluateResult {
  /** State to pass as `previous` next time (and to persist). */
  state: EngineState;
  /** Every alert state change of this evaluation, in trigger, level and label order. */
  transitions: Transition[];
  /** One status per trigger, in the order of `triggers`. */
  statuses: TriggerStatus[];
}
