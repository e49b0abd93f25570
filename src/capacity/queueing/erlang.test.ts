/**
 * Erlang B and C against published figures, identities and an independent oracle.
 *
 * Published figures (each checked against the source text):
 * - [CCH] Call Centre Helper, "Erlang C Formula – Made Simple With an Easy Worked Example"
 *   (callcentrehelper.com/erlang-c-formula-example-121281.htm): 100 calls per 30 minutes,
 *   AHT 180 s, so A = 10 erlangs, iterated over N = 11..14 agents. The probability that a call
 *   waits, as printed by the CRAN package ErlangC 0.1.0, README, `calculate_agents()` example,
 *   `$process` table (cran.r-project.org/package=ErlangC): N = 11: 0.6821182, 12: 0.4493882,
 *   13: 0.2852705, 14: 0.1741319.
 * - [Mitan] Mitan Ltd, "The Erlang-C formula" (mitan.co.uk/erlang/elgcmath.htm), worked example:
 *   360 calls per half hour, 4-minute calls, 55 agents, so A = 48 erlangs: E_C = 0.2387, as
 *   reproduced by R. Dodier's Maxima notes on that page ("erlang.E_c(0.2 call/s, 240 s/call,
 *   55) → 0.2387 … the numerical values agree with those stated on the web page").
 * - [Westbay] Westbay Engineers, Erlang calculator manual, "How much traffic?"
 *   (erlang.com/calculatormanual/howmuchtrafficcanatrunkgrouphandle.htm): 15 lines at 1 %
 *   blocking carry 8.108 erlangs (Erlang B).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { erlangB, erlangC } from './erlang.ts';

/** True when a and b agree to `digits` significant digits (|a − b| <= half a unit there). */
function sameSignificant(actual: number, expected: number, digits: number): boolean {
  const unit = 10 ** (Math.floor(Math.log10(Math.abs(expected))) - digits + 1);
  return Math.abs(actual - expected) <= unit / 2;
}

function assertSignificant(actual: number, expected: number, digits = 4): void {
  assert.ok(
    sameSignificant(actual, expected, digits),
    `${actual} differs from ${expected} at ${digits} significant digits`,
  );
}

/** Independent oracle: B and C summed term by term in log space, no recurrence. */
function oracle(servers: number, load: number): { b: number; c: number } {
  const logTerms: number[] = [];
  let logFactorial = 0;
  for (let k = 0; k <= servers; k++) {
    if (k > 0) logFactorial += Math.log(k);
    logTerms.push(k * Math.log(load) - logFactorial);
  }
  const logSum = (xs: number[]): number => {
    const top = Math.max(...xs);
    return top + Math.log(xs.reduce((s, x) => s + Math.exp(x - top), 0));
  };
  const last = logTerms[servers]!;
  const b = Math.exp(last - logSum(logTerms));
  const waiting = last + Math.log(servers / (servers - load));
  const c = Math.exp(waiting - logSum([...logTerms.slice(0, servers), waiting]));
  return { b, c };
}

describe('erlangC matches published figures to 4 significant digits', () => {
  const cases = [
    { name: '[CCH] A = 10, N = 11', servers: 11, load: 10, expected: 0.6821182 },
    { name: '[CCH] A = 10, N = 12', servers: 12, load: 10, expected: 0.4493882 },
    { name: '[CCH] A = 10, N = 13', servers: 13, load: 10, expected: 0.2852705 },
    { name: '[CCH] A = 10, N = 14', servers: 14, load: 10, expected: 0.1741319 },
    { name: '[Mitan] A = 48, m = 55', servers: 55, load: 48, expected: 0.2387 },
  ];
  for (const c of cases) {
    it(c.name, () => assertSignificant(erlangC(c.servers, c.load), c.expected));
  }
});

describe('erlangB matches published figures', () => {
  it('[Westbay] 15 lines at 1 % blocking carry 8.108 erlangs', () => {
    assertSignificant(erlangB(15, 8.108), 0.01, 3);
    assert.ok(
      erlangB(15, 8.1075) < 0.01 && erlangB(15, 8.1085) > 0.01,
      'root lies in 8.108 ± ½ unit',
    );
  });
});

