/**
 * The `alertmanager` channel: pushes alerts to a Prometheus Alertmanager with its API v2.
 *
 *   POST <url>/api/v2/alerts
 *   [{"labels": {"pod": "a", "alertname": "cpu-high", "severity": "critical", "plan": "shop"},
 *     "annotations": {"summary": "…", "action": "…", "value": "0.93"},
 *     "startsAt": "2025-01-06T08:55:00.000Z",
 *     "endsAt": "2025-01-06T09:10:00.000Z"}]        (endsAt only when resolved)
 *
 * `alertname`, `severity` and `plan` win over instance labels of the same name. Alertmanager
 * resolves an alert on its own when it has not heard of it for `resolve_timeout` (5 minutes by
 * default), so this channel has `refresh`: the caller should re-send active alerts
 * (`activeEvents`) every interval or so. Any 2xx answer means delivered; anything else is an
 * error with the status.
 */
import { endpointOf, HttpNotifier, type HttpEndpoint } from './http.ts';
import { formatValue, summary, type AlertEvent, type Severity } from './notifier.ts';

/** Options of the Alertmanager channel. */
export interface AlertmanagerNotifierOptions {
  name?: string;
  severities?: readonly Severity[];
  /** Base URL of the Alertmanager (`http://127.0.0.1:9093`); `/api/v2/alerts` is appended. */
  url: string;
  /** Bearer token, for an Alertmanager behind an authenticating proxy. */
  token?: string;
  /** Deadline of each request, ms (default 10 s). */
  timeoutMs?: number;
}

/** One alert of the posted list (Alertmanager's `postableAlert`). */
export interface PostableAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt?: string;
  endsAt?: string;
}

/** The alert the channel posts for `event`. */
export function alertmanagerAlert(event: AlertEvent): PostableAlert {
  const annotations: Record<string, string> = {
    summary: summary(event),
    value: formatValue(event.value),
  };
  if (event.action !== undefined) annotations.action = event.action;
  const iso = (ms: number): string => new Date(ms).toISOString();
  return {
    labels: {
      ...event.labels,
      alertname: event.trigger,
      severity: event.severity,
      plan: event.plan,
    },
    annotations,
    // A resolution without a known start leaves startsAt out: Alertmanager then uses endsAt.
    ...(event.state === 'firing'
      ? { startsAt: iso(event.since ?? event.at) }
      : event.since !== undefined
        ? { startsAt: iso(event.since) }
        : {}),
    ...(event.state === 'resolved' ? { endsAt: iso(event.at) } : {}),
  };
}

/** The Alertmanager channel. */
export class AlertmanagerNotifier extends HttpNotifier {
  readonly kind = 'alertmanager';
  readonly refresh = true;

  constructor(options: AlertmanagerNotifierOptions) {
    super('alertmanager', options, alertsEndpoint(options.url, options.token));
  }

  async send(event: AlertEvent): Promise<void> {
    await this.post([alertmanagerAlert(event)]);
  }
}

/** The base URL with `/api/v2/alerts` appended (unless it is there already). */
function alertsEndpoint(base: string, token?: string): HttpEndpoint {
  const endpoint = endpointOf(base, token);
  const path = endpoint.url.pathname.replace(/\/+$/, '');
  endpoint.url.pathname = path.endsWith('/api/v2/alerts') ? path : `${path}/api/v2/alerts`;
  return { ...endpoint, display: `${endpoint.url.origin}${endpoint.url.pathname}` };
}
