import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { HeadroomError } from '../errors.ts';
import { formatWait, ReconnectBackoff, untilAborted } from './reconnect.ts';

const DOWN = new HeadroomError(
  'SOURCE_UNAVAILABLE',
  'NATS at 127.0.0.1:4222 is unreachable (ECONNREFUSED)',
  { hint: 'start it' },
);

/** A backoff on a clock the test moves, in ms. */
function clocked(maxMs?: number): { backoff: ReconnectBackoff; clock: { nowMs: number } } {
  const clock = { nowMs: 1_700_000_000_000 };
  return { backoff: new ReconnectBackoff({ clockMs: () => clock.nowMs, maxMs }), clock };
}

/** The waits after `failures` failed attempts, each made as soon as the previous wait ended. */
function waitsOf(failures: number, maxMs?: number): number[] {
  const { backoff, clock } = clocked(maxMs);
  return Array.from({ length: failures }, () => {
    backoff.failed(DOWN);
    const waitMs = backoff.remainingMs();
    clock.nowMs += waitMs;
    return waitMs;
  });
}

describe('ReconnectBackoff', () => {
  test('waits 1 s after the first failure, doubling up to 30 s', () => {
    assert.deepEqual(waitsOf(8), [1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000]);
  });

  test('each failure returns its error saying when the next attempt is', () => {
    const { backoff, clock } = clocked();
    const down = new HeadroomError('SOURCE_UNAVAILABLE', 'down', { hint: 'h', path: 'sources.q' });
    const messages = Array.from({ length: 7 }, () => {
      const error = backoff.failed(down);
      clock.nowMs += backoff.remainingMs();
      return error.message;
    });
    assert.deepEqual(
      messages.map((m) => m.replace('down; next attempt in ', '')),
      ['1 s', '2 s', '4 s', '8 s', '16 s', '30 s', '30 s'],
    );
    const error = backoff.failed(down);
    assert.equal(error.code, 'SOURCE_UNAVAILABLE');
    assert.equal(error.hint, 'h');
    assert.equal(error.location.path, 'sources.q');
  });

  test('while waiting, throwIfWaiting fails fast with the last error and the time left', () => {
    const { backoff, clock } = clocked();
    const startMs = clock.nowMs;
    backoff.failed(DOWN);
    clock.nowMs = startMs + 1000;
    backoff.failed(DOWN);
    clock.nowMs = startMs + 1500;
    assert.throws(
      () => backoff.throwIfWaiting(),
      (e: unknown) => {
        assert.ok(e instanceof HeadroomError);
        assert.equal(e.code, 'SOURCE_UNAVAILABLE');
        assert.equal(
          e.message,
          'NATS at 127.0.0.1:4222 is unreachable (ECONNREFUSED); next attempt in 1.5 s',
        );
        assert.equal(e.hint, 'start it');
        return true;
      },
    );
    clock.nowMs = startMs + 2600;
    assert.throws(() => backoff.throwIfWaiting(), {
      message: /ECONNREFUSED\); next attempt in 400 ms$/,
    });
    clock.nowMs = startMs + 3000;
    assert.doesNotThrow(() => backoff.throwIfWaiting());
  });

  test('before any failure it never waits', () => {
    const { backoff } = clocked();
    assert.equal(backoff.remainingMs(), 0);
    assert.doesNotThrow(() => backoff.throwIfWaiting());
  });

  test('a success resets the wait to 1 s', () => {
    const { backoff, clock } = clocked();
    backoff.failed(DOWN);
    clock.nowMs += 1000;
    backoff.failed(DOWN);
    backoff.succeeded();
    assert.equal(backoff.remainingMs(), 0);
    assert.doesNotThrow(() => backoff.throwIfWaiting());
    assert.match(backoff.failed(DOWN).message, /next attempt in 1 s$/);
  });

  test('a failure while already waiting does not lengthen the wait', () => {
    const { backoff, clock } = clocked();
    backoff.failed(DOWN);
    clock.nowMs += 500;
    backoff.failed(DOWN);
    assert.equal(backoff.remainingMs(), 500);
  });

  test('attempts that fail together count once and get one and the same error', () => {
    const { backoff, clock } = clocked();
    const first = backoff.failed(DOWN);
    clock.nowMs += 3;
    const other = new HeadroomError('SOURCE_UNAVAILABLE', 'NATS dropped the connection');
    assert.equal(backoff.failed(other), first);
    clock.nowMs += 997;
    assert.match(backoff.failed(DOWN).message, /next attempt in 2 s$/);
  });

  test('after refused credentials the error stays SOURCE_CONFIG while waiting', () => {
    const { backoff } = clocked();
    const refused = new HeadroomError('SOURCE_CONFIG', 'NATS refused the credentials (x)');
    assert.equal(backoff.failed(refused).code, 'SOURCE_CONFIG');
    assert.throws(
      () => backoff.throwIfWaiting(),
      (e: unknown) => e instanceof HeadroomError && e.code === 'SOURCE_CONFIG',
    );
  });
});

