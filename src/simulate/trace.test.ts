import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HeadroomError } from '../errors.ts';
import { parseTrace, type TraceOptions, type TraceRow } from './trace.ts';

/** CSV text to rows, one per line (the CLI does this with csv-parse). */
function rows(text: string): TraceRow[] {
  return text
    .trim()
    .split('\n')
    .map((l, i) => ({ line: i + 1, cells: l.split(',') }));
}

function failsAt(
  text: string,
  line: number | undefined,
  message: RegExp,
  options: TraceOptions = {},
): void {
  assert.throws(
    () => parseTrace(rows(text), { ...options, source: 't.csv' }),
    (e: unknown) => {
      assert.ok(e instanceof HeadroomError);
      assert.equal(e.code, 'CSV_INVALID');
      assert.equal(e.location.file, 't.csv');
      assert.equal(e.location.line, line);
      assert.match(e.message, message);
      return true;
    },
  );
}

describe('trace parsing', () => {
  it('reads counts per bucket with a header, the width from the median spacing', () => {
    const t = parseTrace(
      rows('time,count\n1995-07-01 00:00:00,3\n1995-07-01 00:01:00,0\n1995-07-01 00:02:00,5'),
    );
    assert.equal(t.kind, 'counts');
    assert.equal(t.bucketMs, 60_000);
    assert.equal(t.startMs, Date.UTC(1995, 6, 1));
    assert.equal(t.endMs, Date.UTC(1995, 6, 1, 0, 3));
    assert.equal(t.jobs, 8);
  });

  it('reads epoch seconds, and milliseconds when the column says so', () => {
    assert.equal(parseTrace(rows('60,1\n120,2')).startMs, 60_000);
    assert.equal(parseTrace(rows('1700000000000,1\n1700000060000,2')).bucketMs, 60_000);
    const ms = parseTrace(rows('timestamp_ms,input\n0,10\n0,20\n1500,7'));
    assert.equal(ms.kind, 'arrivals');
    assert.deepEqual(Array.from(ms.times), [0, 0, 1500]);
    assert.equal(ms.endMs, 60_000);
  });

  it('takes irregular times, or a time-only column, as one row per arrival, in time order', () => {
    const t = parseTrace(
      rows('TIMESTAMP,tokens\n2023-11-16 18:17:04.5,1\n2023-11-16 18:17:03.9799600,2'),
    );
    assert.equal(t.kind, 'arrivals');
    assert.equal(t.times[0], Date.parse('2023-11-16T18:17:03.979Z'));
    assert.equal(parseTrace(rows('t\n10\n20\n30')).kind, 'arrivals');
    // A regular per-arrival trace can be forced.
    assert.equal(parseTrace(rows('10,1\n20,1\n30,1'), { format: 'arrivals' }).jobs, 3);
  });

  it('reads per-arrival duration columns in time order', () => {
    const t = parseTrace(rows('t,svc\n20,250ms\n10,1.5'), { durationColumns: ['svc'] });
    assert.deepEqual(Array.from(t.durations.get('svc')!), [1.5, 0.25]);
  });

  it('names the line of every mistake', () => {
    failsAt('time,count\n2025-01-01T00:00:00Z,1\nyesterday,2', 3, /"yesterday" is not a time/);
    failsAt('time,count\n0,1\n60,2\n120,-3\n180,1', 4, /"-3" is not a count of arrivals/);
    failsAt('time,count\n0,1\n60,2.5\n120,3\n180,1', 3, /"2.5" is not a count/);
    failsAt(
      '0,1\n60,2\n120,3\n120,3\n180,1\n240,1\n300,1\n360,1\n420,1\n480,1\n540,1\n600,1',
      4,
      /does not come after/,
    );
    failsAt('time,count', 1, /header but no rows/);
    failsAt('time,count\n0,0\n60,0', undefined, /no arrivals/);
    assert.throws(
      () => parseTrace(rows('t,a\n1,2'), { durationColumns: ['svc'] }),
      /no column "svc"/,
    );
    failsAt('t,svc\n1,2s\n2,fast', 3, /"fast" in column svc is not a service time/, {
      durationColumns: ['svc'],
    });
  });
});
