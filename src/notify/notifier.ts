/**
 * Alert notifications: what a channel receives (`AlertEvent`), what a channel is (`Notifier`),
 * and which alert transitions become events (`eventsFrom`).
 *
 * An event goes out when an alert instance starts firing (`pending → firing`, or
 * `inactive → firing` for a level without `for`) and when a firing alert resolves
 * (`firing → inactive`). Pending alerts never notify, and neither does a transition marked
 * `suppressed` (a warning while the critical alert of the same labels fires). Channels are
 * built from the plan's `notify:` entries by `createNotifiers` (from-plan.ts) and fed by
 * `dispatch` (dispatch.ts). docs/notify.md documents every kind.
 */
import type { Labels, Severity, Transition, TriggerStatus } from '../rules/types.ts';

export type { Labels, Severity };

/** Whether an event opens an alert or closes it. */
export type AlertEventState = 'firing' | 'resolved';

/** One notification: an alert instance that started firing or resolved. */
export interface AlertEvent {
  /** Plan name. */
  plan: string;
  /** Trigger name (the Prometheus `alertname`). */
  trigger: string;
  /** Level of the alert. */
  severity: Severity;
  /** firing when it starts, resolved when it ends. */
  state: AlertEventState;
  /** Labels of the alert instance (without alertname and severity). */
  labels: Labels;
  /** The trigger's value, in base units (for a resolution: its last value while active). */
  value: number;
  /** What a human should do (the level's `action`). */
  action?: string;
  /** When it fired or resolved, epoch ms. */
  at: number;
  /** When the alert became active (firing) or fired (resolved), epoch ms, when known. */
  since?: number;
}

/** A notification channel: one `notify:` entry of the plan. */
export interface Notifier {
  /** Kind as written in plans (`slack`, `pagerduty`, …). */
  readonly kind: string;
  /** Name shown in outcomes and problems (the entry's `name`, else its kind). */
  readonly name: string;
  /** Severities this channel takes; undefined means all. */
  readonly severities?: readonly Severity[];
  /**
   * True for a channel that expects active alerts to be re-sent now and then (Alertmanager
   * resolves an alert it has not heard about for `resolve_timeout`); see `activeEvents`.
   */
  readonly refresh?: boolean;
  /** Delivers one event; rejects with a message that says what went wrong. */
  send(event: AlertEvent): Promise<void>;
}

/** Whether `notifier` takes `event` (its `severities` filter). */
export function accepts(notifier: Notifier, event: AlertEvent): boolean {
  return notifier.severities === undefined || notifier.severities.includes(event.severity);
}

/**
 * Where the level actions come from: the plan's triggers (`plan.triggers`) or the engine's
 * trigger specs (which include the built-in source-down trigger).
 */
export type ActionSource = readonly {
  readonly name: string;
  readonly levels: readonly { readonly severity: Severity; readonly action?: string }[];
}[];

/** A stable key of one alert instance: trigger, severity and sorted labels. */
export function instanceKey(trigger: string, severity: Severity, labels: Labels): string {
  return `${trigger}/${severity}/${labelsText(labels)}`;
}

/** Labels as `k="v",…`, sorted by name ('' for none). */
export function labelsText(labels: Labels): string {
  return Object.keys(labels)
    .sort()
    .map((k) => `${k}=${JSON.stringify(labels[k])}`)
    .join(',');
}

/**
 * The events of one evaluation's transitions, in order. `history` (older transitions, e.g. the
 * serve loop's recent ones) is only read to fill `since`: when a firing alert became pending,
 * when a resolved alert fired.
 */
export function eventsFrom(
  plan: string,
  transitions: readonly Transition[],
  actions: ActionSource = [],
  history: readonly Transition[] = [],
): AlertEvent[] {
  const actionOf = (trigger: string, severity: Severity): string | undefined =>
    actions.find((t) => t.name === trigger)?.levels.find((l) => l.severity === severity)?.action;
  // Latest time each instance became pending / firing, from the history then this batch.
  const pendingAt = new Map<string, number>();
  const firedAt = new Map<string, number>();
  const remember = (t: Transition): void => {
    const key = instanceKey(t.trigger, t.severity, t.labels);
    if (t.from === 'inactive' && t.to === 'pending') pendingAt.set(key, t.t);
    if (t.from === 'inactive' && t.to === 'firing') pendingAt.set(key, t.t);
    if (t.to === 'firing' && t.from !== 'firing') firedAt.set(key, t.t);
  };
  history.forEach(remember);
  const events: AlertEvent[] = [];
  for (const t of transitions) {
    remember(t);
    if (t.suppressed) continue;
    let state: AlertEventState;
    if (t.to === 'firing' && t.from !== 'firing') state = 'firing';
    else if (t.from === 'firing' && t.to === 'inactive') state = 'resolved';
    else continue;
    const key = instanceKey(t.trigger, t.severity, t.labels);
    const since = state === 'firing' ? pendingAt.get(key) : firedAt.get(key);
    const action = actionOf(t.trigger, t.severity);
    events.push({
      plan,
      trigger: t.trigger,
      severity: t.severity,
      state,
      labels: { ...t.labels },
      value: t.value,
      ...(action !== undefined ? { action } : {}),
      at: t.t,
      ...(since !== undefined && since <= t.t ? { since } : {}),
    });
  }
  return events;
}

/**
 * Firing, unsuppressed alert instances of the statuses as `firing` events, for channels with
 * `refresh` (Alertmanager): re-sending them every few minutes keeps the alert open there.
 */
export function activeEvents(
  plan: string,
  statuses: readonly TriggerStatus[],
  now: number,
): AlertEvent[] {
  const events: AlertEvent[] = [];
  for (const status of statuses) {
    for (const i of status.instances) {
      if (i.state !== 'firing' || i.suppressed) continue;
      events.push({
        plan,
        trigger: status.trigger,
        severity: i.severity,
        state: 'firing',
        labels: { ...i.labels },
        value: i.value,
        ...(i.action !== undefined ? { action: i.action } : {}),
        at: now,
        since: i.activeAt,
      });
    }
  }
  return events;
}

/** A value as people read it: up to 4 significant digits, `+Inf`, `-Inf`, `NaN`. */
export function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? '+Inf' : '-Inf';
  return String(Number(value.toPrecision(4)));
}

/** One line for humans: `[FIRING] critical cpu-high {pod="a"} = 0.93 (plan shop): scale out`. */
export function summary(event: AlertEvent): string {
  const labels = labelsText(event.labels);
  const action = event.state === 'firing' && event.action ? `: ${event.action}` : '';
  return `[${event.state.toUpperCase()}] ${event.severity} ${event.trigger}${labels ? ` {${labels}}` : ''} = ${formatValue(event.value)} (plan ${event.plan})${action}`;
}
