/**
 * A small client for the Prometheus HTTP API (`/api/v1/query`, `/api/v1/query_range`), shared
 * by the `prometheus` source and by forecasting/backfill. Requests are POSTed form-encoded with
 * the connection's `timeout`, which is also passed to Prometheus so it stops evaluating too.
 *
 * Failures are catalogued: unreachable / timed out / HTTP 5xx / Prometheus `timeout` errors are
 * SOURCE_UNAVAILABLE naming the URL; PromQL errors, NaN/±Inf, no series, a range vector or a
 * string where a number was expected are SOURCE_BAD_VALUE naming the query; HTTP 401/403/404
 * and bad options are SOURCE_CONFIG. Credentials in `url` become basic auth and are never shown.
 */
import { z } from 'zod';
import { HeadroomError } from '../errors.ts';
import { abortedError } from './health.ts';
import { DEFAULT_TIMEOUT_MS, issuesOf, parseTimeoutMs, TimeoutOption } from './options.ts';
import type { Labels, Point, SourceConfigIssue } from './source.ts';

/** A parsed, validated connection to one Prometheus (or PromQL-compatible) server. */
export interface PrometheusConnection {
  /** Base URL with a trailing slash; API paths are resolved against it. */
  baseUrl: URL;
  /** The URL as shown in messages: no credentials, no trailing slash. */
  displayUrl: string;
  /** Time one request may take, in ms. */
  timeoutMs: number;
  /** Extra request headers (authentication, tenant id). */
  headers: Record<string, string>;
}

/** One series of an instant query: its labels (without `__name__`) and its value. */
export interface InstantValue {
  /** Series labels. */
  labels: Labels;
  /** The value, finite, in the query's unit. */
  value: number;
}

/** A range query: PromQL, the window and the resolution, all times in epoch ms. */
export interface RangeQuery {
  /** PromQL expression. */
  query: string;
  /** First evaluation time, epoch ms. */
  startMs: number;
  /** Last evaluation time, epoch ms. */
  endMs: number;
  /** Distance between evaluations, in ms. */
  stepMs: number;
}

/** One series of a range query, points in time order; NaN/±Inf steps are left out as gaps. */
export interface RangeSeries {
  /** Series labels (without `__name__`). */
  labels: Labels;
  /** Finite points, oldest first. */
  points: Point[];
}

const Options = z.strictObject({
  url: z
    .string({ error: 'write the server address, e.g. `url: http://127.0.0.1:9090`' })
    .refine((u) => URL.canParse(u) && /^https?:$/.test(new URL(u).protocol), {
      error: 'must be an http:// or https:// URL, e.g. http://127.0.0.1:9090',
    }),
  timeout: TimeoutOption.optional(),
  headers: z.record(z.string(), z.string({ error: 'header values must be strings' })).optional(),
});

/** Checks a prometheus source's options: `url`, `timeout`, `headers`. */
export function validatePrometheusOptions(options: Record<string, unknown>): SourceConfigIssue[] {
  const parsed = Options.safeParse(options);
  return parsed.success
    ? []
    : issuesOf(parsed.error, 'a prometheus source takes url, timeout, headers');
}

/** Builds a connection from plan options; throws SOURCE_CONFIG naming the bad option. */
export function parsePrometheusOptions(
  options: Record<string, unknown>,
  sourceName = 'prometheus',
): PrometheusConnection {
  const parsed = Options.safeParse(options);
  if (!parsed.success) {
    const issue = issuesOf(parsed.error, 'a prometheus source takes url, timeout, headers')[0]!;
    throw new HeadroomError(
      'SOURCE_CONFIG',
      `source "${sourceName}": ${issue.path}: ${issue.message}`,
      {
        path: `sources.${sourceName}.${issue.path}`,
        hint: 'see the "prometheus" source in docs/sources.md',
      },
    );
  }
  const baseUrl = new URL(parsed.data.url);
  if (!baseUrl.pathname.endsWith('/')) baseUrl.pathname += '/';
  const headers = { ...parsed.data.headers };
  // fetch refuses URLs with credentials; `http://user:pass@host` means basic auth.
  if (baseUrl.username || baseUrl.password) {
    const userinfo = `${decodeURIComponent(baseUrl.username)}:${decodeURIComponent(baseUrl.password)}`;
    const hasAuthorization = Object.keys(headers).some((h) => h.toLowerCase() === 'authorization');
    if (!hasAuthorization)
      headers.Authorization = `Basic ${Buffer.from(userinfo).toString('base64')}`;
    baseUrl.username = '';
    baseUrl.password = '';
  }
  const displayUrl = `${baseUrl.origin}${baseUrl.pathname}`.replace(/\/$/, '');
  const timeoutMs =
    parsed.data.timeout === undefined ? DEFAULT_TIMEOUT_MS : parseTimeoutMs(parsed.data.timeout)!;
  return { baseUrl, displayUrl, timeoutMs, headers };
}

