import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { HeadroomError } from '../errors.ts';
import { Backoff, formatWait } from './nats-jetstream-backoff.ts';

const DOWN = {
  code: 'SOURCE_UNAVAILABLE' as const,
  problem: 'is unreachable (ECONNREFUSED)',
  hint: 'start it',
};

describe('nats-jetstream reconnect backoff', () => {
  test('waits 1 s after the first failure, doubling up to 30 s', () => {
    const backoff = new Backoff(() => 0);
    const waits = Array.from({ length: 8 }, () => {
      backoff.failed('NATS', DOWN);
      return backoff.remainingMs();
    });
    assert.deepEqual(waits, [1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000]);
  });

  test('a success resets the wait to 1 s', () => {
    const backoff = new Backoff(() => 0);
    backoff.failed('NATS', DOWN);
    backoff.failed('NATS', DOWN);
    backoff.succeeded();
    assert.equal(backoff.remainingMs(), 0);
    assert.match(backoff.failed('NATS', DOWN).message, /next attempt in 1 s$/);
  });

  test('while waiting, throwIfWaiting fails fast with SOURCE_UNAVAILABLE saying when', () => {
    let nowMs = 0;
    const backoff = new Backoff(() => nowMs);
    backoff.failed('NATS at 127.0.0.1:4222', DOWN);
    backoff.failed('NATS at 127.0.0.1:4222', DOWN);
    nowMs = 500;
    assert.throws(
      () => backoff.throwIfWaiting('NATS at 127.0.0.1:4222'),
      (e: unknown) => {
        assert.ok(e instanceof HeadroomError);
        assert.equal(e.code, 'SOURCE_UNAVAILABLE');
        assert.equal(
          e.message,
          'NATS at 127.0.0.1:4222 is unreachable (ECONNREFUSED); next attempt in 1.5 s',
        );
        return true;
      },
    );
    nowMs = 2000;
    assert.doesNotThrow(() => backoff.throwIfWaiting('NATS'));
  });

  test('while waiting after refused credentials, the error stays SOURCE_CONFIG', () => {
    const backoff = new Backoff(() => 0);
    const refused = {
      code: 'SOURCE_CONFIG' as const,
      problem: 'refused the credentials (x)',
      hint: 'h',
    };
    assert.equal(backoff.failed('NATS', refused).code, 'SOURCE_CONFIG');
    assert.throws(
      () => backoff.throwIfWaiting('NATS'),
      (e: unknown) => e instanceof HeadroomError && e.code === 'SOURCE_CONFIG',
    );
  });

  const formats: [number, string][] = [
    [0.2, '1 ms'],
    [250, '250 ms'],
    [1000, '1 s'],
    [2500, '2.5 s'],
    [30_000, '30 s'],
  ];
  for (const [ms, text] of formats) {
    test(`formats a wait of ${ms} ms as "${text}"`, () => assert.equal(formatWait(ms), text));
  }
});