describe('ReconnectBackoff never waits longer than the interval (maxMs)', () => {
  const cases: [string, number | undefined, number[]][] = [
    ['no interval: up to 30 s', undefined, [1000, 2000, 4000, 8000, 16_000, 30_000, 30_000]],
    ['15 s interval', 15_000, [1000, 2000, 4000, 8000, 15_000, 15_000, 15_000]],
    ['5 s interval', 5000, [1000, 2000, 4000, 5000, 5000, 5000, 5000]],
    ['300 ms interval: every wait is one interval', 300, [300, 300, 300, 300, 300, 300, 300]],
    ['1 m interval: still at most 30 s', 60_000, [1000, 2000, 4000, 8000, 16_000, 30_000, 30_000]],
  ];
  for (const [name, maxMs, waits] of cases) {
    test(name, () => assert.deepEqual(waitsOf(waits.length, maxMs), waits));
  }

  test('a long outage with a 15 s interval: the server is read at the first interval after it returns', () => {
    const intervalMs = 15_000;
    const { backoff, clock } = clocked(intervalMs);
    const returnsAtMs = clock.nowMs + 10 * 60_000 + 1000;
    const attemptsAtMs: number[] = [];
    let readAtMs: number | undefined;
    // One collect per interval, as watch runs them; a collect tries only when not waiting.
    for (let collectAtMs = clock.nowMs; readAtMs === undefined; collectAtMs += intervalMs) {
      clock.nowMs = collectAtMs;
      if (backoff.remainingMs() > 0) continue;
      attemptsAtMs.push(collectAtMs);
      if (collectAtMs >= returnsAtMs) readAtMs = collectAtMs;
      else backoff.failed(DOWN);
    }
    const lateMs = readAtMs! - returnsAtMs;
    assert.ok(lateMs < intervalMs, `read ${lateMs} ms after the server returned`);
    const gaps = attemptsAtMs.slice(1).map((at, i) => at - attemptsAtMs[i]!);
    assert.ok(
      gaps.every((gap) => gap >= intervalMs),
      'tried more than once per interval',
    );
  });
});

describe('formatWait', () => {
  const cases: [number, string][] = [
    [0.2, '1 ms'],
    [250, '250 ms'],
    [999.4, '1 s'],
    [1000, '1 s'],
    [1000.0000001, '1 s'],
    [1001, '1.1 s'],
    [2500, '2.5 s'],
    [30_000, '30 s'],
  ];
  for (const [ms, text] of cases) {
    test(`formats a wait of ${ms} ms as "${text}", never shorter than it is`, () =>
      assert.equal(formatWait(ms), text));
  }
});

describe('untilAborted', () => {
  test('settles like the work when the signal does not abort', async () => {
    const signal = new AbortController().signal;
    assert.equal(await untilAborted(Promise.resolve(7), signal, 'NATS'), 7);
    await assert.rejects(untilAborted(Promise.reject(new Error('boom')), signal, 'NATS'), /boom/);
  });

  test('rejects at once on abort, and leaves no unhandled rejection behind', async () => {
    const controller = new AbortController();
    let rejectLater!: (e: Error) => void;
    const slow = new Promise<number>((_, reject) => (rejectLater = reject));
    const racing = untilAborted(slow, controller.signal, 'NATS');
    controller.abort();
    await assert.rejects(racing, (e: unknown) => {
      assert.ok(e instanceof HeadroomError);
      assert.equal(e.code, 'SOURCE_UNAVAILABLE');
      assert.match(e.message, /collect from NATS was aborted/);
      return true;
    });
    rejectLater(new Error('late'));
  });

  test('an already aborted signal rejects without waiting, and a timeout says so', async () => {
    const signal = AbortSignal.timeout(0);
    await new Promise((resolve) => setTimeout(resolve, 5));
    let rejectLater!: (e: Error) => void;
    const slow = new Promise<number>((_, reject) => (rejectLater = reject));
    await assert.rejects(untilAborted(slow, signal, 'Redis at 127.0.0.1:6379'), {
      message: 'collect from Redis at 127.0.0.1:6379 timed out',
    });
    rejectLater(new Error('late'));
  });
});