const SampleValue = z.tuple([z.number(), z.string()]);
const Series = z.record(z.string(), z.string());
const Data = z.discriminatedUnion('resultType', [
  z.object({
    resultType: z.literal('vector'),
    result: z.array(z.object({ metric: Series, value: SampleValue })),
  }),
  z.object({
    resultType: z.literal('matrix'),
    result: z.array(z.object({ metric: Series, values: z.array(SampleValue) })),
  }),
  z.object({ resultType: z.literal('scalar'), result: SampleValue }),
  z.object({ resultType: z.literal('string'), result: SampleValue }),
]);
const Body = z.discriminatedUnion('status', [
  z.object({ status: z.literal('success'), data: Data }),
  z.object({
    status: z.literal('error'),
    errorType: z.string().optional(),
    error: z.string().optional(),
  }),
]);
type ApiData = z.infer<typeof Data>;

/** What a query is about, for messages: the PromQL and, when known, the plan metric. */
export interface QuerySubject {
  /** PromQL expression. */
  query: string;
  /** Plan metric name; errors then point at `metrics.<name>.query`. */
  metric?: string | undefined;
}

function describeQuery(subject: QuerySubject): string {
  return `query "${subject.query}"${subject.metric ? ` (metric "${subject.metric}")` : ''}`;
}

function queryPath(subject: QuerySubject): string | undefined {
  return subject.metric ? `metrics.${subject.metric}.query` : undefined;
}

