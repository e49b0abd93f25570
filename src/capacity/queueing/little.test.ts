import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { littleArrivalRatePerSec, littleQueueLength, littleWaitSec } from './little.ts';

describe("Little's law, L = λW, in all three directions", () => {
  const close = (actual: number, expected: number) =>
    assert.ok(
      Math.abs(actual - expected) <= 1e-12 * Math.max(1, expected),
      `${actual} vs ${expected}`,
    );
  const cases = [
    {
      name: '120 requests/s held 250 ms each keep 30 in flight',
      arrivalRatePerSec: 120,
      waitSec: 0.25,
      queueLength: 30,
    },
    {
      name: '2 jobs/min waiting 45 s keep 1.5 queued',
      arrivalRatePerSec: 2 / 60,
      waitSec: 45,
      queueLength: 1.5,
    },
    {
      name: '0.5 messages/s waiting an hour keep 1,800 queued',
      arrivalRatePerSec: 0.5,
      waitSec: 3600,
      queueLength: 1800,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      close(
        littleQueueLength({ arrivalRatePerSec: c.arrivalRatePerSec, waitSec: c.waitSec }),
        c.queueLength,
      );
      close(
        littleWaitSec({ queueLength: c.queueLength, arrivalRatePerSec: c.arrivalRatePerSec }),
        c.waitSec,
      );
      close(
        littleArrivalRatePerSec({ queueLength: c.queueLength, waitSec: c.waitSec }),
        c.arrivalRatePerSec,
      );
    });
  }

  it('no traffic keeps nothing queued, and an empty queue means no traffic', () => {
    assert.equal(littleQueueLength({ arrivalRatePerSec: 0, waitSec: 10 }), 0);
    assert.equal(littleArrivalRatePerSec({ queueLength: 0, waitSec: 10 }), 0);
  });
});

describe("Little's law rejects inputs it cannot use", () => {
  const cases = [
    {
      name: 'a negative arrival rate',
      run: () => littleQueueLength({ arrivalRatePerSec: -1, waitSec: 1 }),
      message: /arrivalRatePerSec must be a finite number >= 0; got -1/,
    },
    {
      name: 'an infinite wait',
      run: () => littleQueueLength({ arrivalRatePerSec: 1, waitSec: Infinity }),
      message: /waitSec must be a finite number >= 0; got Infinity/,
    },
    {
      name: 'a NaN queue length',
      run: () => littleWaitSec({ queueLength: NaN, arrivalRatePerSec: 1 }),
      message: /queueLength must be a finite number >= 0; got NaN/,
    },
    {
      name: 'a zero arrival rate when solving for the wait',
      run: () => littleWaitSec({ queueLength: 3, arrivalRatePerSec: 0 }),
      message: /arrivalRatePerSec must be a finite number > 0; got 0/,
    },
    {
      name: 'a zero wait when solving for the rate',
      run: () => littleArrivalRatePerSec({ queueLength: 3, waitSec: 0 }),
      message: /waitSec must be a finite number > 0; got 0/,
    },
    {
      name: 'a negative queue length',
      run: () => littleArrivalRatePerSec({ queueLength: -2, waitSec: 1 }),
      message: /queueLength must be a finite number >= 0; got -2/,
    },
  ];
  for (const c of cases) {
    it(`rejects ${c.name}`, () => assert.throws(c.run, { name: 'RangeError', message: c.message }));
  }
});
