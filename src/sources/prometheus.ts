/**
 * The `prometheus` source: runs each metric's PromQL `query` as an instant query at the context
 * clock's time (`POST /api/v1/query`, form-encoded) and returns one sample per series of the
 * resulting vector (labels kept, `__name__` dropped), or one unlabelled sample for a scalar.
 * The HTTP API client, and `queryRange()` for forecasting and backfill, are in
 * `prometheus-api.ts` (re-exported here).
 *
 * Options: `url` (base URL; a path prefix such as `/prometheus` is kept, `user:pass@` becomes
 * basic auth), `timeout` (`5s`, `250ms`, `1m`, or a bare number of seconds; default 10s) and
 * `headers` (e.g. `Authorization`, `X-Scope-OrgID`).
 *
 * Partial failures (see `health.ts`): every query is its own metric; `collect()` returns the
 * samples of the queries that worked and throws only when all failed, `collectDetailed()`
 * resolves `{ samples, failures }`, and `health()` turns `error` while any query fails.
 * An answer that is not a finite number (NaN, ±Inf, no series, a range vector or a string)
 * fails its metric with SOURCE_BAD_VALUE naming the query; it never becomes a 0.
 */
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
import { issuesOf } from './options.ts';
import {
  parsePrometheusOptions,
  queryInstant,
  validatePrometheusOptions,
  type PrometheusConnection,
} from './prometheus-api.ts';
import type {
  MetricRequest,
  Sample,
  SourceConfigIssue,
  SourceContext,
  SourceHealth,
  SourceKind,
} from './source.ts';

/** The HTTP API client (range queries for forecasting and backfill), from `prometheus-api.ts`. */
export {
  parsePrometheusOptions,
  queryInstant,
  queryRange,
  type InstantValue,
  type PrometheusConnection,
  type QuerySubject,
  type RangeQuery,
  type RangeSeries,
} from './prometheus-api.ts';

const Select = z.strictObject({
  query: z.string({ error: 'write the PromQL to run, e.g. `query: up`' }).min(1, 'query is empty'),
});

/** Checks the source's options and, when given, one metric selector. */
export function validatePrometheus(
  options: Record<string, unknown>,
  select?: Record<string, unknown>,
): SourceConfigIssue[] {
  const issues = validatePrometheusOptions(options);
  return select === undefined ? issues : [...issues, ...selectIssues(select)];
}

function selectIssues(select: Record<string, unknown>): SourceConfigIssue[] {
  const parsed = Select.safeParse(select);
  return parsed.success ? [] : issuesOf(parsed.error, 'a prometheus metric takes query');
}

/** The prometheus source: one per plan source of kind `prometheus`. */
export class PrometheusSource implements ObservedSource {
  /** Kind name as written in plans. */
  readonly kind = 'prometheus';
  /** The connection this source queries. */
  readonly connection: PrometheusConnection;
  private readonly tracker: HealthTracker;
  // Aborts requests still in flight when the source is closed.
  private readonly closing = new AbortController();

  constructor(private readonly context: SourceContext) {
    this.connection = parsePrometheusOptions(context.options, context.name);
    for (const m of context.metrics) {
      const issue = selectIssues(m.select)[0];
      if (issue) {
        throw new HeadroomError(
          'SOURCE_CONFIG',
          `metric "${m.name}": ${issue.path}: ${issue.message}`,
          {
            path: `metrics.${m.name}.${issue.path}`,
            hint: 'see the "prometheus" source in docs/sources.md',
          },
        );
      }
    }
    this.tracker = new HealthTracker(context.now);
  }

  /** Runs every metric's query now; good samples survive a failed query. */
  async collect(signal: AbortSignal): Promise<Sample[]> {
    return samplesOrThrow(await this.collectDetailed(signal));
  }

  /** Runs every metric's query now; returns good samples and per-metric failures. */
  collectDetailed(signal: AbortSignal): Promise<CollectResult> {
    return this.tracker.track(async () => {
      const what = `Prometheus at ${this.connection.displayUrl}`;
      const combined = AbortSignal.any([signal, this.closing.signal]);
      throwIfAborted(combined, what);
      const at = this.context.now();
      const result = await collectEach(this.context.metrics, (m) => this.read(m, at, combined));
      throwIfAborted(combined, what);
      return result;
    });
  }

  /** Health after the last collect. */
  health(): SourceHealth {
    return this.tracker.snapshot();
  }

  /** Aborts requests in flight; later collects reject. Safe to call twice. */
  async close(): Promise<void> {
    this.closing.abort(new Error('source closed'));
  }

  private async read(m: MetricRequest, at: number, signal: AbortSignal): Promise<Sample[]> {
    const subject = { query: String(m.select.query), metric: m.name };
    const values = await queryInstant(this.connection, subject, at, signal);
    return values.map((v) => ({ metric: m.name, labels: v.labels, value: v.value, at }));
  }
}

/** The `prometheus` source kind: options `{ url, timeout?, headers? }`; selector `{ query }`. */
export const prometheusKind: SourceKind = {
  create: (context) => new PrometheusSource(context),
  validate: validatePrometheus,
};
