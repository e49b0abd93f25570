/**
 * A trace of arrivals, from rows already read (the CLI reads the file). Two shapes:
 *
 * - counts: the first column is the time of a bucket and the second the number of arrivals in
 *   it (`1995-07-01 00:00:00,42`); the bucket width is the median spacing of the rows, a row
 *   farther from the next than that leaves the gap empty (no traffic), and a row closer to the
 *   next ends its bucket there;
 * - arrivals: one row per arrival, the time first; other columns may carry per-job values
 *   (`column:<name>` service times). Rows are put in time order (stably).
 *
 * `auto` picks counts when there are at least two columns and the times are regularly spaced
 * (nine in ten spacings within 1 % of the median, which is above 0); arrivals otherwise. Counts
 * must then be whole numbers >= 0 and times strictly increasing, or the line is named. A header row is recognised by its first cell not being a
 * time. Every error names the line.
 */
import { HeadroomError } from '../errors.ts';
import { parseDurationMs } from '../plan/units.ts';
import { epochUnitOf, parseTraceTime } from './trace-time.ts';

/** One row as read: its 1-based line in the file and its cells. */
export interface TraceRow {
  line: number;
  cells: readonly string[];
}

/** How to read the rows: `auto` decides from the data (see the module doc). */
export type TraceFormat = 'auto' | 'counts' | 'arrivals';

/** Options of `parseTrace`. */
export interface TraceOptions {
  /** Shape of the rows (default `auto`). */
  format?: TraceFormat;
  /** The file's name, for error messages only. */
  source?: string;
  /** Columns to read as per-arrival durations (seconds, or `250ms`); forces `arrivals`. */
  durationColumns?: readonly string[];
}

/** A parsed trace. Times are epoch ms. */
export interface Trace {
  kind: 'counts' | 'arrivals';
  /** Start of the trace: the first bucket's or the first arrival's time. */
  startMs: number;
  /** End: the last bucket's end, or the end of the whole minute of the last arrival. */
  endMs: number;
  /** Bucket width (counts), ms; 0 for arrivals. */
  bucketMs: number;
  /** Bucket starts (counts) or arrival times (arrivals), ascending. */
  times: Float64Array;
  /** Per bucket: where its arrivals may be placed, ms from its start (counts only). */
  spans: Float64Array | null;
  /** Arrivals per bucket (counts only). */
  counts: Float64Array | null;
  /** Total arrivals. */
  jobs: number;
  /** The header's column names, or null when the file has none. */
  header: readonly string[] | null;
  /** Per-arrival durations in seconds, by column name, in the order of `times`. */
  durations: ReadonlyMap<string, Float64Array>;
}

/** Parses the rows of a trace; throws `CSV_INVALID` errors naming the file and line. */
export function parseTrace(rows: readonly TraceRow[], options: TraceOptions = {}): Trace {
  const file = options.source;
  const fail = (message: string, line: number | undefined, hint: string, column?: number) =>
    new HeadroomError('CSV_INVALID', message, { file, line, column, hint });
  const first = rows[0];
  if (!first) throw fail('the trace is empty', undefined, 'write one row per bucket or arrival');
  const hasHeader = parseTraceTime(first.cells[0] ?? '', 'guess') === undefined;
  const header = hasHeader ? first.cells.map((c) => c.trim()) : null;
  const body = hasHeader ? rows.slice(1) : rows;
  if (body.length === 0)
    throw fail('the trace has a header but no rows', first.line, 'add rows below the header');
  const unit = epochUnitOf(header?.[0]);
  const times = new Float64Array(body.length);
  body.forEach((row, i) => {
    const cell = row.cells[0] ?? '';
    const t = parseTraceTime(cell, unit);
    if (t === undefined)
      throw fail(
        `"${cell}" is not a time`,
        row.line,
        'write ISO-8601 (2025-10-29T12:00:00Z), `YYYY-MM-DD HH:MM:SS` (read as UTC) or epoch seconds/ms',
        1,
      );
    times[i] = t;
  });
  const wanted = options.durationColumns ?? [];
  const format = wanted.length > 0 ? 'arrivals' : (options.format ?? 'auto');
  if (format === 'counts' || (format === 'auto' && looksLikeCounts(body, times))) {
    return countsTrace(body, times, header, fail);
  }
  return arrivalsTrace(body, times, header, wanted, fail);
}

type Fail = (message: string, line: number | undefined, hint: string, column?: number) => Error;

