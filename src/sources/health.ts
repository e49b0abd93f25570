/**
 * Partial failures and health for sources that read several metrics per collect.
 *
 * Design: a source reads each plan metric on its own, so one bad query must not hide the others.
 * - `collectDetailed(signal)` resolves `{ samples, failures }`: the good samples plus one
 *   `MetricFailure` (a catalogued `HeadroomError`, `location.path` = `metrics.<name>`) per metric
 *   that could not be read. It rejects only when the caller's signal aborts.
 * - `collect(signal)` (the plain `Source` contract) returns the good samples when at least one
 *   metric succeeded, and throws only when every metric failed: the single error, or a
 *   `HeadroomErrors` holding each distinct one (a server that is down is reported once, not once
 *   per metric). A partial failure is therefore never silent: it shows in `health()`.
 * - `health()` is `unknown` before the first collect; `ok` after a collect in which every metric
 *   was read; `error` after one in which any metric failed (or the collect was aborted), with
 *   `lastError` naming the failed metrics. `lastSuccessAt` is the clock time of the last collect
 *   that read every metric.
 */
import { asHeadroomErrors, HeadroomError, HeadroomErrors } from '../errors.ts';
import type { MetricRequest, Sample, Source, SourceHealth } from './source.ts';

/** One plan metric that could not be read during a collect. */
export interface MetricFailure {
  /** Plan metric name. */
  metric: string;
  /** What went wrong, catalogued (SOURCE_UNAVAILABLE, SOURCE_BAD_VALUE, SOURCE_CONFIG, …). */
  error: HeadroomError;
}

/** Everything one collect read: the good samples and the metrics that failed. */
export interface CollectResult {
  /** Samples of the metrics that were read. */
  samples: Sample[];
  /** Metrics that could not be read, in request order. */
  failures: MetricFailure[];
}

/** A source that reports partial failures and keeps its own health record. */
export interface ObservedSource extends Source {
  /** Reads every metric; resolves good samples and per-metric failures; rejects only on abort. */
  collectDetailed(signal: AbortSignal): Promise<CollectResult>;
  /** Health after the last collect. */
  health(): SourceHealth;
}

/** True when `source` offers `collectDetailed()` and `health()`. */
export function isObservedSource(source: Source): source is ObservedSource {
  const s = source as Partial<ObservedSource>;
  return typeof s.collectDetailed === 'function' && typeof s.health === 'function';
}

/** The error a collect rejects with when its signal aborts (a timeout or a shutdown). */
export function abortedError(signal: AbortSignal, what: string): HeadroomError {
  const reason = signal.reason as { name?: string } | undefined;
  const why = reason?.name === 'TimeoutError' ? 'timed out' : 'was aborted';
  return new HeadroomError('SOURCE_UNAVAILABLE', `collect from ${what} ${why}`, {
    hint: 'the source did not answer in time; check that it is reachable and not overloaded',
    cause: signal.reason,
  });
}

/** Throws `abortedError` when `signal` has aborted. */
export function throwIfAborted(signal: AbortSignal, what: string): void {
  if (signal.aborted) throw abortedError(signal, what);
}

/** Reads every metric with `read` concurrently and sorts outcomes into samples and failures. */
export async function collectEach(
  metrics: readonly MetricRequest[],
  read: (metric: MetricRequest) => Promise<Sample[]>,
): Promise<CollectResult> {
  const settled = await Promise.allSettled(metrics.map((m) => read(m)));
  const result: CollectResult = { samples: [], failures: [] };
  settled.forEach((outcome, i) => {
    const metric = metrics[i]!.name;
    if (outcome.status === 'fulfilled') result.samples.push(...outcome.value);
    else result.failures.push({ metric, error: asHeadroomErrors(outcome.reason)[0]! });
  });
  return result;
}

/** The good samples of a collect; throws when there were failures and no sample at all. */
export function samplesOrThrow(result: CollectResult): Sample[] {
  if (result.failures.length === 0 || result.samples.length > 0) return result.samples;
  const distinct = new Map<string, HeadroomError>();
  for (const { error } of result.failures) distinct.set(`${error.code} ${error.message}`, error);
  const errors = [...distinct.values()];
  throw errors.length === 1 ? errors[0]! : new HeadroomErrors(errors);
}

/** Keeps one source's health record from the outcomes of its collects. */
export class HealthTracker {
  private state: SourceHealth = { state: 'unknown' };

  /** `now` is the source's clock, in epoch milliseconds. */
  constructor(private readonly now: () => number) {}

  /** Runs one collect and records its outcome (a rejection is recorded, then rethrown). */
  async track(collect: () => Promise<CollectResult>): Promise<CollectResult> {
    const attemptAt = this.now();
    try {
      const result = await collect();
      this.record(attemptAt, result);
      return result;
    } catch (thrown) {
      const message = asHeadroomErrors(thrown)
        .map((e) => e.message)
        .join('; ');
      this.state = { ...this.state, state: 'error', lastError: message, lastAttemptAt: attemptAt };
      throw thrown;
    }
  }

  /** The current health record (a copy). */
  snapshot(): SourceHealth {
    return { ...this.state };
  }

  private record(attemptAt: number, result: CollectResult): void {
    if (result.failures.length === 0) {
      this.state = { state: 'ok', lastSuccessAt: attemptAt, lastAttemptAt: attemptAt };
      return;
    }
    const names = result.failures.map((f) => f.metric).join(', ');
    const first = result.failures[0]!.error.message;
    const lastError = `${result.failures.length} metric(s) failed (${names}): ${first}`;
    this.state = { ...this.state, state: 'error', lastError, lastAttemptAt: attemptAt };
  }
}
