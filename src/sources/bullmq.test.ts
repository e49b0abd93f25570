import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { HeadroomError } from '../errors.ts';
import {
  completedInLastMinute,
  completedPerMinute,
  fieldValue,
  oldestWaitingId,
  QUEUE_READS,
  readingOf,
  readsFor,
  type CompletedMetrics,
  type ReadName,
  waitedSeconds,
} from './bullmq-fields.ts';
import { bullmqKind, validateBullmq } from './bullmq.ts';
import { createSource } from './index.ts';
import type { Reply } from './redis-connection.ts';

const URL = 'redis://127.0.0.1:6379/0';
const MINUTE_MS = 60_000;
const WRONGTYPE = Object.assign(new Error('WRONGTYPE Operation against a key'), {
  name: 'ReplyError',
});

/** A queue reading from canned replies: every count 0 and no metrics unless overridden. */
function reading(overrides: Partial<Record<ReadName, unknown>> = {}) {
  const defaults: Record<ReadName, unknown> = {
    exists: 1,
    pausedFlag: 0,
    wait: 0,
    waitTail: null,
    pausedList: 0,
    pausedTail: null,
    active: 0,
    delayed: 0,
    prioritized: 0,
    waitingChildren: 0,
    failed: 0,
    completed: 0,
    metrics: [null, null, null],
    metricsHead: null,
  };
  const values = { ...defaults, ...overrides };
  const replies: Reply[] = QUEUE_READS.map(({ name }) => {
    const value = values[name];
    return value instanceof Error ? [value, null] : [null, value];
  });
  return readingOf('emails', 'bull:emails:', replies);
}

function badValue(run: () => unknown, message: RegExp): void {
  assert.throws(run, (e: unknown) => {
    assert.ok(e instanceof HeadroomError);
    assert.equal(e.code, 'SOURCE_BAD_VALUE');
    assert.match(e.message, message);
    return true;
  });
}

describe('bullmq: validate', () => {
  const cases: [string, Record<string, unknown>, Record<string, unknown> | undefined, string[]][] =
    [
      ['url only', { url: URL }, undefined, []],
      ['url, prefix and timeout', { url: URL, prefix: 'jobs', timeout: '2s' }, undefined, []],
      ['a field for every queue', { url: URL }, { field: 'backlog' }, []],
      ['a field of one queue', { url: URL }, { queue: 'emails', field: 'waiting' }, []],
      ['no url', {}, undefined, ['url']],
      ['an http url', { url: 'http://127.0.0.1:6379' }, undefined, ['url']],
      ['an unknown option', { url: URL, host: 'x' }, undefined, ['host']],
      ['an empty prefix', { url: URL, prefix: '' }, undefined, ['prefix']],
      ['a zero timeout', { url: URL, timeout: '0s' }, undefined, ['timeout']],
      ['no field', { url: URL }, { queue: 'emails' }, ['field']],
      ['an unknown field', { url: URL }, { field: 'wating' }, ['field']],
      ['a numeric queue name', { url: URL }, { queue: 42, field: 'waiting' }, ['queue']],
      ['an unknown selector key', { url: URL }, { field: 'waiting', stream: 'x' }, ['stream']],
    ];
  for (const [name, options, select, paths] of cases) {
    test(name, () => {
      assert.deepEqual(
        validateBullmq(options, select).map((i) => i.path),
        paths,
      );
    });
  }

  test('an unknown field suggests the closest one and lists them all', () => {
    const [issue] = validateBullmq({ url: URL }, { field: 'wating' });
    assert.match(issue!.message, /unknown bullmq field "wating" \(did you mean "waiting"\?\)/);
    assert.match(issue!.message, /completed_per_minute/);
  });

  test('create() throws SOURCE_CONFIG naming the metric and option', () => {
    assert.throws(
      () =>
        createSource('bullmq', {
          name: 'jobs',
          options: { url: URL },
          metrics: [{ name: 'depth', select: { queue: 'emails', field: 'depth' } }],
          now: Date.now,
        }),
      (e: unknown) => {
        assert.ok(e instanceof HeadroomError);
        assert.equal(e.code, 'SOURCE_CONFIG');
        assert.equal(e.location.path, 'metrics.depth.field');
        return true;
      },
    );
  });

  test('create() keeps the password of a bad option out of the message', () => {
    assert.throws(
      () =>
        bullmqKind.create({
          name: 'jobs',
          options: { url: 'redis://:s3cret@127.0.0.1:6379/x' },
          metrics: [],
          now: Date.now,
        }),
      (e: unknown) => e instanceof HeadroomError && !e.message.includes('s3cret'),
    );
  });
});

