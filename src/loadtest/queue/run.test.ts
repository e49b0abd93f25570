import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { HeadroomError } from '../../errors.ts';
import { segmentsOf } from './run.ts';

describe('segmentsOf', () => {
  test('constant-arrival-rate: one segment, rate per time unit turned into per second', () => {
    assert.deepEqual(
      segmentsOf({
        executor: 'constant-arrival-rate',
        rate: 600,
        timeUnitMs: 60_000,
        durationMs: 5000,
        maxVUs: 10,
      }),
      [{ startPerS: 10, endPerS: 10, durationMs: 5000 }],
    );
  });

  test("ramping-arrival-rate: each stage ramps from the last one's target, as k6 does", () => {
    const segments = segmentsOf({
      executor: 'ramping-arrival-rate',
      startRate: 5,
      timeUnitMs: 1000,
      maxVUs: 10,
      stages: [
        { durationMs: 2000, target: 20 },
        { durationMs: 0, target: 40 },
        { durationMs: 1000, target: 40 },
      ],
    });
    assert.deepEqual(segments, [
      { startPerS: 5, endPerS: 20, durationMs: 2000 },
      { startPerS: 40, endPerS: 40, durationMs: 1000 },
    ]);
  });

  const closed = [
    { executor: 'constant-vus' as const, vus: 5, durationMs: 1000 },
    { executor: 'ramping-vus' as const, startVUs: 1, stages: [], gracefulRampDownMs: 0 },
  ];
  for (const executor of closed) {
    test(`refuses ${executor.executor}: a queue is loaded at an arrival rate`, () => {
      assert.throws(
        () => segmentsOf(executor),
        (e: unknown) =>
          e instanceof HeadroomError &&
          e.code === 'LOADTEST_CONFIG' &&
          /arrival rate/.test(e.message),
      );
    });
  }
});
