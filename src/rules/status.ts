/**
 * What a trigger looks like after one evaluation: its status (the worst of its alert
 * instances, critical over warning, unknown when it cannot be judged), the value that explains
 * it, and the list of pending and firing instances.
 */
import type {
  InstanceStatus,
  LevelSpec,
  RuleAlerts,
  Severity,
  TriggerSpec,
  TriggerStatus,
  TriggerStatusName,
} from './types.ts';
import type { VectorElement } from './vector.ts';

/** The alerts of a trigger's levels. */
export type LevelAlerts = Partial<Record<Severity, RuleAlerts>>;

/** What decides a trigger's status: its alerts, its result, why an input is unknown, errors. */
export interface SummaryInput {
  spec: TriggerSpec;
  alerts: LevelAlerts;
  elements: readonly VectorElement[];
  unknown: string | undefined;
  error: string | undefined;
}

// critical firing > warning firing > critical pending > warning pending > nothing.
function rank(instance: InstanceStatus): number {
  const critical = instance.severity === 'critical' ? 1 : 0;
  return instance.state === 'firing' ? 3 + critical : 1 + critical;
}

const BY_RANK: readonly TriggerStatusName[] = ['ok', 'pending', 'pending', 'warning', 'critical'];

// +1 when larger values are worse for this level, -1 when smaller are, 0 when neither.
function direction(level: LevelSpec | undefined): number {
  const op = level?.condition.op;
  return op === '>' || op === '>=' ? 1 : op === '<' || op === '<=' ? -1 : 0;
}

function worse(candidate: number, current: number, sign: number): boolean {
  return sign > 0 ? candidate > current : sign < 0 ? candidate < current : false;
}

// The trigger's status from its alerts; `since` and health are left for the caller to fill in.
export function summarize(input: SummaryInput): TriggerStatus {
  const { spec } = input;
  const instances = listInstances(spec, input.alerts);
  const status: TriggerStatus = {
    trigger: spec.name,
    status: 'ok',
    since: 0,
    health: 'ok',
    instances,
  };
  if (input.unknown !== undefined) return unknownStatus(status, input.unknown);
  let top: InstanceStatus | undefined;
  for (const instance of instances) {
    const better = top === undefined || rank(instance) > rank(top);
    const tie = top !== undefined && rank(instance) === rank(top);
    const level = spec.levels.find((l) => l.severity === instance.severity);
    if (better || (tie && worse(instance.value, top!.value, direction(level)))) top = instance;
  }
  status.status = top === undefined ? 'ok' : BY_RANK[rank(top)]!;
  // An error (NaN) on data that shows nothing firing must not read as ok or merely pending.
  if (input.error !== undefined && (status.status === 'ok' || status.status === 'pending')) {
    return unknownStatus(status, input.error);
  }
  if (top === undefined) {
    const value = extremeValue(spec, input.elements);
    if (value !== undefined) status.value = value;
    return status;
  }
  status.severity = top.severity;
  status.value = top.value;
  if (top.state === 'firing' && top.action !== undefined) status.action = top.action;
  return status;
}

function unknownStatus(status: TriggerStatus, reason: string): TriggerStatus {
  status.status = 'unknown';
  status.reason = reason;
  return status;
}

// For an ok trigger: the value closest to tripping its first level (the largest for `>`).
function extremeValue(spec: TriggerSpec, elements: readonly VectorElement[]): number | undefined {
  if (elements.length === 0) return undefined;
  const sign = direction(spec.levels.find((l) => l.severity === 'warning') ?? spec.levels[0]);
  let value = elements[0]!.value;
  for (const element of elements) if (worse(element.value, value, sign)) value = element.value;
  return value;
}

// Pending and firing alerts of every level, critical first, each level in label order.
export function listInstances(spec: TriggerSpec, alerts: LevelAlerts): InstanceStatus[] {
  const instances: InstanceStatus[] = [];
  for (const severity of ['critical', 'warning'] as const) {
    const record = alerts[severity];
    const level = spec.levels.find((l) => l.severity === severity);
    if (record === undefined || level === undefined) continue;
    const keys = Object.keys(record);
    if (keys.length > 1) keys.sort();
    for (const key of keys) {
      const alert = record[key]!;
      if (alert.state === 'inactive') continue;
      const suppressed = severity === 'warning' && alerts.critical?.[key]?.state === 'firing';
      instances.push({
        severity,
        labels: alert.labels,
        state: alert.state,
        value: alert.value,
        activeAt: alert.activeAt,
        ...(alert.firedAt !== undefined && { firedAt: alert.firedAt }),
        ...(alert.keepFiringSince !== undefined && { keepFiringSince: alert.keepFiringSince }),
        ...(suppressed && { suppressed }),
        ...(level.action !== undefined && { action: level.action }),
      });
    }
  }
  return instances;
}
