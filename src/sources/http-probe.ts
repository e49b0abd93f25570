/**
 * The `http-probe` source: sends `requests` HTTP requests to one URL per collect (one at a time,
 * or `concurrency` at once) and reports their latency percentiles, error rate and whether the
 * endpoint is up.
 *
 * - A request succeeds when it gets a complete response whose status `expect_status` allows
 *   (default: any 2xx or 3xx; redirects are not followed). A network error, a timeout (`timeout`
 *   per request) or another status is an error.
 * - `latency_*` are over the successful requests of this collect, in seconds, from sending the
 *   request to the end of the response body. Percentiles are nearest-rank: sort the n latencies
 *   and take the ⌈p/100 · n⌉-th (so with 5 requests p95 and p99 are the slowest one). When no
 *   request succeeded the latency fields fail with SOURCE_UNAVAILABLE; `up` (0) and
 *   `error_rate` (1) are still read.
 * - Connections are kept alive between the requests of a source (as an HTTP client pool does)
 *   and closed by close(). A probe retries every collect: there is no backoff, its job is to
 *   measure the failures.
 */
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { closest } from 'fastest-levenshtein';
import { z } from 'zod';
import { HeadroomError } from '../errors.ts';
import {
  collectEach,
  HealthTracker,
  samplesOrThrow,
  throwIfAborted,
  type CollectResult,
  type ObservedSource,
} from './health.ts';
import { assertValidConfig, issuesOf, parseTimeoutMs, TimeoutOption } from './options.ts';
import type {
  MetricRequest,
  Sample,
  SourceConfigIssue,
  SourceContext,
  SourceHealth,
  SourceKind,
} from './source.ts';

/** Fields of the http-probe source, with their meaning and unit. */
export const HTTP_PROBE_FIELDS = {
  latency_p50: 'median latency of the successful requests (seconds)',
  latency_p95: '95th percentile latency of the successful requests, nearest-rank (seconds)',
  latency_p99: '99th percentile latency of the successful requests, nearest-rank (seconds)',
  latency_mean: 'mean latency of the successful requests (seconds)',
  error_rate: 'share of requests that failed: network error, timeout or unexpected status (ratio)',
  up: '1 if at least one request succeeded, else 0',
} as const;

/** A field of the http-probe source. */
export type HttpProbeField = keyof typeof HTTP_PROBE_FIELDS;

const FIELD_NAMES = Object.keys(HTTP_PROBE_FIELDS) as HttpProbeField[];
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;
/** Requests per collect when the plan does not say. */
const DEFAULT_REQUESTS = 5;
/** Most requests one collect may send. */
const MAX_REQUESTS = 1000;
/** Deadline of one request when the plan does not say, in ms. */
const DEFAULT_REQUEST_TIMEOUT_MS = 5000;
/** `expect_status` entries: `200`, `2xx`, `200-299`. */
const STATUS_PATTERN = /^(?:[1-5]\d\d|[1-5]xx|[1-5]\d\d-[1-5]\d\d)$/;

const StatusSpec = z
  .union([z.number().int(), z.string()])
  .refine((s) => STATUS_PATTERN.test(String(s).trim()), {
    error: 'write a status (200), a class (2xx) or a range (200-299), or a list of them',
  });

const Options = z.strictObject({
  url: z
    .string({ error: 'write the address to probe, e.g. `url: https://api.example.com/health`' })
    .refine((u) => URL.canParse(u) && /^https?:$/.test(new URL(u).protocol), {
      error: 'must be an http:// or https:// URL, e.g. http://127.0.0.1:8080/health',
    }),
  method: z
    .string()
    .refine((m) => (METHODS as readonly string[]).includes(m.toUpperCase()), {
      error: `must be one of ${METHODS.join(', ')}`,
    })
    .optional(),
  headers: z.record(z.string(), z.string({ error: 'header values must be strings' })).optional(),
  requests: z
    .number({ error: 'must be a whole number of requests per collect, e.g. 5' })
    .int('must be a whole number of requests per collect, e.g. 5')
    .min(1, 'must be at least 1')
    .max(MAX_REQUESTS, `must be at most ${MAX_REQUESTS}`)
    .optional(),
  concurrency: z
    .number({ error: 'must be a whole number of requests in flight, e.g. 1' })
    .int('must be a whole number of requests in flight, e.g. 1')
    .min(1, 'must be at least 1')
    .max(50, 'must be at most 50')
    .optional(),
  timeout: TimeoutOption.optional(),
  expect_status: z.union([StatusSpec, z.array(StatusSpec).min(1, 'list at least one')]).optional(),
});

type ProbeOptions = z.infer<typeof Options>;

