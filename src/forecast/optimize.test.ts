import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { minimizeInBox } from './optimize.ts';

describe('minimizeInBox (bounded Nelder–Mead)', () => {
  it('finds the minimum of a smooth bowl inside the box', () => {
    const r = minimizeInBox((x) => (x[0]! - 0.3) ** 2 + 10 * (x[1]! - 0.7) ** 2, [0.5, 0.5], {
      lower: [0, 0],
      upper: [1, 1],
      maxEvaluations: 500,
      relativeTolerance: 1e-12,
    });
    assert.ok(Math.abs(r.x[0]! - 0.3) < 1e-3 && Math.abs(r.x[1]! - 0.7) < 1e-3, String(r.x));
  });

  it('stops on the boundary when the minimum lies outside the box', () => {
    const r = minimizeInBox((x) => (x[0]! - 5) ** 2, [0.5], { lower: [0], upper: [1] });
    assert.ok(Math.abs(r.x[0]! - 1) < 1e-6);
  });

  it('is deterministic', () => {
    const f = (x: readonly number[]): number => Math.abs(x[0]! - 0.2) + Math.abs(x[1]! + 0.1);
    const opts = { lower: [-1, -1], upper: [1, 1] };
    assert.deepEqual(minimizeInBox(f, [0, 0], opts), minimizeInBox(f, [0, 0], opts));
  });

  it('treats NaN as rejected and keeps going', () => {
    const r = minimizeInBox((x) => (x[0]! < 0.1 ? NaN : x[0]!), [0.5], { lower: [0], upper: [1] });
    assert.ok(r.x[0]! >= 0.1 && r.x[0]! < 0.15, String(r.x));
  });
});