describe('bullmq: counts from one reading', () => {
  test('waiting is the wait list; an empty existing queue reads 0', () => {
    assert.equal(fieldValue('waiting', reading({ wait: 7 })), 7);
    assert.equal(fieldValue('waiting', reading()), 0);
  });

  test("waiting leaves out BullMQ 4's 0:<delay> marker at the tail of the list", () => {
    assert.equal(fieldValue('waiting', reading({ wait: 3, waitTail: '0:1500' })), 2);
    assert.equal(fieldValue('waiting', reading({ wait: 3, waitTail: '17' })), 3);
  });

  test('BullMQ 6 paused queue: jobs stay in wait, paused repeats them', () => {
    const r = reading({ wait: 4, pausedFlag: 1, prioritized: 2 });
    assert.equal(fieldValue('waiting', r), 4);
    assert.equal(fieldValue('paused', r), 4);
    assert.equal(fieldValue('backlog', r), 6);
  });

  test('BullMQ 5 paused queue: jobs moved to the paused list still count as waiting', () => {
    const r = reading({ pausedList: 5, pausedFlag: 1 });
    assert.equal(fieldValue('waiting', r), 5);
    assert.equal(fieldValue('paused', r), 5);
  });

  test('a running queue has paused 0', () => {
    assert.equal(fieldValue('paused', reading({ wait: 9 })), 0);
  });

  test('backlog is waiting plus prioritized, not delayed', () => {
    assert.equal(fieldValue('backlog', reading({ wait: 3, prioritized: 2, delayed: 10 })), 5);
  });

  test('each set and list maps to its own field', () => {
    const r = reading({ active: 1, delayed: 2, waitingChildren: 3, failed: 4, completed: 5 });
    assert.deepEqual(
      (['active', 'delayed', 'waiting_children', 'failed', 'completed'] as const).map((f) =>
        fieldValue(f, r),
      ),
      [1, 2, 3, 4, 5],
    );
  });

  test('a key of the wrong type fails that field naming the key, others still read', () => {
    const r = reading({ wait: WRONGTYPE, active: 2 });
    badValue(() => fieldValue('waiting', r), /queue 'emails': key 'bull:emails:wait' .*WRONGTYPE/);
    assert.equal(fieldValue('active', r), 2);
  });

  test('a missing queue does not exist; an id counter alone is enough to exist', () => {
    assert.equal(reading({ exists: 0 }).exists, false);
    assert.equal(reading({ exists: 1 }).exists, true);
  });
});

describe('bullmq: oldest_wait', () => {
  test('the oldest waiting job is the tail of wait, else of paused; a BullMQ 4 marker is none', () => {
    assert.equal(oldestWaitingId(reading({ wait: 3, waitTail: '17' })), '17');
    assert.equal(oldestWaitingId(reading({ pausedList: 2, pausedTail: '9' })), '9');
    assert.equal(oldestWaitingId(reading()), undefined);
    assert.equal(oldestWaitingId(reading({ wait: 1, waitTail: '0:5000' })), undefined);
  });

  test('waited seconds count from when the job was due; a missing hash waited 0 s', () => {
    assert.equal(waitedSeconds('1000', '0', 91_000), 90);
    assert.equal(waitedSeconds('1000', '60000', 91_000), 30);
    assert.equal(waitedSeconds('1000', null, 91_000), 90);
    assert.equal(waitedSeconds(null, null, 91_000), 0);
    assert.equal(waitedSeconds('95000', '0', 91_000), 0);
  });
});

describe('bullmq: commands per queue', () => {
  test('only the commands the requested fields need, always with the existence check', () => {
    assert.deepEqual(
      readsFor(['backlog', 'active']).map((r) => r.name),
      ['exists', 'wait', 'waitTail', 'pausedList', 'pausedTail', 'active', 'prioritized'],
    );
    assert.deepEqual(
      readsFor(['completed_per_minute']).map((r) => r.name),
      ['exists', 'completed', 'metrics', 'metricsHead'],
    );
  });

  test('every field together reads all 14 commands once', () => {
    const all = readsFor([
      'waiting',
      'paused',
      'backlog',
      'active',
      'delayed',
      'prioritized',
      'waiting_children',
      'failed',
      'completed',
      'completed_per_minute',
    ]);
    assert.equal(all.length, QUEUE_READS.length);
    assert.equal(QUEUE_READS.length, 14);
  });
});

