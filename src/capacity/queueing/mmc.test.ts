/**
 * The M/M/c model against published worked examples, M/M/1 closed forms and Little's law.
 *
 * - [CCH] Call Centre Helper, "Erlang C Formula – Made Simple With an Easy Worked Example"
 *   (callcentrehelper.com/erlang-c-formula-example-121281.htm), as printed by the CRAN package
 *   ErlangC 0.1.0, README, `calculate_agents()` `$process` table: 200 calls/h, AHT 180 s,
 *   target answer time 20 s. Service level and average speed of answer (ASA, the mean wait):
 *   N = 11: 0.3896138, 122.78127684408 s; N = 12: 0.640158, 40.4449401868444 s;
 *   N = 13: 0.7955948, 17.1162271821896 s; N = 14: 0.88835, 7.83593701177724 s.
 * - [Mitan] Mitan Ltd, "The Erlang-C formula" (mitan.co.uk/erlang/elgcmath.htm): λ = 0.2/s,
 *   240 s calls, 55 agents: mean wait 8.184 s and P(wait <= 15 s) = 0.8459, as reproduced in
 *   R. Dodier's Maxima notes on that page.
 * - [RSH] Render, Stair & Hanna, Quantitative Analysis for Management, 10th ed., Instructor's
 *   Manual ch. 14, Alternative Example 14.3: information desk, 2 servers, λ = 20/h, μ = 30/h:
 *   P0 = 1/2 and L = 3/4 people in the system.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { littleQueueLength } from './little.ts';
import { mmc } from './mmc.ts';

function assertSignificant(actual: number, expected: number, digits = 4): void {
  const unit = 10 ** (Math.floor(Math.log10(Math.abs(expected))) - digits + 1);
  assert.ok(
    Math.abs(actual - expected) <= unit / 2,
    `${actual} differs from ${expected} at ${digits} significant digits`,
  );
}

describe('mmc matches published worked examples', () => {
  const cch = [
    { servers: 11, serviceLevel: 0.3896138, asaSec: 122.78127684408 },
    { servers: 12, serviceLevel: 0.640158, asaSec: 40.4449401868444 },
    { servers: 13, serviceLevel: 0.7955948, asaSec: 17.1162271821896 },
    { servers: 14, serviceLevel: 0.88835, asaSec: 7.83593701177724 },
  ];
  for (const c of cch) {
    it(`[CCH] ${c.servers} agents: service level in 20 s and mean wait`, () => {
      const q = mmc({ arrivalRatePerSec: 200 / 3600, serviceTimeSec: 180, servers: c.servers });
      assertSignificant(1 - q.probabilityWaitExceeds(20), c.serviceLevel);
      assertSignificant(q.meanWaitSec, c.asaSec);
    });
  }

  it('[Mitan] 55 agents at 48 erlangs: mean wait 8.184 s, 84.59 % answered within 15 s', () => {
    const q = mmc({ arrivalRatePerSec: 0.2, serviceTimeSec: 240, servers: 55 });
    assertSignificant(q.meanWaitSec, 8.184);
    assertSignificant(1 - q.probabilityWaitExceeds(15), 0.8459);
  });

  it('[RSH] two clerks, λ = 20/h, μ = 30/h: L = 3/4 in the system, P0 = 1/2', () => {
    const q = mmc({ arrivalRatePerSec: 20 / 3600, serviceTimeSec: 120, servers: 2 });
    assertSignificant(q.meanQueueLength + q.offeredLoadErlangs, 0.75);
    // With c = 2, P0 = 1/2 and P1 = ρ·c·P0 = 1/3, so P(wait) = 1 − P0 − P1 = 1/6.
    assertSignificant(q.probabilityOfWait, 1 / 6);
  });
});

describe('one server reduces to the M/M/1 closed forms', () => {
  const cases = [
    { name: 'ρ = 0.5', lambda: 5, serviceTimeSec: 0.1 },
    { name: 'ρ = 0.9', lambda: 9, serviceTimeSec: 0.1 },
    { name: 'ρ = 0.99', lambda: 0.99, serviceTimeSec: 1 },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const q = mmc({ arrivalRatePerSec: c.lambda, serviceTimeSec: c.serviceTimeSec, servers: 1 });
      const mu = 1 / c.serviceTimeSec;
      const rho = c.lambda / mu;
      assertSignificant(q.probabilityOfWait, rho, 12);
      assertSignificant(q.meanWaitSec, rho / (mu - c.lambda), 12);
      assertSignificant(q.meanResponseSec, 1 / (mu - c.lambda), 12);
      assertSignificant(q.meanQueueLength, (rho * rho) / (1 - rho), 12);
      assertSignificant(q.probabilityWaitExceeds(2), rho * Math.exp(-(mu - c.lambda) * 2), 12);
    });
  }
});

describe('wait distribution', () => {
  const q = mmc({ arrivalRatePerSec: 40, serviceTimeSec: 0.2, servers: 11 });

  it('the quantile inverts the tail: P(W > q(p)) = 1 − p above the atom at 0', () => {
    for (const p of [0.9, 0.95, 0.99, 0.999]) {
      assertSignificant(q.probabilityWaitExceeds(q.waitQuantileSec(p)), 1 - p, 10);
    }
  });

  it('quantiles inside the no-wait atom are 0; the 100th percentile is unbounded', () => {
    assert.ok(q.probabilityOfWait < 0.5);
    assert.equal(q.waitQuantileSec(0.5), 0);
    assert.equal(q.waitQuantileSec(0), 0);
    assert.equal(q.waitQuantileSec(1), Infinity);
  });

  it('P(W > t) starts at C, is 1 for negative t and falls with t', () => {
    assert.equal(q.probabilityWaitExceeds(0), q.probabilityOfWait);
    assert.equal(q.probabilityWaitExceeds(-1), 1);
    assert.ok(q.probabilityWaitExceeds(1) < q.probabilityWaitExceeds(0.1));
  });

  it('mean queue length obeys Little’s law', () => {
    assertSignificant(
      q.meanQueueLength,
      littleQueueLength({ arrivalRatePerSec: 40, waitSec: q.meanWaitSec }),
      12,
    );
  });
});

describe('saturation', () => {
  const cases = [
    { name: 'exactly at capacity', arrivalRatePerSec: 10, servers: 5 },
    { name: 'above capacity', arrivalRatePerSec: 30, servers: 5 },
  ];
  for (const c of cases) {
    it(`${c.name}: unstable, every arrival waits, waits are Infinity`, () => {
      const q = mmc({
        arrivalRatePerSec: c.arrivalRatePerSec,
        serviceTimeSec: 0.5,
        servers: c.servers,
      });
      assert.equal(q.stable, false);
      assert.equal(q.utilization, (c.arrivalRatePerSec * 0.5) / c.servers);
      assert.equal(q.probabilityOfWait, 1);
      assert.equal(q.meanWaitSec, Infinity);
      assert.equal(q.meanResponseSec, Infinity);
      assert.equal(q.meanQueueLength, Infinity);
      assert.equal(q.waitQuantileSec(0.95), Infinity);
      assert.equal(q.probabilityWaitExceeds(1e9), 1);
    });
  }

  it('no traffic: nobody waits', () => {
    const q = mmc({ arrivalRatePerSec: 0, serviceTimeSec: 3, servers: 2 });
    assert.deepEqual([q.probabilityOfWait, q.meanWaitSec, q.meanResponseSec], [0, 0, 3]);
  });
});

describe('bad input', () => {
  const base = { arrivalRatePerSec: 1, serviceTimeSec: 1, servers: 2 };
  const cases = [
    {
      name: 'negative arrival rate',
      input: { ...base, arrivalRatePerSec: -1 },
      message: /arrivalRatePerSec must be a finite number >= 0; got -1/,
    },
    {
      name: 'zero service time',
      input: { ...base, serviceTimeSec: 0 },
      message: /serviceTimeSec must be a finite number > 0; got 0/,
    },
    {
      name: 'NaN service time',
      input: { ...base, serviceTimeSec: NaN },
      message: /serviceTimeSec .* got NaN/,
    },
    {
      name: 'zero servers',
      input: { ...base, servers: 0 },
      message: /servers must be an integer >= 1; got 0/,
    },
  ];
  for (const c of cases) {
    it(`rejects ${c.name}`, () =>
      assert.throws(() => mmc(c.input), { name: 'RangeError', message: c.message }));
  }

  it('rejects a quantile outside [0, 1] and a NaN time', () => {
    const q = mmc(base);
    assert.throws(() => q.waitQuantileSec(1.5), {
      name: 'RangeError',
      message: /p must be between 0 and 1; got 1.5/,
    });
    assert.throws(() => q.probabilityWaitExceeds(NaN), { name: 'RangeError' });
  });
});
