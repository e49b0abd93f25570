/**
 * Reading the time cell of a trace row: ISO-8601 (`2023-11-16T18:17:03.98Z`, or without a zone,
 * then read as UTC, as `1995-07-01 00:00:00` and `2023-11-16 18:17:03.9799600` are), or an
 * epoch number. An epoch's unit comes from the column name when it says (`timestamp_ms`,
 * `time_s`), else from its size: below 10^11 it is seconds (until the year 5138), above it is
 * milliseconds.
 */

/** The unit of a numeric time column: from its name when it says, else guessed per value. */
export type EpochUnit = 'ms' | 's' | 'guess';

/** Reads the unit a time column's name announces (`timestamp_ms` → ms, `t_s` → s). */
export function epochUnitOf(columnName: string | undefined): EpochUnit {
  if (columnName === undefined) return 'guess';
  const name = columnName.trim().toLowerCase();
  if (/(^|[_\s-])(ms|msec|millis|milliseconds)$/.test(name)) return 'ms';
  if (/(^|[_\s-])(s|sec|secs|seconds)$/.test(name)) return 's';
  return 'guess';
}

const NUMBER = /^[+-]?\d+(\.\d+)?([eE][+-]?\d+)?$/;
const NAIVE_ISO = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/;
const ZONED_ISO = /^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2}))?$/;

/** A time cell to epoch ms; undefined when it is not a time. */
export function parseTraceTime(cell: string, unit: EpochUnit): number | undefined {
  const s = cell.trim();
  if (NUMBER.test(s)) {
    const n = Number(s);
    if (!Number.isFinite(n)) return undefined;
    if (unit === 'ms') return n;
    if (unit === 's') return n * 1000;
    return Math.abs(n) < 1e11 ? n * 1000 : n;
  }
  if (NAIVE_ISO.test(s)) return finite(Date.parse(`${s.replace(' ', 'T')}Z`));
  if (ZONED_ISO.test(s)) return finite(Date.parse(s.replace(' ', 'T')));
  return undefined;
}

function finite(t: number): number | undefined {
  return Number.isFinite(t) ? t : undefined;
}
