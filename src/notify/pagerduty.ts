/**
 * The `pagerduty` channel: PagerDuty Events API v2. A firing alert is an event with
 * `event_action: trigger`, its resolution one with `event_action: resolve` and the same
 * `dedup_key` (plan/trigger/severity/labels), so PagerDuty closes the incident it opened:
 *
 *   POST https://events.pagerduty.com/v2/enqueue
 *   {"routing_key": "…", "event_action": "trigger", "dedup_key": "shop/cpu-high/critical/pod=\"a\"",
 *    "client": "headroom",
 *    "payload": {"summary": "…", "source": "headroom/shop", "severity": "critical",
 *                "timestamp": "2025-01-06T09:00:00.000Z", "group": "shop", "class": "cpu-high",
 *                "custom_details": {"plan", "trigger", "severity", "labels", "value", "action", "since"}}}
 *
 * PagerDuty answers 202; anything else (400 invalid event, 429 rate limited) is an error with
 * the status. The routing key never appears in messages. A dedup_key longer than PagerDuty's
 * 255 characters is shortened with a hash of the whole.
 */
import { createHash } from 'node:crypto';
import { oneLine } from '../actuators/actuator.ts';
import { HttpNotifier } from './http.ts';
import { formatValue, instanceKey, summary, type AlertEvent, type Severity } from './notifier.ts';

/** Where events go when the plan names no `url`. */
export const PAGERDUTY_EVENTS_URL = 'https://events.pagerduty.com/v2/enqueue';
/** PagerDuty's limits on dedup_key and summary. */
const MAX_DEDUP_KEY = 255;
const MAX_SUMMARY = 1024;

/** Options of the PagerDuty channel. */
export interface PagerDutyNotifierOptions {
  name?: string;
  severities?: readonly Severity[];
  /** The integration's routing key (from the environment). */
  routingKey: string;
  /** Events API URL (default https://events.pagerduty.com/v2/enqueue). */
  url?: string;
  /** `payload.source` (default `headroom/<plan>`). */
  source?: string;
  /** Deadline of each request, ms (default 10 s). */
  timeoutMs?: number;
}

/** The dedup_key of an event: the same for an alert's trigger and its resolve. */
export function dedupKey(event: AlertEvent): string {
  const key = `${event.plan}/${instanceKey(event.trigger, event.severity, event.labels)}`;
  if (key.length <= MAX_DEDUP_KEY) return key;
  const hash = createHash('sha256').update(key).digest('hex').slice(0, 32);
  return `${key.slice(0, MAX_DEDUP_KEY - hash.length - 1)}~${hash}`;
}

/** The JSON body the PagerDuty channel sends for `event`. */
export function pagerDutyBody(
  event: AlertEvent,
  routingKey: string,
  source?: string,
): Record<string, unknown> {
  return {
    routing_key: routingKey,
    event_action: event.state === 'firing' ? 'trigger' : 'resolve',
    dedup_key: dedupKey(event),
    client: 'headroom',
    payload: {
      summary: oneLine(summary(event), MAX_SUMMARY),
      source: source ?? `headroom/${event.plan}`,
      severity: event.severity,
      timestamp: new Date(event.at).toISOString(),
      group: event.plan,
      class: event.trigger,
      custom_details: {
        plan: event.plan,
        trigger: event.trigger,
        severity: event.severity,
        labels: event.labels,
        value: formatValue(event.value),
        ...(event.action !== undefined ? { action: event.action } : {}),
        ...(event.since !== undefined ? { since: new Date(event.since).toISOString() } : {}),
      },
    },
  };
}

/** The PagerDuty channel. */
export class PagerDutyNotifier extends HttpNotifier {
  readonly kind = 'pagerduty';

  constructor(private readonly options: PagerDutyNotifierOptions) {
    const url = new URL(options.url ?? PAGERDUTY_EVENTS_URL);
    super('pagerduty', options, { url, display: `${url.origin}${url.pathname}` });
  }

  async send(event: AlertEvent): Promise<void> {
    await this.post(pagerDutyBody(event, this.options.routingKey, this.options.source));
  }
}