const Select = z.strictObject({
  field: z.string({ error: `write \`field: <name>\`; one of ${FIELD_NAMES.join(', ')}` }),
});

/** Checks the source's options and, when given, one metric selector. */
export function validateHttpProbe(
  options: Record<string, unknown>,
  select?: Record<string, unknown>,
): SourceConfigIssue[] {
  const issues = optionIssues(options);
  return select === undefined ? issues : [...issues, ...selectIssues(select)];
}

function optionIssues(options: Record<string, unknown>): SourceConfigIssue[] {
  const parsed = Options.safeParse(options);
  const what =
    'an http-probe source takes url, method, headers, requests, concurrency, timeout, expect_status';
  return parsed.success ? [] : issuesOf(parsed.error, what);
}

function selectIssues(select: Record<string, unknown>): SourceConfigIssue[] {
  const parsed = Select.safeParse(select);
  if (!parsed.success) return issuesOf(parsed.error, 'an http-probe metric takes field');
  const { field } = parsed.data;
  if (Object.hasOwn(HTTP_PROBE_FIELDS, field)) return [];
  const message = `unknown http-probe field "${field}" (did you mean "${closest(field, FIELD_NAMES)}"?); valid fields: ${FIELD_NAMES.join(', ')}`;
  return [{ path: 'field', message }];
}

/** Builds the status predicate of `expect_status`; default: 200–399. */
export function expectedStatus(spec: ProbeOptions['expect_status']): (status: number) => boolean {
  if (spec === undefined) return (status) => status >= 200 && status <= 399;
  const ranges = (Array.isArray(spec) ? spec : [spec]).map((entry) => {
    const text = String(entry).trim();
    if (text.endsWith('xx')) return [Number(text[0]) * 100, Number(text[0]) * 100 + 99];
    const [low, high = low] = text.split('-').map(Number);
    return [low!, high!];
  });
  return (status) => ranges.some(([low, high]) => status >= low! && status <= high!);
}

/** The nearest-rank percentile `p` (0 < p ≤ 100) of ascending `sorted`: the ⌈p/100·n⌉-th value. */
export function nearestRank(sorted: readonly number[], p: number): number {
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1] ?? NaN;
}

/** The outcome of one request: its latency in seconds, or why it failed. */
type Outcome = { ok: true; seconds: number } | { ok: false; reason: string };

/** What one collect measured. */
export interface ProbeSummary {
  /** Requests sent. */
  requests: number;
  /** Latencies of the successful requests, ascending, in seconds. */
  latenciesSeconds: number[];
  /** Why the others failed: `HTTP 500`, `ECONNREFUSED`, `timeout`, with counts. */
  failures: Record<string, number>;
}

/** The http-probe source: one per plan source of kind `http-probe`. */
export class HttpProbeSource implements ObservedSource {
  /** Kind name as written in plans. */
  readonly kind = 'http-probe';
  private readonly url: URL;
  private readonly display: string;
  private readonly options: ProbeOptions;
  private readonly headers: Record<string, string>;
  private readonly expect: (status: number) => boolean;
  private readonly agent: HttpAgent;
  private readonly tracker: HealthTracker;
  private readonly closing = new AbortController();

  constructor(private readonly context: SourceContext) {
    assertValidConfig('http-probe', context, { options: optionIssues, select: selectIssues });
    this.options = context.options as ProbeOptions;
    this.url = new URL(this.options.url);
    this.headers = { 'user-agent': 'headroom-http-probe', ...this.options.headers };
    // `user:pass@` in the URL means basic auth; it never appears in messages.
    if (this.url.username || this.url.password) {
      const userinfo = `${decodeURIComponent(this.url.username)}:${decodeURIComponent(this.url.password)}`;
      const hasAuthorization = Object.keys(this.headers).some(
        (h) => h.toLowerCase() === 'authorization',
      );
      if (!hasAuthorization) {
        this.headers.authorization = `Basic ${Buffer.from(userinfo).toString('base64')}`;
      }
      this.url.username = '';
      this.url.password = '';
    }
    this.display = `${this.url.origin}${this.url.pathname}`;
    this.expect = expectedStatus(this.options.expect_status);
    const concurrency = this.options.concurrency ?? 1;
    this.agent =
      this.url.protocol === 'https:'
        ? new HttpsAgent({ keepAlive: true, maxSockets: concurrency })
        : new HttpAgent({ keepAlive: true, maxSockets: concurrency });
    this.tracker = new HealthTracker(context.now);
  }

  /** Probes now and reads every metric; good samples survive a failed metric. */
  async collect(signal: AbortSignal): Promise<Sample[]> {
    return samplesOrThrow(await this.collectDetailed(signal));
  }

