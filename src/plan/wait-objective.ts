/**
 * The wait objective of a worker pool, as autoscale policies write it:
 *
 *   wait_p95 <= 30s     the 95th percentile of queue wait is at most 30 seconds
 *   wait_p99.9 < 2m     any percentile
 *   wait_mean <= 5s     the mean wait (also `wait_avg`)
 *
 * Parsed once at load; a wait of `<` and `<=` mean the same here (waits are continuous).
 */
import { parseDurationMs } from './units.ts';

/** A parsed wait objective: a percentile of the wait, or its mean, in seconds. */
export type WaitObjective = { quantile: number; waitSec: number } | { meanWaitSec: number };

const GRAMMAR = /^\s*wait_(p(\d+(?:\.\d+)?)|mean|avg)\s*(<=|<)\s*(.+?)\s*$/;

/** Parses `wait_p95 <= 30s`; undefined when the text does not follow the grammar. */
export function parseWaitObjective(text: string): WaitObjective | undefined {
  const m = GRAMMAR.exec(text);
  if (!m) return undefined;
  const ms = parseDurationMs(m[4]!);
  if (ms === undefined || ms <= 0) return undefined;
  if (m[2] === undefined) return { meanWaitSec: ms / 1000 };
  // toPrecision: 99.9 / 100 is 0.9990000000000001 in binary floating point.
  const quantile = Number((Number(m[2]) / 100).toPrecision(12));
  return quantile > 0 && quantile < 1 ? { quantile, waitSec: ms / 1000 } : undefined;
}
