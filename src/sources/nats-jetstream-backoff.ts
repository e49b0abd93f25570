/**
 * Reconnect backoff for a source whose server is down: after a failed attempt the next one waits
 * 1 s, then 2 s, 4 s … up to 30 s; a success resets it. While waiting, a collect fails at once
 * with the same error as the failed attempt (SOURCE_UNAVAILABLE, or SOURCE_CONFIG for refused
 * credentials) saying when the next attempt is, so a dead server never holds up a collect and
 * is not hammered either.
 */
import { HeadroomError, type ErrorCode } from '../errors.ts';

/** Wait after the first failed attempt, in ms. */
export const BACKOFF_FIRST_MS = 1000;
/** Longest wait between attempts, in ms. */
export const BACKOFF_MAX_MS = 30_000;

/** Why an attempt failed: shown as `<server> <problem>; next attempt in <wait>`. */
export interface AttemptFailure {
  /** Catalog code of the error. */
  code: ErrorCode;
  /** What went wrong, without credentials, e.g. `is unreachable (ECONNREFUSED)`. */
  problem: string;
  /** What to do about it. */
  hint: string;
}

/** Exponential backoff between connection attempts to one server. */
export class Backoff {
  private failures = 0;
  private retryAtMs = 0;
  private last: AttemptFailure | undefined;

  /** `clockMs` is a monotonic clock in ms (injectable for tests). */
  constructor(private readonly clockMs: () => number = () => performance.now()) {}

  /** Records a failed attempt; returns its error, saying when the next attempt is. */
  failed(what: string, failure: AttemptFailure, cause?: unknown): HeadroomError {
    const waitMs = Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * 2 ** this.failures);
    this.failures += 1;
    this.retryAtMs = this.clockMs() + waitMs;
    this.last = failure;
    return errorOf(what, failure, waitMs, cause);
  }

  /** Records a successful attempt: the next failure waits 1 s again. */
  succeeded(): void {
    this.failures = 0;
    this.retryAtMs = 0;
  }

  /** Time left before the next attempt may be made, in ms (0: now). */
  remainingMs(): number {
    return Math.max(0, this.retryAtMs - this.clockMs());
  }

  /** While backing off, throws the last attempt's error with the time left; `what` names the server. */
  throwIfWaiting(what: string): void {
    const waitMs = this.remainingMs();
    if (waitMs > 0 && this.last) throw errorOf(what, this.last, waitMs);
  }
}

function errorOf(what: string, f: AttemptFailure, waitMs: number, cause?: unknown): HeadroomError {
  return new HeadroomError(f.code, `${what} ${f.problem}; next attempt in ${formatWait(waitMs)}`, {
    hint: `${f.hint}; headroom retries with backoff, at most every 30 s`,
    cause,
  });
}

/** A wait for messages: `250 ms`, `1 s`, `2.5 s`. */
export function formatWait(waitMs: number): string {
  return waitMs < 1000 ? `${Math.ceil(waitMs)} ms` : `${Number((waitMs / 1000).toFixed(1))} s`;
}