/** Parses a Prometheus sample value: decimal text, `NaN`, `+Inf`, `-Inf`. */
function parseValue(text: string): number {
  if (text === '+Inf' || text === 'Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  return text.trim() === '' ? NaN : Number(text);
}

function withoutName(metric: Labels): Labels {
  const { __name__: _name, ...labels } = metric;
  return labels;
}

/** POSTs one API request and returns its `data`; maps every failure to a catalogued error. */
async function apiRequest(
  conn: PrometheusConnection,
  endpoint: 'query' | 'query_range',
  params: Record<string, string>,
  subject: QuerySubject,
  signal: AbortSignal,
): Promise<ApiData> {
  const timeout = AbortSignal.timeout(conn.timeoutMs);
  // Prometheus stops evaluating at its own `timeout` too, so a slow query does not pile up there.
  const body = new URLSearchParams({
    ...params,
    query: subject.query,
    timeout: String(conn.timeoutMs / 1000),
  });
  let status: number;
  let text: string;
  try {
    const response = await fetch(new URL(`api/v1/${endpoint}`, conn.baseUrl), {
      method: 'POST',
      body,
      headers: conn.headers,
      signal: AbortSignal.any([signal, timeout]),
    });
    status = response.status;
    text = await response.text();
  } catch (cause) {
    if (signal.aborted) throw abortedError(signal, `Prometheus at ${conn.displayUrl}`);
    throw unreachable(conn, timeout.aborted, cause);
  }
  return parseBody(conn, status, text, subject);
}

function unreachable(conn: PrometheusConnection, timedOut: boolean, cause: unknown): HeadroomError {
  const detail = timedOut
    ? `did not answer within ${conn.timeoutMs} ms`
    : `cannot be reached (${errorCode(cause)})`;
  return new HeadroomError('SOURCE_UNAVAILABLE', `Prometheus at ${conn.displayUrl} ${detail}`, {
    hint: timedOut
      ? 'check the server load, or raise the source `timeout`'
      : 'check that Prometheus is running and that `url` is right',
    cause,
  });
}

function errorCode(cause: unknown): string {
  const inner = (cause as { cause?: { code?: string; message?: string } }).cause;
  return inner?.code ?? inner?.message ?? (cause instanceof Error ? cause.message : String(cause));
}

function parseBody(
  conn: PrometheusConnection,
  status: number,
  text: string,
  subject: QuerySubject,
): ApiData {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  const body = Body.safeParse(json);
  if (body.success && body.data.status === 'error') throw apiError(conn, body.data, subject);
  if (status < 200 || status > 299) throw httpError(conn, status, text);
  if (body.success && body.data.status === 'success') return body.data.data;
  throw new HeadroomError(
    'SOURCE_BAD_VALUE',
    `${conn.displayUrl} answered ${describeQuery(subject)} with something that is not a Prometheus API response`,
    {
      path: queryPath(subject),
      hint: '`url` must point at Prometheus (or a PromQL-compatible server) itself, not at a dashboard',
    },
  );
}

function apiError(
  conn: PrometheusConnection,
  body: { errorType?: string; error?: string },
  subject: QuerySubject,
): HeadroomError {
  const type = body.errorType ?? 'error';
  const message = `Prometheus at ${conn.displayUrl} rejected ${describeQuery(subject)}: ${type}: ${body.error ?? 'no message'}`;
  // Timeouts and overload are the server's state; every other error type is about the query.
  if (['timeout', 'canceled', 'unavailable'].includes(type)) {
    return new HeadroomError('SOURCE_UNAVAILABLE', message, {
      hint: 'check the server load, or raise the source `timeout`',
    });
  }
  return new HeadroomError('SOURCE_BAD_VALUE', message, {
    path: queryPath(subject),
    hint: 'fix the PromQL; try it in the Prometheus expression browser first',
  });
}

function httpError(conn: PrometheusConnection, status: number, text: string): HeadroomError {
  const excerpt = text.trim().slice(0, 200);
  const message = `Prometheus at ${conn.displayUrl} answered HTTP ${status}${excerpt ? `: ${excerpt}` : ''}`;
  if (status === 401 || status === 403) {
    return new HeadroomError('SOURCE_CONFIG', message, {
      hint: 'set the credentials in the source `headers`, e.g. Authorization',
    });
  }
  if (status === 404) {
    return new HeadroomError('SOURCE_CONFIG', message, {
      hint: 'check `url`: include any path prefix, e.g. http://host/prometheus',
    });
  }
  return new HeadroomError('SOURCE_UNAVAILABLE', message, {
    hint: 'check that Prometheus is healthy',
  });
}

function badValue(subject: QuerySubject, problem: string, hint: string): HeadroomError {
  return new HeadroomError('SOURCE_BAD_VALUE', `${describeQuery(subject)} ${problem}`, {
    path: queryPath(subject),
    hint,
  });
}

/** Runs an instant query at `atMs`; every series must hold a finite value. */
export async function queryInstant(
  conn: PrometheusConnection,
  subject: QuerySubject,
  atMs: number,
  signal: AbortSignal,
): Promise<InstantValue[]> {
  const data = await apiRequest(conn, 'query', { time: String(atMs / 1000) }, subject, signal);
  if (data.resultType === 'matrix' || data.resultType === 'string') {
    const what = data.resultType === 'matrix' ? 'a range vector' : 'a string';
    throw badValue(
      subject,
      `returned ${what}, not a number`,
      'write an instant expression, e.g. rate(x[5m]) instead of x[5m]',
    );
  }
  const values =
    data.resultType === 'scalar'
      ? [{ labels: {}, text: data.result[1] }]
      : data.result.map((s) => ({ labels: withoutName(s.metric), text: s.value[1] }));
  if (values.length === 0) {
    throw badValue(
      subject,
      'returned no series',
      'check the selector; append `or vector(0)` if no series means zero',
    );
  }
  const bad = values.find((v) => !Number.isFinite(parseValue(v.text)));
  if (bad) {
    const series = Object.keys(bad.labels).length > 0 ? ` for ${JSON.stringify(bad.labels)}` : '';
    throw badValue(
      subject,
      `returned ${bad.text}${series}`,
      'NaN often means no traffic (0/0); guard the expression, e.g. with `> 0` or `or vector(0)`',
    );
  }
  return values.map((v) => ({ labels: v.labels, value: parseValue(v.text) }));
}

/** Runs a range query; one series per label set, non-finite steps left out as gaps. */
export async function queryRange(
  conn: PrometheusConnection,
  range: RangeQuery,
  signal: AbortSignal,
): Promise<RangeSeries[]> {
  const subject = { query: range.query };
  if (!(range.stepMs > 0) || !(range.endMs >= range.startMs)) {
    throw new HeadroomError(
      'SOURCE_CONFIG',
      `range for ${describeQuery(subject)} needs step > 0 and end >= start`,
      {
        hint: 'pass startMs <= endMs and a positive stepMs',
      },
    );
  }
  const params = {
    start: String(range.startMs / 1000),
    end: String(range.endMs / 1000),
    step: String(range.stepMs / 1000),
  };
  const data = await apiRequest(conn, 'query_range', params, subject, signal);
  if (data.resultType !== 'matrix') {
    throw badValue(
      subject,
      `returned a ${data.resultType} to a range query`,
      'check the server: it is not answering like Prometheus',
    );
  }
  return data.result.map((series) => ({
    labels: withoutName(series.metric),
    points: series.values
      .map(([seconds, text]) => ({ at: Math.round(seconds * 1000), value: parseValue(text) }))
      .filter((p) => Number.isFinite(p.value)),
  }));
}