describe('identities', () => {
  it('one server: C equals the utilization (M/M/1)', () => {
    for (const rho of [0.01, 0.3, 0.5, 0.9, 0.999]) assertSignificant(erlangC(1, rho), rho, 12);
  });

  it('one server: B = A / (1 + A)', () => {
    for (const a of [0.1, 1, 7.5]) assertSignificant(erlangB(1, a), a / (1 + a), 12);
  });

  it('C = B / (1 − ρ(1 − B)) links the two direct sums, and C > B whenever 0 < A < c', () => {
    for (const [servers, load] of [
      [3, 2],
      [20, 15.5],
      [100, 97],
      [500, 420],
    ] as const) {
      const { b, c } = oracle(servers, load);
      const rho = load / servers;
      assertSignificant(c, b / (1 - rho * (1 - b)), 10);
      assert.ok(erlangC(servers, load) > erlangB(servers, load));
    }
  });

  it('closed forms for small cases: C(2, 1) = 1/3, C(3, 2) = 4/9', () => {
    assertSignificant(erlangC(2, 1), 1 / 3, 12);
    assertSignificant(erlangC(3, 2), 4 / 9, 12);
  });

  it('no load never waits; load at or above the servers always waits', () => {
    assert.equal(erlangC(5, 0), 0);
    assert.equal(erlangC(5, 5), 1);
    assert.equal(erlangC(5, 12), 1);
    assert.equal(erlangB(0, 3), 1);
    assert.equal(erlangB(4, 0), 0);
  });

  it('falls as servers are added at a fixed load', () => {
    let previous = 1;
    for (let servers = 11; servers <= 40; servers++) {
      const c = erlangC(servers, 10);
      assert.ok(c < previous, `C(${servers}, 10) = ${c} is not below ${previous}`);
      previous = c;
    }
  });
});

describe('large server counts stay exact (independent log-space oracle)', () => {
  const cases = [
    { name: 'c = 100, A = 90', servers: 100, load: 90 },
    { name: 'c = 1,000, A = 980', servers: 1000, load: 980 },
    { name: 'c = 10,000, A = 9,900', servers: 10_000, load: 9900 },
    { name: 'c = 10,000, A = 9,999.5', servers: 10_000, load: 9999.5 },
    { name: 'c = 10,000, A = 9,000 (tiny C)', servers: 10_000, load: 9000 },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const expected = oracle(c.servers, c.load);
      assertSignificant(erlangB(c.servers, c.load), expected.b, 9);
      assertSignificant(erlangC(c.servers, c.load), expected.c, 9);
    });
  }

  it('agrees with the Halfin–Whitt limit at c = 10,000, A = c − √c', () => {
    // C → 1 / (1 + βΦ(β)/φ(β)) with β = 1; Φ(1) = 0.8413447, φ(1) = 0.2419707.
    const limit = 1 / (1 + 0.8413447 / 0.2419707);
    const c = erlangC(10_000, 10_000 - 100);
    assert.ok(Math.abs(c / limit - 1) < 0.02, `${c} vs ${limit}`);
  });
});

describe('bad input', () => {
  const cases = [
    {
      name: 'fractional servers',
      run: () => erlangC(2.5, 1),
      message: /servers must be an integer >= 1; got 2.5/,
    },
    {
      name: 'zero servers for C',
      run: () => erlangC(0, 1),
      message: /servers must be an integer >= 1/,
    },
    {
      name: 'negative load',
      run: () => erlangB(3, -1),
      message: /offeredLoadErlangs must be a finite number >= 0; got -1/,
    },
    { name: 'NaN load', run: () => erlangC(3, NaN), message: /offeredLoadErlangs .* got NaN/ },
    { name: 'infinite load', run: () => erlangC(3, Infinity), message: /offeredLoadErlangs/ },
  ];
  for (const c of cases) {
    it(`rejects ${c.name}`, () => assert.throws(c.run, { name: 'RangeError', message: c.message }));
  }
});
