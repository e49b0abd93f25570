/**
 * Reads recorded samples from CSV: the first column is the time (ISO-8601, or epoch seconds or
 * milliseconds), every other column a plan metric, optionally with labels
 * (`sms_pending{stream="SMS"}`). An empty cell means no sample at that time; `stale` ends the
 * series there, like a Prometheus staleness marker.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { HeadroomError } from '../errors.ts';
import type { Labels } from '../sources/source.ts';

/** One recorded series from a CSV column. */
export interface RecordedSeries {
  /** Metric name (the column name before `{`). */
  metric: string;
  /** Labels from the column name. */
  labels: Labels;
  /** Points in time order: epoch ms and value. */
  points: { at: number; value: number }[];
}

const COLUMN = /^\s*([A-Za-z][\w-]*)\s*(?:\{(.*)\})?\s*$/;
const LABEL = /\s*([A-Za-z_]\w*)\s*=\s*"([^"]*)"\s*,?/gy;

/** Parses a time cell into epoch ms: ISO-8601, epoch seconds (< 1e11) or epoch milliseconds. */
export function parseTime(cell: string): number | undefined {
  const s = cell.trim();
  if (/^-?\d+(\.\d+)?$/.test(s)) {
    const n = Number(s);
    return Math.abs(n) < 1e11 ? n * 1000 : n;
  }
  // Bare "YYYY-MM-DD HH:MM:SS" (as in the NAB data) is read as UTC, not local time.
  const iso = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(s)
    ? `${s.replace(' ', 'T')}Z`
    : s;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? undefined : t;
}

/** Reads a samples CSV file; every problem names the file, line and column. */
export function readSeriesCsv(file: string): RecordedSeries[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new HeadroomError(
      'CSV_INVALID',
      `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? err}`,
      { file, hint: 'check the path', cause: err },
    );
  }
  return parseSeriesCsv(text, file);
}

/** Parses samples CSV text (see module doc). */
export function parseSeriesCsv(text: string, file: string): RecordedSeries[] {
  let rows: string[][];
  try {
    rows = parse(text, {
      relax_column_count: false,
      // Column names carry PromQL-style labels: pending{stream="SMS"} needs no CSV quoting.
      relax_quotes: true,
      skip_empty_lines: true,
      trim: true,
      comment: '#',
    }) as string[][];
  } catch (err) {
    const e = err as { lines?: number; message: string };
    throw new HeadroomError('CSV_INVALID', e.message, {
      file,
      line: e.lines,
      hint: 'every row needs the same number of columns as the header',
    });
  }
  const [header, ...body] = rows;
  if (!header || header.length < 2) {
    throw new HeadroomError(
      'CSV_INVALID',
      'the CSV needs a header: time, then one column per metric',
      { file, line: 1, hint: 'e.g. `time,cpu,queue_depth`' },
    );
  }
  const series = header.slice(1).map((name, i) => columnSeries(name, file, i + 2));
  body.forEach((row, r) => {
    const line = r + 2;
    const at = parseTime(row[0] ?? '');
    if (at === undefined) {
      throw new HeadroomError('CSV_INVALID', `"${row[0]}" is not a time`, {
        file,
        line,
        column: 1,
        hint: 'write ISO-8601 (2025-10-29T12:00:00Z) or epoch seconds',
      });
    }
    row.slice(1).forEach((cell, c) => {
      if (cell === '') return;
      // `stale` ends a series the way a Prometheus staleness marker does.
      const value = cell.toLowerCase() === 'stale' ? NaN : Number(cell);
      if (Number.isNaN(value) && cell.toLowerCase() === 'stale') {
        series[c]!.points.push({ at, value });
        return;
      }
      if (cell.toLowerCase() === 'nan' || Number.isNaN(value)) {
        throw new HeadroomError('CSV_INVALID', `"${cell}" is not a number`, {
          file,
          line,
          column: c + 2,
          path: header[c + 1],
          hint: 'leave the cell empty for "no sample"',
        });
      }
      series[c]!.points.push({ at, value });
    });
  });
  for (const s of series) s.points.sort((a, b) => a.at - b.at);
  return series;
}

function columnSeries(name: string, file: string, column: number): RecordedSeries {
  const m = COLUMN.exec(name);
  if (!m) {
    throw new HeadroomError('CSV_INVALID', `column "${name}" is not a metric name`, {
      file,
      line: 1,
      column,
      hint: 'name columns after plan metrics, e.g. queue_depth or queue_depth{queue="emails"}',
    });
  }
  const labels: Labels = {};
  const body = m[2] ?? '';
  LABEL.lastIndex = 0;
  let consumed = 0;
  for (let l = LABEL.exec(body); l; l = LABEL.exec(body)) {
    labels[l[1]!] = l[2]!;
    consumed = LABEL.lastIndex;
  }
  if (consumed !== body.trim().length && body.trim() !== '') {
    throw new HeadroomError('CSV_INVALID', `labels in column "${name}" are malformed`, {
      file,
      line: 1,
      column,
      hint: 'write labels as {name="value",other="value"}',
    });
  }
  return { metric: m[1]!, labels, points: [] };
}