describe('bullmq: completed_per_minute from BullMQ metrics', () => {
  const minute = 29_000_000; // an arbitrary clock minute
  const at = (m: number, s = 0): number => m * MINUTE_MS + s * 1000;
  const metrics = (m: Partial<CompletedMetrics>): CompletedMetrics => ({
    count: 0,
    prevTs: at(minute),
    prevCount: 0,
    lastPoint: undefined,
    ...m,
  });
  const cases: [string, CompletedMetrics, number, number][] = [
    [
      'bucket opened this minute: the last whole minute is the newest data point',
      metrics({ count: 50, prevCount: 45, prevTs: at(minute, 10), lastPoint: 30 }),
      at(minute, 40),
      30,
    ],
    [
      'bucket opened last minute: its count so far is the whole minute',
      metrics({ count: 50, prevCount: 38, prevTs: at(minute - 1, 5), lastPoint: 30 }),
      at(minute, 1),
      12,
    ],
    [
      'nothing completed for two minutes reads 0',
      metrics({ count: 50, prevCount: 38, prevTs: at(minute - 2, 5), lastPoint: 30 }),
      at(minute, 1),
      0,
    ],
    [
      'first completions ever, this minute: none in the last minute',
      metrics({ count: 3, prevCount: 0, prevTs: at(minute, 2) }),
      at(minute, 30),
      0,
    ],
  ];
  for (const [name, m, nowMs, expected] of cases) {
    test(name, () => assert.equal(completedInLastMinute(m, nowMs), expected));
  }

  test('read through the reading: the metrics hash and the data list head', () => {
    const r = reading({
      metrics: ['50', String(at(minute - 1, 5)), '38'],
      metricsHead: '30',
    });
    assert.equal(completedPerMinute(r, undefined, at(minute, 1)), 12);
  });

  test('a metrics hash that is not numbers is SOURCE_BAD_VALUE', () => {
    const r = reading({ metrics: ['many', '1', '0'] });
    badValue(() => completedPerMinute(r, undefined, 0), /metrics:completed' is not BullMQ/);
  });
});

describe('bullmq: completed_per_minute from the change of completed', () => {
  test('the first collect says the rate is not known yet, never 0', () => {
    badValue(
      () => completedPerMinute(reading({ completed: 10 }), undefined, 0),
      /completed_per_minute of queue 'emails' is not known yet/,
    );
  });

  test('the change over 30 s is scaled to a minute', () => {
    const r = reading({ completed: 25 });
    assert.equal(completedPerMinute(r, { completed: 10, atMs: 0 }, 30_000), 30);
  });

  test('a completed set that shrank (jobs removed) is SOURCE_BAD_VALUE', () => {
    const r = reading({ completed: 3 });
    badValue(() => completedPerMinute(r, { completed: 10, atMs: 0 }, 15_000), /fell from 10 to 3/);
  });

  test('no time since the previous collect is SOURCE_BAD_VALUE', () => {
    const r = reading({ completed: 3 });
    badValue(() => completedPerMinute(r, { completed: 3, atMs: 5 }, 5), /no time passed/);
  });
});

describe('bullmq: reconnect backoff', () => {
  test('the wait never exceeds the plan interval: a dead server is tried again every interval', async () => {
    let nowMs = 1_700_000_000_000;
    const source = createSource('bullmq', {
      name: 'q',
      options: { url: 'redis://127.0.0.1:1/0', timeout: '1s' },
      metrics: [{ name: 'depth', select: { queue: 'emails', field: 'waiting' } }],
      now: () => nowMs,
      intervalMs: 1500,
    });
    try {
      const waits: string[] = [];
      for (let i = 0; i < 4; i++) {
        const error = await source.collect(AbortSignal.timeout(5000)).then(
          () => assert.fail('collected'),
          (e: Error) => e,
        );
        assert.match(error.message, /^Redis at 127\.0\.0\.1:1 cannot be reached/);
        waits.push(/next attempt in (.*)$/.exec(error.message)?.[1] ?? error.message);
        nowMs += 1500;
      }
      assert.deepEqual(waits, ['1 s', '1.5 s', '1.5 s', '1.5 s']);
    } finally {
      await source.close();
    }
  });
});
