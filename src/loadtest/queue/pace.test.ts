import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { IterationOutcome, Target } from '../types.ts';
import { arrivalTimeS, Pacer } from './pace.ts';

/** An in-process target whose adds take `ms` and fail when `fail(i)` says so. */
function target(
  ms: number,
  fail: (i: number) => boolean = () => false,
): Target & { calls: number } {
  return {
    description: 'in-process',
    calls: 0,
    async iterate(): Promise<IterationOutcome> {
      const i = this.calls++;
      await sleep(ms);
      return fail(i) ? { ok: false, name: 'j', error: 'nack' } : { ok: true, name: 'j' };
    },
    async close() {},
  };
}

describe('arrivalTimeS', () => {
  const cases = [
    {
      name: 'constant 10/s: every 0.1 s',
      seg: { startPerS: 10, endPerS: 10, durationMs: 1000 },
      i: 3,
      want: 0.3,
    },
    {
      name: 'constant: none past the end',
      seg: { startPerS: 10, endPerS: 10, durationMs: 1000 },
      i: 10,
      want: undefined,
    },
    // 0 → 20/s over 1 s: N(t) = 10 t², so arrival 2.5 is due at 0.5 s
    {
      name: 'a ramp from 0 follows N(t) = r t² / 2D',
      seg: { startPerS: 0, endPerS: 20, durationMs: 1000 },
      i: 2.5,
      want: 0.5,
    },
    {
      name: 'a ramp down ends when it has none left',
      seg: { startPerS: 20, endPerS: 0, durationMs: 1000 },
      i: 11,
      want: undefined,
    },
    {
      name: 'a zero rate has no arrivals',
      seg: { startPerS: 0, endPerS: 0, durationMs: 1000 },
      i: 0,
      want: undefined,
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const t = arrivalTimeS(c.seg, c.i);
      if (c.want === undefined) assert.equal(t, undefined);
      else assert.ok(Math.abs(t! - c.want) < 1e-9, `${t}`);
    });
  }
});

describe('Pacer', () => {
  test('adds at the offered rate whatever each add takes (open loop), over the segment length', async () => {
    const slow = target(30);
    const pacer = new Pacer(slow, 100);
    const out = await pacer.run(
      { startPerS: 100, endPerS: 100, durationMs: 500 },
      new AbortController().signal,
    );
    assert.equal(out.added, 50);
    assert.equal(out.dropped, 0);
    const lengthMs = out.endedAt - out.startedAt;
    assert.ok(lengthMs >= 500 && lengthMs < 800, `${lengthMs} ms`);
    // 30 ms per add at 100/s: about 3 in flight.
    assert.ok(out.concurrency > 2 && out.concurrency < 4.5, `${out.concurrency}`);
    const fastest = Math.min(...out.latenciesMs);
    assert.ok(fastest >= 25, `fastest add ${fastest} ms`);
  });

  test('drops what is due beyond maxVUs in flight, and counts failures by class', async () => {
    const pacer = new Pacer(
      target(200, (i) => i % 2 === 1),
      2,
    );
    const out = await pacer.run(
      { startPerS: 50, endPerS: 50, durationMs: 200 },
      new AbortController().signal,
    );
    assert.equal(out.added + out.failed, 2);
    assert.equal(out.dropped, 8);
    assert.deepEqual(out.errors, { nack: 1 });
    assert.deepEqual(pacer.totals, { added: 1, failed: 1, dropped: 8 });
  });

  test('stops scheduling when aborted', async () => {
    const stop = new AbortController();
    setTimeout(() => stop.abort(), 100);
    const out = await new Pacer(target(1), 10).run(
      { startPerS: 100, endPerS: 100, durationMs: 5000 },
      stop.signal,
    );
    assert.ok(out.added >= 5 && out.added <= 15, `${out.added}`);
    assert.ok(out.endedAt - out.startedAt < 1000);
  });
});
