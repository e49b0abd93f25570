/**
 * The `webhook` actuator: POSTs each decision to a URL, for a system headroom has no actuator
 * for (an internal deploy API, a chat-ops bot, a serverless function):
 *
 *   POST <url>   Content-Type: application/json   Authorization: Bearer <token> (when given)
 *   {"pool": "sms-worker", "replicas": 5, "reason": "target-latency: …", "at": "2025-01-06T09:00:00.000Z"}
 *
 * Any 2xx answer means done; anything else (redirects are not followed), a network error or no
 * answer within `timeoutMs` (default 10 s) fails the change with the status and the start of
 * the body. The token comes from the environment (`token: ${SCALER_TOKEN}` in the plan) and
 * never appears in messages; neither does a password in the URL. `current()` answers the last
 * value accepted (or `initial`). Changes are sent one at a time, in order.
 */
import {
  ActuatorError,
  assertReplicas,
  errorMessage,
  oneLine,
  StatusRecorder,
  type Actuator,
  type ActuatorStatus,
} from './actuator.ts';

/** Deadline of one request when none is given, ms. */
export const DEFAULT_WEBHOOK_TIMEOUT_MS = 10_000;

/** Options of the webhook actuator. */
export interface WebhookActuatorOptions {
  /** The pool it scales. */
  pool: string;
  /** http:// or https:// URL to POST to. */
  url: string;
  /** Bearer token (from the environment). */
  token?: string;
  /** Deadline of each request, ms (default 10 s). */
  timeoutMs?: number;
  /** What `current()` answers before the first change (default 0). */
  initial?: number;
  /** Clock, epoch ms (also the `at` of each payload). */
  now?: () => number;
}

/** The JSON body of each request. */
export interface WebhookPayload {
  pool: string;
  replicas: number;
  reason: string;
  /** When headroom decided, ISO 8601. */
  at: string;
}

/** The webhook actuator. */
export class WebhookActuator implements Actuator {
  /** Kind name as written in plans. */
  readonly kind = 'webhook';
  private readonly url: URL;
  private readonly display: string;
  private readonly headers: Record<string, string>;
  private readonly timeoutMs: number;
  private readonly now: () => number;
  private readonly recorder: StatusRecorder;
  private last: number | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(private readonly options: WebhookActuatorOptions) {
    this.url = new URL(options.url);
    const credentials = this.url.username || this.url.password;
    this.display = `${this.url.origin}${this.url.pathname}`;
    this.headers = {
      'content-type': 'application/json',
      'user-agent': 'headroom-webhook-actuator',
    };
    if (credentials && !options.token) {
      const userinfo = `${decodeURIComponent(this.url.username)}:${decodeURIComponent(this.url.password)}`;
      this.headers.authorization = `Basic ${Buffer.from(userinfo).toString('base64')}`;
    }
    if (options.token) this.headers.authorization = `Bearer ${options.token}`;
    this.url.username = '';
    this.url.password = '';
    this.timeoutMs = options.timeoutMs ?? DEFAULT_WEBHOOK_TIMEOUT_MS;
    this.now = options.now ?? Date.now;
    this.recorder = new StatusRecorder(this.kind, options.pool, this.now);
  }

  /** The last value the endpoint accepted (or `initial`, else 0). */
  async current(): Promise<number> {
    return this.last ?? this.options.initial ?? 0;
  }

  /** POSTs the decision; resolves on a 2xx answer. */
  async scale(replicas: number, reason: string): Promise<void> {
    assertReplicas(this.kind, this.options.pool, replicas);
    const payload: WebhookPayload = {
      pool: this.options.pool,
      replicas,
      reason: oneLine(reason),
      at: new Date(this.now()).toISOString(),
    };
    const send = async (): Promise<void> => {
      if (this.closed) throw this.error('the actuator is closed');
      await this.post(payload);
      this.last = replicas;
      this.recorder.scaled(replicas, reason);
    };
    const next = this.queue.then(send, send);
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** The last change and failure. */
  status(): ActuatorStatus {
    return this.recorder.snapshot();
  }

  /** Waits for a request in flight; later changes are refused. Safe to call twice. */
  async close(): Promise<void> {
    this.closed = true;
    await this.queue.catch(() => undefined);
  }

  private async post(payload: WebhookPayload): Promise<void> {
    let response: Response;
    try {
      response = await fetch(this.url, {
        method: 'POST',
        headers: this.headers,
        body: JSON.stringify(payload),
        redirect: 'manual',
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      const name = (err as Error).name;
      if (name === 'TimeoutError' || name === 'AbortError') {
        throw this.recorder.failed(
          this.error(`${this.display} did not answer within ${this.timeoutMs / 1000}s`),
        );
      }
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      const why = cause?.code ?? cause?.message ?? errorMessage(err);
      throw this.recorder.failed(this.error(`cannot reach ${this.display}: ${why}`));
    }
    const body = await response.text().catch(() => '');
    if (response.status < 200 || response.status > 299) {
      const detail = oneLine(body, 200);
      const redirect = response.status >= 300 && response.status < 400;
      throw this.recorder.failed(
        this.error(
          `${this.display} answered HTTP ${response.status}${redirect ? ' (redirects are not followed)' : ''}${detail ? `: ${detail}` : ''}`,
        ),
      );
    }
  }

  private error(message: string): ActuatorError {
    return new ActuatorError(
      this.kind,
      this.options.pool,
      `webhook actuator of ${this.options.pool}: ${message}`,
    );
  }
}
