/**
 * Reads one series from a CSV for `headroom forecast --csv`: a time column and a value column,
 * chosen by name (default: the first column and the one after it). Rows stay in file order and
 * empty or `NaN` cells stay in as NaN, so the forecast's data hygiene can see and report them.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { HeadroomError } from '../errors.ts';
import { parseTime } from './series-csv.ts';

/** A series read from CSV: points in file order, and the columns used. */
export interface ColumnSeries {
  /** Points: time (epoch ms) and value (NaN for an empty or NaN cell). */
  points: { t: number; v: number }[];
  /** Name of the time column. */
  time: string;
  /** Name of the value column. */
  value: string;
}

/** Reads `file`; every problem names the file, line and column. */
export function readColumnSeries(
  file: string,
  timeColumn?: string,
  valueColumn?: string,
  options: { numericTime?: boolean } = {},
): ColumnSeries {
  let rows: string[][];
  try {
    rows = parse(readFileSync(file, 'utf8'), {
      relax_column_count: true,
      skip_empty_lines: true,
      trim: true,
      comment: '#',
    }) as string[][];
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { lines?: number };
    throw new HeadroomError(
      'CSV_INVALID',
      e.code === 'ENOENT' ? `cannot read ${file}: ENOENT` : e.message,
      {
        file,
        line: e.lines,
        hint: e.code === 'ENOENT' ? 'check the path' : 'check the CSV syntax at that line',
      },
    );
  }
  const [header, ...body] = rows;
  if (!header || header.length < 2)
    throw new HeadroomError(
      'CSV_INVALID',
      'the CSV needs a header with a time and a value column',
      { file, line: 1, hint: 'e.g. `timestamp,value`' },
    );
  const ti = columnIndex(header, timeColumn, 0, file, '--time-column');
  const vi = columnIndex(header, valueColumn, ti === 0 ? 1 : 0, file, '--value-column');
  const points = body.map((row, r) => {
    const line = r + 2;
    const raw = (row[ti] ?? '').trim();
    // `numericTime`: the first column is a plain number (a concurrency level), not a time.
    const t = options.numericTime ? (raw === '' ? undefined : Number(raw)) : parseTime(raw);
    if (t === undefined || Number.isNaN(t))
      throw new HeadroomError(
        'CSV_INVALID',
        `"${raw}" is not ${options.numericTime ? 'a number' : 'a time'}`,
        {
          file,
          line,
          column: ti + 1,
          hint: options.numericTime
            ? 'write the concurrency as a number'
            : 'write ISO-8601, `YYYY-MM-DD HH:MM:SS` (read as UTC) or epoch seconds',
        },
      );
    const cell = (row[vi] ?? '').trim();
    const v = cell === '' || cell.toLowerCase() === 'nan' ? NaN : Number(cell);
    if (Number.isNaN(v) && cell !== '' && cell.toLowerCase() !== 'nan')
      throw new HeadroomError('CSV_INVALID', `"${cell}" is not a number`, {
        file,
        line,
        column: vi + 1,
        path: header[vi],
        hint: 'leave the cell empty for a missing value',
      });
    return { t, v };
  });
  return { points, time: header[ti]!, value: header[vi]! };
}

function columnIndex(
  header: string[],
  name: string | undefined,
  fallback: number,
  file: string,
  option: string,
): number {
  if (name === undefined) return fallback;
  const i = header.indexOf(name);
  if (i < 0)
    throw new HeadroomError('USAGE', `${option} "${name}" is not a column of ${file}`, {
      hint: `columns: ${header.join(', ')}`,
    });
  return i;
}
