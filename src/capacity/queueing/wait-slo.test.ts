/**
 * Sizing against wait objectives: consistency between the two searches, minimality, big loads,
 * and one published staffing answer:
 * - [CCH] Call Centre Helper, "Erlang C Formula – Made Simple With an Easy Worked Example"
 *   (callcentrehelper.com/erlang-c-formula-example-121281.htm), as printed by the CRAN package
 *   ErlangC 0.1.0 README (`calculate_agents()`): 200 calls/h, AHT 180 s, 80 % answered within
 *   20 s needs 14 agents (13 give a service level of 0.7955948).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mmc } from './mmc.ts';
import {
  maxArrivalRateForServers,
  meetsWaitSlo,
  serversForWaitSlo,
  type WaitSlo,
} from './wait-slo.ts';

const meets = (arrivalRatePerSec: number, serviceTimeSec: number, servers: number, slo: WaitSlo) =>
  meetsWaitSlo(mmc({ arrivalRatePerSec, serviceTimeSec, servers }), slo);

describe('serversForWaitSlo', () => {
  it('[CCH] 80 % within 20 s at 10 erlangs needs 14 agents', () => {
    const servers = serversForWaitSlo({
      arrivalRatePerSec: 200 / 3600,
      serviceTimeSec: 180,
      slo: { quantile: 0.8, waitSec: 20 },
    });
    assert.equal(servers, 14);
  });

  it('returns the least stable count when that already meets the objective', () => {
    assert.equal(
      serversForWaitSlo({ arrivalRatePerSec: 1, serviceTimeSec: 2.5, slo: { meanWaitSec: 100 } }),
      3,
    );
    assert.equal(
      serversForWaitSlo({ arrivalRatePerSec: 0, serviceTimeSec: 1, slo: { meanWaitSec: 1e-9 } }),
      1,
    );
  });

  it('returns Infinity when no count up to maxServers meets it', () => {
    const tight = {
      arrivalRatePerSec: 100,
      serviceTimeSec: 1,
      slo: { maxProbabilityOfWait: 0.001 },
    };
    assert.equal(serversForWaitSlo({ ...tight, maxServers: 110 }), Infinity);
    assert.ok(serversForWaitSlo(tight) > 110);
    assert.equal(
      serversForWaitSlo({
        arrivalRatePerSec: 50,
        serviceTimeSec: 1,
        slo: { meanWaitSec: 1 },
        maxServers: 40,
      }),
      Infinity,
    );
  });
});

describe('serversForWaitSlo and maxArrivalRateForServers agree', () => {
  const cases: { name: string; arrivalRatePerSec: number; serviceTimeSec: number; slo: WaitSlo }[] =
    [
      {
        name: 'p95 wait <= 30 s, 12 erlangs',
        arrivalRatePerSec: 0.2,
        serviceTimeSec: 60,
        slo: { quantile: 0.95, waitSec: 30 },
      },
      {
        name: 'p99 wait <= 50 ms, 250 erlangs',
        arrivalRatePerSec: 1000,
        serviceTimeSec: 0.25,
        slo: { quantile: 0.99, waitSec: 0.05 },
      },
      {
        name: 'mean wait <= 2 s, 0.7 erlangs',
        arrivalRatePerSec: 0.7,
        serviceTimeSec: 1,
        slo: { meanWaitSec: 2 },
      },
      {
        name: 'mean wait <= 10 ms, 80 erlangs',
        arrivalRatePerSec: 400,
        serviceTimeSec: 0.2,
        slo: { meanWaitSec: 0.01 },
      },
      {
        name: 'at most 5 % wait, 33.3 erlangs',
        arrivalRatePerSec: 33.3,
        serviceTimeSec: 1,
        slo: { maxProbabilityOfWait: 0.05 },
      },
      {
        name: 'p90 wait <= 0 s (90 % never wait), 7 erlangs',
        arrivalRatePerSec: 7,
        serviceTimeSec: 1,
        slo: { quantile: 0.9, waitSec: 0 },
      },
    ];
  for (const c of cases) {
    it(c.name, () => {
      const servers = serversForWaitSlo(c);
      assert.ok(Number.isFinite(servers));
      assert.ok(
        meets(c.arrivalRatePerSec, c.serviceTimeSec, servers, c.slo),
        'the answer meets the SLO',
      );
      if (servers > Math.floor(c.arrivalRatePerSec * c.serviceTimeSec) + 1) {
        assert.ok(
          !meets(c.arrivalRatePerSec, c.serviceTimeSec, servers - 1, c.slo),
          'one fewer fails',
        );
        const fewer = maxArrivalRateForServers({
          servers: servers - 1,
          serviceTimeSec: c.serviceTimeSec,
          slo: c.slo,
        });
        assert.ok(fewer < c.arrivalRatePerSec, `${servers - 1} servers take only ${fewer}/s`);
      }
      const rate = maxArrivalRateForServers({
        servers,
        serviceTimeSec: c.serviceTimeSec,
        slo: c.slo,
      });
      assert.ok(rate >= c.arrivalRatePerSec, `${servers} servers take ${rate}/s`);
      assert.ok(meets(rate, c.serviceTimeSec, servers, c.slo), 'the returned rate meets the SLO');
      assert.ok(
        !meets(rate * (1 + 1e-8), c.serviceTimeSec, servers, c.slo),
        'and is the highest one',
      );
    });
  }
});

describe('maxArrivalRateForServers', () => {
  it('one server, mean wait objective: λ = W/(S(S + W)) solves ρS/(1 − ρ) = W', () => {
    // M/M/1: mean wait ρS/(1 − ρ) = 1 s with S = 1 s gives ρ = 1/2.
    const rate = maxArrivalRateForServers({
      servers: 1,
      serviceTimeSec: 1,
      slo: { meanWaitSec: 1 },
    });
    assert.ok(Math.abs(rate - 0.5) <= 1e-9 * 0.5, String(rate));
  });

  it('stays below saturation however loose the objective', () => {
    const nearly = maxArrivalRateForServers({
      servers: 4,
      serviceTimeSec: 1,
      slo: { meanWaitSec: 1e6 },
    });
    assert.ok(nearly < 4 && nearly > 3.99);
    const all = maxArrivalRateForServers({
      servers: 4,
      serviceTimeSec: 1,
      slo: { maxProbabilityOfWait: 1 },
    });
    assert.ok(all < 4 && all > 4 * (1 - 1e-8));
  });
});

describe('big loads stay finite and fast', () => {
  it('5,000 erlangs, p95 wait <= 10 ms at 1 s service', () => {
    const started = performance.now();
    const servers = serversForWaitSlo({
      arrivalRatePerSec: 5000,
      serviceTimeSec: 1,
      slo: { quantile: 0.95, waitSec: 0.01 },
    });
    const rate = maxArrivalRateForServers({
      servers,
      serviceTimeSec: 1,
      slo: { quantile: 0.95, waitSec: 0.01 },
    });
    const elapsedMs = performance.now() - started;
    assert.ok(servers > 5000 && servers < 5200, String(servers));
    assert.ok(rate >= 5000 && rate < servers, String(rate));
    assert.ok(!meets(5000, 1, servers - 1, { quantile: 0.95, waitSec: 0.01 }));
    assert.ok(elapsedMs < 2000, `${elapsedMs} ms`);
  });

  it('5,000 erlangs with a mean wait objective and a generous one', () => {
    const tight = serversForWaitSlo({
      arrivalRatePerSec: 50_000,
      serviceTimeSec: 0.1,
      slo: { meanWaitSec: 1e-4 },
    });
    const loose = serversForWaitSlo({
      arrivalRatePerSec: 50_000,
      serviceTimeSec: 0.1,
      slo: { meanWaitSec: 10 },
    });
    assert.ok(tight > loose && loose === 5001, `${tight} ${loose}`);
  });
});

describe('bad input', () => {
  const base = { arrivalRatePerSec: 1, serviceTimeSec: 1 };
  const cases = [
    {
      name: 'quantile of 1',
      slo: { quantile: 1, waitSec: 1 },
      message: /slo.quantile must be between 0 and 1 \(exclusive\); got 1/,
    },
    {
      name: 'negative wait',
      slo: { quantile: 0.9, waitSec: -1 },
      message: /slo.waitSec must be a finite number >= 0; got -1/,
    },
    {
      name: 'negative mean wait',
      slo: { meanWaitSec: -0.5 },
      message: /slo.meanWaitSec must be a finite number > 0/,
    },
    {
      name: 'zero mean wait',
      slo: { meanWaitSec: 0 },
      message: /slo.meanWaitSec must be a finite number > 0; got 0/,
    },
    {
      name: 'zero probability of wait',
      slo: { maxProbabilityOfWait: 0 },
      message: /maxProbabilityOfWait must be > 0/,
    },
    {
      name: 'probability above 1',
      slo: { maxProbabilityOfWait: 1.2 },
      message: /slo.maxProbabilityOfWait must be between 0 and 1; got 1.2/,
    },
    { name: 'empty objective', slo: {} as WaitSlo, message: /slo must have/ },
  ];
  for (const c of cases) {
    it(`rejects ${c.name}`, () => {
      assert.throws(() => serversForWaitSlo({ ...base, slo: c.slo as WaitSlo }), {
        name: 'RangeError',
        message: c.message,
      });
      assert.throws(
        () => maxArrivalRateForServers({ servers: 2, serviceTimeSec: 1, slo: c.slo as WaitSlo }),
        {
          name: 'RangeError',
          message: c.message,
        },
      );
    });
  }

  it('rejects a fractional maxServers and zero servers', () => {
    assert.throws(() => serversForWaitSlo({ ...base, slo: { meanWaitSec: 1 }, maxServers: 2.5 }), {
      name: 'RangeError',
      message: /maxServers/,
    });
    assert.throws(
      () => maxArrivalRateForServers({ servers: 0, serviceTimeSec: 1, slo: { meanWaitSec: 1 } }),
      { name: 'RangeError', message: /servers/ },
    );
  });
});