  /** Probes now; returns good samples and per-metric failures. */
  collectDetailed(signal: AbortSignal): Promise<CollectResult> {
    return this.tracker.track(async () => {
      const what = `HTTP probe of ${this.display}`;
      const combined = AbortSignal.any([signal, this.closing.signal]);
      throwIfAborted(combined, what);
      const at = this.context.now();
      const summary = await this.probe(combined);
      throwIfAborted(combined, what);
      return collectEach(this.context.metrics, async (m) => [
        { metric: m.name, labels: {}, value: this.value(m, summary), at },
      ]);
    });
  }

  /** Health after the last collect. */
  health(): SourceHealth {
    return this.tracker.snapshot();
  }

  /** Aborts requests in flight and closes kept-alive connections. Safe to call twice. */
  async close(): Promise<void> {
    this.closing.abort(new Error('source closed'));
    this.agent.destroy();
  }

  /** Sends the collect's requests, `concurrency` at a time. */
  async probe(signal: AbortSignal): Promise<ProbeSummary> {
    const total = this.options.requests ?? DEFAULT_REQUESTS;
    const outcomes: Outcome[] = [];
    let started = 0;
    const worker = async (): Promise<void> => {
      while (started < total && !signal.aborted) {
        started += 1;
        outcomes.push(await this.timeOne(signal));
      }
    };
    const workers = Array.from({ length: Math.min(this.options.concurrency ?? 1, total) }, worker);
    await Promise.all(workers);
    const summary: ProbeSummary = { requests: outcomes.length, latenciesSeconds: [], failures: {} };
    for (const o of outcomes) {
      if (o.ok) summary.latenciesSeconds.push(o.seconds);
      else summary.failures[o.reason] = (summary.failures[o.reason] ?? 0) + 1;
    }
    summary.latenciesSeconds.sort((a, b) => a - b);
    return summary;
  }

  /** Sends one request; resolves its outcome (never rejects). */
  private timeOne(signal: AbortSignal): Promise<Outcome> {
    const timeoutMs =
      this.options.timeout === undefined
        ? DEFAULT_REQUEST_TIMEOUT_MS
        : parseTimeoutMs(this.options.timeout)!;
    const timeout = AbortSignal.timeout(timeoutMs);
    const send = this.url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise<Outcome>((resolve) => {
      const startedMs = performance.now();
      const fail = (cause: unknown): void => {
        const code = (cause as { code?: unknown }).code;
        const reason = timeout.aborted ? 'timeout' : typeof code === 'string' ? code : 'error';
        resolve({ ok: false, reason });
      };
      const request = send(
        this.url,
        {
          method: (this.options.method ?? 'GET').toUpperCase(),
          headers: this.headers,
          agent: this.agent,
          signal: AbortSignal.any([signal, timeout]),
        },
        (response: IncomingMessage) => {
          response.on('error', fail);
          response.on('data', () => undefined);
          response.on('end', () => {
            const status = response.statusCode ?? 0;
            const seconds = (performance.now() - startedMs) / 1000;
            resolve(
              this.expect(status) ? { ok: true, seconds } : { ok: false, reason: `HTTP ${status}` },
            );
          });
        },
      );
      request.on('error', fail);
      request.end();
    });
  }

  private value(m: MetricRequest, summary: ProbeSummary): number {
    const field = m.select.field as HttpProbeField;
    const latencies = summary.latenciesSeconds;
    if (field === 'up') return latencies.length > 0 ? 1 : 0;
    if (field === 'error_rate') return (summary.requests - latencies.length) / summary.requests;
    if (latencies.length === 0) throw this.noSuccess(summary);
    if (field === 'latency_mean') return latencies.reduce((a, b) => a + b, 0) / latencies.length;
    const p = { latency_p50: 50, latency_p95: 95, latency_p99: 99 }[field];
    return nearestRank(latencies, p);
  }

  private noSuccess(summary: ProbeSummary): HeadroomError {
    const reasons = Object.entries(summary.failures)
      .map(([reason, n]) => `${n}× ${reason}`)
      .join(', ');
    return new HeadroomError(
      'SOURCE_UNAVAILABLE',
      `no request to ${this.display} succeeded (${summary.requests} sent: ${reasons}), so there is no latency to report`,
      {
        hint: 'check that the endpoint is up; `expect_status` says which statuses count as success',
      },
    );
  }
}

/** Throws SOURCE_CONFIG for the first problem with the source's options or a metric selector. */
/** The `http-probe` source kind: options `{ url, method?, headers?, requests?, concurrency?, timeout?, expect_status? }`; selector `{ field }`. */
export const httpProbeKind: SourceKind = {
  create: (context) => new HttpProbeSource(context),
  validate: validateHttpProbe,
};
