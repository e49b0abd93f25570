import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { HeadroomError } from '../errors.ts';
import { createSource } from './index.ts';
import {
  DEFAULT_PRIORITY_STEPS,
  DEFAULT_SEPARATOR,
  priorityListKey,
  RedisListSource,
  validateRedisList,
} from './redis-list.ts';

const URL = 'redis://127.0.0.1:6379/0';

describe('redis-list: validate', () => {
  const cases: [string, Record<string, unknown>, Record<string, unknown> | undefined, string[]][] =
    [
      ['url only', { url: URL }, undefined, []],
      [
        'every option',
        { url: URL, timeout: '1s', priority_steps: [0, 5, 9], separator: ':' },
        undefined,
        [],
      ],
      ['length of a key', { url: URL }, { key: 'celery', field: 'length' }, []],
      ['length by priority', { url: URL }, { key: 'celery', field: 'length_by_priority' }, []],
      ['unacked without a key', { url: URL }, { field: 'unacked' }, []],
      ['an unknown option', { url: URL, prefix: 'x' }, undefined, ['prefix']],
      [
        'steps that do not increase',
        { url: URL, priority_steps: [0, 6, 3] },
        undefined,
        ['priority_steps'],
      ],
      ['a negative step', { url: URL, priority_steps: [-1, 3] }, undefined, ['priority_steps.0']],
      ['no steps', { url: URL, priority_steps: [] }, undefined, ['priority_steps']],
      ['an empty separator', { url: URL, separator: '' }, undefined, ['separator']],
      ['length without a key', { url: URL }, { field: 'length' }, ['key']],
      [
        'unacked with a key (one hash for all queues)',
        { url: URL },
        { key: 'celery', field: 'unacked' },
        ['key'],
      ],
      ['an unknown field', { url: URL }, { key: 'celery', field: 'size' }, ['field']],
      [
        'an unknown selector key',
        { url: URL },
        { key: 'celery', field: 'length', queue: 'x' },
        ['queue'],
      ],
    ];
  for (const [name, options, select, paths] of cases) {
    test(name, () => {
      assert.deepEqual(
        validateRedisList(options, select).map((i) => i.path),
        paths,
      );
    });
  }

  test('unacked with a key explains that kombu keeps one hash', () => {
    const [issue] = validateRedisList({ url: URL }, { key: 'celery', field: 'unacked' });
    assert.match(issue!.message, /one `unacked` hash for all queues/);
  });

  test('create() throws SOURCE_CONFIG naming the metric path', () => {
    assert.throws(
      () =>
        createSource('redis-list', {
          name: 'celery',
          options: { url: URL },
          metrics: [{ name: 'depth', select: { field: 'length' } }],
          now: Date.now,
        }),
      (e: unknown) =>
        e instanceof HeadroomError &&
        e.code === 'SOURCE_CONFIG' &&
        e.location.path === 'metrics.depth.key',
    );
  });
});

describe("redis-list: kombu's key names", () => {
  test("defaults are kombu's: steps 0, 3, 6, 9 and separator \\x06\\x16", () => {
    const source = new RedisListSource({
      name: 'celery',
      options: { url: URL },
      metrics: [],
      now: Date.now,
    });
    assert.deepEqual(source.prioritySteps, [0, 3, 6, 9]);
    assert.equal(source.separator, '\x06\x16');
    assert.deepEqual(DEFAULT_PRIORITY_STEPS, [0, 3, 6, 9]);
  });

  test('priority 0 is the queue itself; other steps get the separator and the step', () => {
    assert.deepEqual(
      DEFAULT_PRIORITY_STEPS.map((step) => priorityListKey('celery', step, DEFAULT_SEPARATOR)),
      ['celery', 'celery\x06\x163', 'celery\x06\x166', 'celery\x06\x169'],
    );
  });

  test('a custom separator is used as given', () => {
    assert.equal(priorityListKey('emails', 5, ':'), 'emails:5');
  });
});

describe('redis-list: reconnect backoff', () => {
  test('the wait never exceeds the plan interval: a dead server is tried again every interval', async () => {
    let nowMs = 1_700_000_000_000;
    const source = createSource('redis-list', {
      name: 'q',
      options: { url: 'redis://127.0.0.1:1/0', timeout: '1s' },
      metrics: [{ name: 'depth', select: { key: 'celery', field: 'length' } }],
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