/**
 * Two columns or more, and regularly spaced times (nine in ten spacings within 1 % of a median
 * above 0). The values are not looked at, so a bad count is reported, not read as an arrival.
 */
function looksLikeCounts(body: readonly TraceRow[], times: Float64Array): boolean {
  if (body.length < 2 || body.some((r) => r.cells.length < 2)) return false;
  const width = medianSpacing(times);
  if (!(width > 0)) return false;
  let regular = 0;
  for (let i = 1; i < times.length; i++) {
    if (Math.abs(times[i]! - times[i - 1]! - width) <= 0.01 * width) regular++;
  }
  return regular >= 0.9 * (times.length - 1);
}

/** The median of the spacings between consecutive times. */
function medianSpacing(times: Float64Array): number {
  const gaps = new Float64Array(times.length - 1);
  for (let i = 1; i < times.length; i++) gaps[i - 1] = times[i]! - times[i - 1]!;
  gaps.sort();
  return gaps[Math.floor((gaps.length - 1) / 2)]!;
}

function countsTrace(
  body: readonly TraceRow[],
  times: Float64Array,
  header: readonly string[] | null,
  fail: Fail,
): Trace {
  if (body.length < 2)
    throw fail(
      'a trace of counts needs at least two rows (the bucket width is their spacing)',
      body[0]?.line,
      'add rows, or pass --trace-format arrivals for one row per arrival',
    );
  const counts = new Float64Array(body.length);
  let jobs = 0;
  body.forEach((row, i) => {
    if (i > 0 && !(times[i]! > times[i - 1]!))
      throw fail(
        `time "${row.cells[0]}" does not come after the previous row's`,
        row.line,
        'sort the rows by time and merge duplicate buckets',
        1,
      );
    const cell = (row.cells[1] ?? '').trim();
    const n = cell === '' ? NaN : Number(cell);
    if (!Number.isInteger(n) || n < 0)
      throw fail(
        `"${cell}" is not a count of arrivals`,
        row.line,
        'write a whole number >= 0 in the second column, or pass --trace-format arrivals',
        2,
      );
    counts[i] = n;
    jobs += n;
  });
  const width = medianSpacing(times);
  const spans = new Float64Array(body.length);
  for (let i = 0; i < body.length; i++) {
    spans[i] = i + 1 < body.length ? Math.min(width, times[i + 1]! - times[i]!) : width;
  }
  if (jobs === 0)
    throw fail('the trace has no arrivals (every count is 0)', undefined, 'check the count column');
  return {
    kind: 'counts',
    startMs: times[0]!,
    endMs: times[times.length - 1]! + width,
    bucketMs: width,
    times,
    spans,
    counts,
    jobs,
    header,
    durations: new Map(),
  };
}

function arrivalsTrace(
  body: readonly TraceRow[],
  times: Float64Array,
  header: readonly string[] | null,
  wanted: readonly string[],
  fail: Fail,
): Trace {
  const order = Array.from(times.keys()).sort((a, b) => times[a]! - times[b]! || a - b);
  const sorted = Float64Array.from(order, (i) => times[i]!);
  const durations = new Map<string, Float64Array>();
  for (const name of wanted) {
    const column = header ? header.indexOf(name) : -1;
    if (column < 1)
      throw fail(
        header
          ? `the trace has no column "${name}"`
          : `the trace has no header, so it has no column "${name}"`,
        header ? undefined : body[0]?.line,
        header
          ? `columns: ${header.slice(1).join(', ') || '(none besides the time)'}`
          : 'add a header row naming the columns',
      );
    const values = new Float64Array(order.length);
    order.forEach((rowIndex, k) => {
      const row = body[rowIndex]!;
      const cell = (row.cells[column] ?? '').trim();
      const ms = cell === '' ? undefined : parseDurationMs(cell);
      if (ms === undefined || !(ms > 0))
        throw fail(
          `"${cell}" in column ${name} is not a service time`,
          row.line,
          'write a duration > 0: seconds (2.5) or with a unit (250ms, 2s)',
          column + 1,
        );
      values[k] = ms / 1000;
    });
    durations.set(name, values);
  }
  const startMs = sorted[0]!;
  const lastMs = sorted[sorted.length - 1]!;
  return {
    kind: 'arrivals',
    startMs,
    endMs: startMs + (Math.floor((lastMs - startMs) / 60_000) + 1) * 60_000,
    bucketMs: 0,
    times: sorted,
    spans: null,
    counts: null,
    jobs: sorted.length,
    header,
    durations,
  };
}
