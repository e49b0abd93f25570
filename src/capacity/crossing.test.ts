import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { firstCrossing } from './crossing.ts';

describe('firstCrossing', () => {
  const DAY = 86_400_000;
  it('finds a linear crossing to within a minute', () => {
    const at = firstCrossing((t) => t / DAY, 37.25, 0, 400 * DAY);
    assert.ok(Math.abs(at! - 37.25 * DAY) <= 60_000, String(at));
  });
  it('returns the start when already reached', () => {
    assert.equal(
      firstCrossing(() => 5, 3, 1000, DAY),
      1000,
    );
  });
  it('returns undefined when not reached within the horizon', () => {
    assert.equal(
      firstCrossing((t) => t / DAY, 500, 0, 400 * DAY),
      undefined,
    );
  });
  it('treats an unknown value as not reached', () => {
    assert.equal(
      firstCrossing(() => undefined, 0, 0, DAY),
      undefined,
    );
  });
});
