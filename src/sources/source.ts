/**
 * The `Source` contract: a small pull-based collector. `collect()` returns what it read now and
 * keeps no timers; scheduling, retries and health bookkeeping live in `runtime/`.
 */

/** Label set of a series, e.g. `{ stream: 'SMS', consumer: 'sms-worker' }`. */
export type Labels = Record<string, string>;

/** One reading of one series. */
export interface Sample {
  /** Metric name as the plan names it (`nats_storage`, `cpu_utilization`). */
  metric: string;
  /** Labels that tell series of one metric apart. */
  labels: Labels;
  /** The value, in the metric's base unit (bytes, seconds, ratio 0..1, count). */
  value: number;
  /** When it was read, in epoch milliseconds. */
  at: number;
}

/** A timestamped value of one series. */
export interface Point {
  /** Epoch milliseconds. */
  at: number;
  /** Value in the metric's base unit. */
  value: number;
}

/** Health of a source after its last collect. */
export type SourceHealthState = 'ok' | 'error' | 'unknown';

/** Health record of one source, as the runtime and `check` report it. */
export interface SourceHealth {
  /** ok after a successful collect, error after a failed one, unknown before the first. */
  state: SourceHealthState;
  /** Message of the last error, if the last collect failed. */
  lastError?: string;
  /** Epoch ms of the last successful collect. */
  lastSuccessAt?: number;
  /** Epoch ms of the last collect attempt. */
  lastAttemptAt?: number;
}

/** What the plan asks one source to read: one entry per plan metric bound to the source. */
export interface MetricRequest {
  /** Plan metric name; samples carry it as `metric`. */
  name: string;
  /** Source-specific selector from the plan (e.g. `{ query: 'up' }` or `{ field: 'cpu' }`). */
  select: Record<string, unknown>;
}

/** Everything a source factory receives. */
export interface SourceContext {
  /** Source name in the plan (for error messages). */
  name: string;
  /** The source's options from the plan, `${ENV}` already interpolated. */
  options: Record<string, unknown>;
  /** The metrics the plan reads from this source. */
  metrics: MetricRequest[];
  /** Clock, injectable for tests: epoch milliseconds. */
  now: () => number;
  /**
   * The plan's collection interval, in ms. A source that reconnects with backoff never waits
   * longer than this between attempts, so a server that comes back is read at the next
   * interval; absent (a one-off read, a test), the backoff waits up to 30 s.
   */
  intervalMs?: number | undefined;
}

/** A live connection to one system that reads the plan's metrics from it. */
export interface Source {
  /** Kind name as written in plans (`host`, `prometheus`, …). */
  readonly kind: string;
  /** Reads every requested metric now. Rejects (never hangs) when `signal` aborts. */
  collect(signal: AbortSignal): Promise<Sample[]>;
  /** Releases connections. Safe to call twice. */
  close(): Promise<void>;
}

/** Creates a source from plan config; throws `HeadroomError('SOURCE_CONFIG')` on bad options. */
export type SourceFactory = (context: SourceContext) => Source;

/** A registered source kind: its factory and the option names it accepts (for validation). */
export interface SourceKind {
  /** Builds a source. */
  create: SourceFactory;
  /** Validates the source's own options and one metric selector; returns problems found. */
  validate(options: Record<string, unknown>, select?: Record<string, unknown>): SourceConfigIssue[];
}

/** A problem with a source's options or a metric's selector, found at plan load time. */
export interface SourceConfigIssue {
  /** Path relative to the source options or metric entry (e.g. `url`, `query`). */
  path: string;
  /** What is wrong and what to do. */
  message: string;
}
