import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { backlogBound, rateBetween, type Sampled } from './sampler.ts';

const r = (atMs: number, backlog: number, addedSoFar: number, inHand = 0): Sampled => ({
  atMs,
  backlog,
  inHand,
  addedSoFar,
});

describe('backlogBound', () => {
  const cases: [string, number, number][] = [
    ['100 jobs before any completion rate is known', 0, 100],
    ['60 s of work at the best rate', 50, 3000],
    ['never more than 10,000 jobs', 1000, 10_000],
  ];
  for (const [name, rate, want] of cases) test(name, () => assert.equal(backlogBound(rate), want));
});

describe('rateBetween', () => {
  test('jobs added minus the growth of those waiting, per second', () => {
    assert.equal(rateBetween(r(0, 10, 0), r(2000, 30, 100)), 40);
  });

  test('jobs moving from waiting into workers’ hands count as taken', () => {
    assert.equal(rateBetween(r(0, 10, 0, 0), r(1000, 13, 50, 3)), 50);
  });

  test('unknown over too short a span', () => {
    assert.equal(rateBetween(r(0, 0, 0), r(100, 0, 5)), undefined);
  });
});
