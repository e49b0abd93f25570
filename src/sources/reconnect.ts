/**
 * Reconnecting to a server that is down, shared by every kind that keeps a connection (bullmq,
 * redis-list, nats-jetstream, rabbitmq, postgres).
 *
 * `ReconnectBackoff`: after a failed attempt the next one waits 1 s, then 2 s, 4 s … up to 30 s,
 * and never longer than `maxMs` (the plan's interval, so that a server that comes back is read
 * again at the next interval); a success resets it. While it waits, a collect fails at once with
 * the failed attempt's error (its code kept: SOURCE_UNAVAILABLE, or SOURCE_CONFIG for refused
 * credentials) ending in `; next attempt in <wait>`, so a dead server never holds up a collect
 * and is tried at most about once per interval. Attempts made together (one per metric) that
 * fail together count as one failure.
 *
 * `untilAborted`: races a promise against a collect's AbortSignal.
 */
import { HeadroomError } from '../errors.ts';
import { abortedError } from './health.ts';

/** Wait after the first failed attempt, in ms. */
export const BACKOFF_FIRST_MS = 1000;
/** Longest wait between attempts, in ms, whatever the interval. */
export const BACKOFF_MAX_MS = 30_000;

/** How a backoff measures time and how long it may wait. */
export interface BackoffOptions {
  /** Clock in ms, epoch or monotonic (injectable for tests); default `performance.now()`. */
  clockMs?: () => number;
  /** Longest wait, in ms, normally the plan's interval; capped at `BACKOFF_MAX_MS`. */
  maxMs?: number | undefined;
}

/** Exponential backoff between connection attempts to one server. */
export class ReconnectBackoff {
  private readonly clockMs: () => number;
  private readonly maxMs: number;
  private failures = 0;
  private retryAtMs = 0;
  private last: HeadroomError | undefined;
  private lastReported: HeadroomError | undefined;

  constructor(options: BackoffOptions = {}) {
    this.clockMs = options.clockMs ?? (() => performance.now());
    this.maxMs = Math.min(BACKOFF_MAX_MS, options.maxMs ?? BACKOFF_MAX_MS);
  }

  /**
   * Records a failed attempt; returns `error` saying when the next attempt is. A failure while
   * already waiting (an attempt made alongside the one that set the wait) changes nothing and
   * returns the very error that attempt got, so that one outage reads as one error.
   */
  failed(error: HeadroomError): HeadroomError {
    if (this.lastReported && this.remainingMs() > 0) return this.lastReported;
    const waitMs = Math.min(this.maxMs, BACKOFF_FIRST_MS * 2 ** this.failures);
    this.failures += 1;
    this.retryAtMs = this.clockMs() + waitMs;
    this.last = error;
    this.lastReported = withWait(error, waitMs);
    return this.lastReported;
  }

  /** Records a successful attempt: the next failure waits 1 s (or `maxMs`) again. */
  succeeded(): void {
    this.failures = 0;
    this.retryAtMs = 0;
    this.last = undefined;
    this.lastReported = undefined;
  }

  /** Time left before the next attempt may be made, in ms (0: now). */
  remainingMs(): number {
    return this.last ? Math.max(0, this.retryAtMs - this.clockMs()) : 0;
  }

  /** While waiting, throws the last failed attempt's error with the time left. */
  throwIfWaiting(): void {
    const remainingMs = this.remainingMs();
    if (this.last && remainingMs > 0) throw withWait(this.last, remainingMs);
  }
}

function withWait(error: HeadroomError, waitMs: number): HeadroomError {
  return new HeadroomError(error.code, `${error.message}; next attempt in ${formatWait(waitMs)}`, {
    ...error.location,
    hint: error.hint,
    cause: error.cause,
  });
}

/** A wait for messages, never shorter than it is: `1 ms`, `250 ms`, `1 s`, `2.5 s`. */
export function formatWait(waitMs: number): string {
  // The tolerance absorbs float noise of clock arithmetic (2000.0000000002 is 2 s, not 2.1 s).
  const ms = Math.max(1, Math.ceil(waitMs - 1e-6));
  return ms < 1000 ? `${ms} ms` : `${Math.ceil(ms / 100) / 10} s`;
}

/**
 * Settles like `work`, or rejects with `abortedError(signal, what)` as soon as `signal` aborts;
 * a later rejection of `work` is then ignored, never left unhandled.
 */
export function untilAborted<T>(work: Promise<T>, signal: AbortSignal, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(abortedError(signal, what));
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    // Once the abort has rejected, settling again is a no-op; `work` stays handled either way.
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
