/**
 * The HTTP POST every network channel shares: JSON body, deadline, no redirects, and errors that
 * say what happened (status and the start of the body) without secrets: a password in the URL
 * and the token never appear in messages, and neither does a URL's query string or, for the
 * kinds whose URL is the secret (Slack), its path (`display` chooses what is shown).
 */
import { errorMessage, oneLine } from '../actuators/actuator.ts';
import type { AlertEvent, Notifier, Severity } from './notifier.ts';

/** Deadline of one request when none is given, ms. */
export const DEFAULT_NOTIFY_TIMEOUT_MS = 10_000;

/** A failed delivery; the message names the channel and what went wrong. */
export class NotifyError extends Error {
  constructor(
    /** Kind of the channel. */
    readonly kind: string,
    /** Name of the channel. */
    readonly channel: string,
    message: string,
    /** HTTP status, when the endpoint answered. */
    readonly status?: number,
  ) {
    super(message);
    this.name = 'NotifyError';
  }
}

/** Where and how to POST. */
export interface PostTarget {
  kind: string;
  channel: string;
  url: URL;
  /** How the URL appears in messages. */
  display: string;
  headers?: Record<string, string>;
  timeoutMs: number;
}

/** Parses `url`, moving `user:password@` into a Basic authorization header. */
export function splitCredentials(url: string): { url: URL; authorization?: string } {
  const parsed = new URL(url);
  let authorization: string | undefined;
  if (parsed.username || parsed.password) {
    const userinfo = `${decodeURIComponent(parsed.username)}:${decodeURIComponent(parsed.password)}`;
    authorization = `Basic ${Buffer.from(userinfo).toString('base64')}`;
    parsed.username = '';
    parsed.password = '';
  }
  return { url: parsed, ...(authorization ? { authorization } : {}) };
}

/** POSTs `body` as JSON; resolves on a 2xx answer, else rejects with a `NotifyError`. */
export async function postJson(target: PostTarget, body: unknown): Promise<void> {
  const fail = (message: string, status?: number): NotifyError =>
    new NotifyError(
      target.kind,
      target.channel,
      `${target.kind} ${target.channel}: ${message}`,
      status,
    );
  let response: Response;
  try {
    response = await fetch(target.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'headroom-notify',
        ...target.headers,
      },
      body: JSON.stringify(body),
      redirect: 'manual',
      signal: AbortSignal.timeout(target.timeoutMs),
    });
  } catch (err) {
    const name = (err as Error).name;
    if (name === 'TimeoutError' || name === 'AbortError') {
      throw fail(`${target.display} did not answer within ${target.timeoutMs / 1000}s`);
    }
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    throw fail(
      `cannot reach ${target.display}: ${cause?.code ?? cause?.message ?? errorMessage(err)}`,
    );
  }
  const text = await response.text().catch(() => '');
  if (response.status < 200 || response.status > 299) {
    const detail = oneLine(text, 200);
    const redirect = response.status >= 300 && response.status < 400;
    throw fail(
      `${target.display} answered HTTP ${response.status}${redirect ? ' (redirects are not followed)' : ''}${detail ? `: ${detail}` : ''}`,
      response.status,
    );
  }
}

/** What every HTTP channel takes besides its endpoint. */
export interface HttpChannelOptions {
  name?: string;
  severities?: readonly Severity[];
  /** Deadline of each request, ms (default 10 s). */
  timeoutMs?: number;
}

/** Where an HTTP channel posts, how it shows the endpoint, and its authorization header. */
export interface HttpEndpoint {
  url: URL;
  display: string;
  authorization?: string;
}

/** The shared part of the webhook, Slack, PagerDuty and Alertmanager channels. */
export abstract class HttpNotifier implements Notifier {
  abstract readonly kind: string;
  readonly name: string;
  readonly severities?: readonly Severity[];
  private readonly target: Omit<PostTarget, 'kind'>;

  constructor(defaultName: string, options: HttpChannelOptions, endpoint: HttpEndpoint) {
    this.name = options.name ?? defaultName;
    if (options.severities) this.severities = options.severities;
    this.target = {
      channel: this.name,
      url: endpoint.url,
      display: endpoint.display,
      headers: endpoint.authorization ? { authorization: endpoint.authorization } : {},
      timeoutMs: options.timeoutMs ?? DEFAULT_NOTIFY_TIMEOUT_MS,
    };
  }

  abstract send(event: AlertEvent): Promise<void>;

  /** POSTs `body` as JSON to the endpoint. */
  protected post(body: unknown): Promise<void> {
    return postJson({ kind: this.kind, ...this.target }, body);
  }
}

/**
 * The endpoint of a URL that may carry `user:password@` (Basic auth) or a bearer `token` (which
 * wins), shown as origin and path only.
 */
export function endpointOf(url: string, token?: string): HttpEndpoint {
  const { url: parsed, authorization } = splitCredentials(url);
  const auth = token ? `Bearer ${token}` : authorization;
  return {
    url: parsed,
    display: `${parsed.origin}${parsed.pathname}`,
    ...(auth ? { authorization: auth } : {}),
  };
}
