/**
 * One job add as an iteration outcome: the broker's answer within a deadline, never a throw. A
 * broker that refuses, drops the connection or does not answer in time is a failed iteration
 * with an error class (`ECONNREFUSED`, `timeout`, `nack`, …), as `IterationOutcome` wants.
 */
import type { IterationOutcome } from '../types.ts';

/** How long one add may wait for the broker's acknowledgement, in ms. */
export const ADD_TIMEOUT_MS = 5000;

/** Runs `add` and resolves its outcome: ok when it resolved, else the error's class. */
export async function addOutcome(
  name: string,
  signal: AbortSignal,
  add: () => Promise<unknown>,
  timeoutMs: number = ADD_TIMEOUT_MS,
): Promise<IterationOutcome> {
  if (signal.aborted) return { ok: false, name, error: 'aborted' };
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const stopped = new Promise<IterationOutcome>((resolve) => {
    timer = setTimeout(() => resolve({ ok: false, name, error: 'timeout' }), timeoutMs);
    onAbort = () => resolve({ ok: false, name, error: 'aborted' });
    signal.addEventListener('abort', onAbort, { once: true });
  });
  const added = (async (): Promise<IterationOutcome> => {
    try {
      await add();
      return { ok: true, name };
    } catch (error) {
      return { ok: false, name, error: errorClass(error) };
    }
  })();
  try {
    return await Promise.race([added, stopped]);
  } finally {
    clearTimeout(timer);
    signal.removeEventListener('abort', onAbort!);
  }
}

/** A short class for an error: its code (`ECONNREFUSED`, `NOAUTH`), else its first word. */
export function errorClass(error: unknown): string {
  const code = (error as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string' && code !== '') return code;
  if (typeof code === 'number') return String(code);
  const message = error instanceof Error ? error.message : String(error);
  const word = /^[A-Z][A-Z_]{2,}\b/.exec(message)?.[0];
  return word ?? (message.slice(0, 60) || 'error');
}

/** `promise`, or a rejection after `ms`. */
export function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}
