/**
 * The `webhook` channel: POSTs each event as JSON, for anything headroom has no kind for.
 *
 *   POST <url>   Content-Type: application/json   Authorization: Bearer <token> (when given)
 *   {"version": 1, "plan": "shop", "trigger": "cpu-high", "severity": "critical",
 *    "state": "firing", "labels": {"pod": "a"}, "value": 0.93, "action": "scale out",
 *    "at": "2025-01-06T09:00:00.000Z", "since": "2025-01-06T08:55:00.000Z",
 *    "summary": "[FIRING] critical cpu-high …"}
 *
 * Any 2xx answer means delivered; anything else (redirects are not followed), a network error
 * or no answer within the timeout (default 10 s) is an error with the status. A value that is
 * not finite is sent as null (JSON has no Infinity).
 */
import { endpointOf, HttpNotifier } from './http.ts';
import { summary, type AlertEvent, type Labels, type Severity } from './notifier.ts';

/** Options of the webhook channel. */
export interface WebhookNotifierOptions {
  name?: string;
  severities?: readonly Severity[];
  /** http:// or https:// URL to POST to. */
  url: string;
  /** Bearer token (from the environment). */
  token?: string;
  /** Deadline of each request, ms (default 10 s). */
  timeoutMs?: number;
}

/** The JSON body of each request. */
export interface WebhookNotification {
  version: 1;
  plan: string;
  trigger: string;
  severity: Severity;
  state: 'firing' | 'resolved';
  labels: Labels;
  value: number | null;
  action?: string;
  /** ISO 8601. */
  at: string;
  /** ISO 8601, when known. */
  since?: string;
  summary: string;
}

/** The body the webhook channel sends for `event`. */
export function webhookBody(event: AlertEvent): WebhookNotification {
  return {
    version: 1,
    plan: event.plan,
    trigger: event.trigger,
    severity: event.severity,
    state: event.state,
    labels: event.labels,
    value: Number.isFinite(event.value) ? event.value : null,
    ...(event.action !== undefined ? { action: event.action } : {}),
    at: new Date(event.at).toISOString(),
    ...(event.since !== undefined ? { since: new Date(event.since).toISOString() } : {}),
    summary: summary(event),
  };
}

/** The webhook channel. */
export class WebhookNotifier extends HttpNotifier {
  readonly kind = 'webhook';

  constructor(options: WebhookNotifierOptions) {
    super('webhook', options, endpointOf(options.url, options.token));
  }

  async send(event: AlertEvent): Promise<void> {
    await this.post(webhookBody(event));
  }
}
