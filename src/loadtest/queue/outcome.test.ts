import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { addOutcome, errorClass } from './outcome.ts';

const never = new AbortController().signal;

describe('addOutcome', () => {
  test('ok when the broker answered', async () => {
    assert.deepEqual(await addOutcome('j', never, async () => 'ack'), { ok: true, name: 'j' });
  });

  test('a refusal is a failed outcome with its code, never a throw', async () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    assert.deepEqual(await addOutcome('j', never, () => Promise.reject(refused)), {
      ok: false,
      name: 'j',
      error: 'ECONNREFUSED',
    });
  });

  test('a broker that does not answer in time is a timeout', async () => {
    const outcome = await addOutcome('j', never, () => sleep(1000), 20);
    assert.deepEqual(outcome, { ok: false, name: 'j', error: 'timeout' });
  });

  test('an abort ends the wait', async () => {
    const stop = new AbortController();
    setTimeout(() => stop.abort(), 10);
    assert.deepEqual(await addOutcome('j', stop.signal, () => sleep(1000)), {
      ok: false,
      name: 'j',
      error: 'aborted',
    });
  });
});

describe('errorClass', () => {
  const cases: [string, unknown, string][] = [
    ['a string code', Object.assign(new Error('x'), { code: 'ENOTFOUND' }), 'ENOTFOUND'],
    ['a numeric code (AMQP 404)', Object.assign(new Error('x'), { code: 404 }), '404'],
    ['a Redis reply error', new Error('NOAUTH Authentication required.'), 'NOAUTH'],
    ['any other message, shortened', new Error('channel closed'), 'channel closed'],
  ];
  for (const [name, error, want] of cases) test(name, () => assert.equal(errorClass(error), want));
});
