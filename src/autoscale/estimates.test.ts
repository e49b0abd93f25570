/** The rate sample's window (`windowCalls`, `updateEstimates`): see `estimates.ts`. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { emptyEstimates, MAX_WINDOW_CALLS, updateEstimates, windowCalls } from './estimates.ts';
import { obs } from './test-support.ts';

describe('estimates: the rate sample window', () => {
  it('takes the latest call and as many earlier ones as it takes to span the window', () => {
    const earlier = [1, 2, 3, 4, 5].map((rate) => ({ rate, sec: 15 }));
    const latest = { rate: 6, sec: 15 };
    assert.deepEqual(windowCalls(earlier, latest, 60), [...earlier.slice(2), latest]);
    // Not a whole number of calls: the window reaches back past it rather than short of it.
    assert.deepEqual(windowCalls(earlier, latest, 50), [...earlier.slice(2), latest]);
    // A call that spans the window alone is the sample.
    assert.deepEqual(windowCalls(earlier, latest, 15), [latest]);
    assert.deepEqual(windowCalls(earlier, latest, 0), [latest]);
    // Fewer calls than the window needs: all of them.
    assert.deepEqual(windowCalls(earlier, latest, 600), [...earlier, latest]);
  });

  it('keeps at most MAX_WINDOW_CALLS calls', () => {
    const earlier = Array.from({ length: 1000 }, () => ({ rate: 1, sec: 1 }));
    assert.equal(windowCalls(earlier, { rate: 1, sec: 1 }, 10_000).length, MAX_WINDOW_CALLS);
  });

  it('samples the arrivals over the window, weighted by each call’s span', () => {
    let e = emptyEstimates();
    e = updateEstimates(e, obs(1, { arrivalRatePerSec: 0 }), 0, 40);
    // 10 s at 0/s, then 30 s at 4/s: the window (40 s) holds 120 arrivals, 3/s; a 3/s rise on
    // λ = 0 is significant, so it is followed with the 10 s time constant.
    e = updateEstimates(e, obs(1, { arrivalRatePerSec: 0 }), 10_000, 40);
    e = updateEstimates(e, obs(1, { arrivalRatePerSec: 4 }), 40_000, 40);
    assert.equal(e.windowSec, 40);
    assert.deepEqual(e.calls, [
      { rate: 0, sec: 10 },
      { rate: 4, sec: 30 },
    ]);
    assert.ok(Math.abs(e.rate! - 3 * (1 - Math.exp(-3))) < 1e-9, String(e.rate));
  });

  it('samples the last call alone without a window (as before windows)', () => {
    let e = emptyEstimates();
    e = updateEstimates(e, obs(1, { arrivalRatePerSec: 0 }), 0);
    e = updateEstimates(e, obs(1, { arrivalRatePerSec: 0 }), 15_000);
    e = updateEstimates(e, obs(1, { arrivalRatePerSec: 4 }), 30_000);
    assert.equal(e.windowSec, 15);
    assert.ok(Math.abs(e.rate! - 4 * (1 - Math.exp(-1.5))) < 1e-9, String(e.rate));
  });
});
