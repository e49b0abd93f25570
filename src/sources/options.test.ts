import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { z } from 'zod';
import { HeadroomError } from '../errors.ts';
import { issuesOf, parseTimeoutMs, throwFirstIssue, TimeoutOption } from './options.ts';

describe('the timeout option', () => {
  const timeouts: [unknown, number | undefined][] = [
    ['5s', 5000],
    ['250ms', 250],
    ['1m', 60_000],
    ['1.5s', 1500],
    [2, 2000],
    ['0s', undefined],
    ['5', 5000],
    ['1h', 3_600_000],
    ['soon', undefined],
    ['5 parsecs', undefined],
    [true, undefined],
  ];
  for (const [text, ms] of timeouts) {
    test(`parseTimeoutMs(${JSON.stringify(text)}) is ${ms}`, () =>
      assert.equal(parseTimeoutMs(text), ms));
  }

  test('the schema refuses a zero timeout, saying what it takes', () => {
    const parsed = TimeoutOption.safeParse('0s');
    assert.equal(parsed.success, false);
    assert.match(parsed.error!.issues[0]!.message, /positive duration such as 5s, 250ms or 1m/);
  });
});

describe('config issues', () => {
  const Options = z.strictObject({ url: z.string(), timeout: TimeoutOption.optional() });
  const takes = 'a test source takes url, timeout';

  test('issuesOf names each unknown key and what the source takes, and the path of others', () => {
    const issues = issuesOf(Options.safeParse({ url: 1, tiemout: '5s', extra: 1 }).error!, takes);
    assert.deepEqual(
      issues.map((i) => i.path),
      ['url', 'tiemout', 'extra'],
    );
    assert.equal(issues[1]!.message, 'unknown option "tiemout"; a test source takes url, timeout');
    assert.equal(issues[2]!.message, 'unknown option "extra"; a test source takes url, timeout');
  });

  test('throwFirstIssue throws SOURCE_CONFIG at the first path, and nothing without issues', () => {
    assert.doesNotThrow(() => throwFirstIssue([], 'sources.q', 'test'));
    const issues = [
      { path: 'timeout', message: 'must be a positive duration' },
      { path: 'url', message: 'x' },
    ];
    assert.throws(
      () => throwFirstIssue(issues, 'sources.q', 'test'),
      (e: unknown) => {
        assert.ok(e instanceof HeadroomError);
        assert.equal(e.code, 'SOURCE_CONFIG');
        assert.equal(e.message, 'sources.q.timeout: must be a positive duration');
        assert.equal(e.location.path, 'sources.q.timeout');
        assert.match(e.hint!, /"test" source in docs\/sources\.md/);
        return true;
      },
    );
  });
});
