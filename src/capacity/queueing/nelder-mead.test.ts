import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nelderMead } from './nelder-mead.ts';

describe('nelderMead', () => {
  it('finds the Rosenbrock minimum at (1, 1)', () => {
    const rosenbrock = ([x, y]: readonly number[]) => 100 * (y! - x! ** 2) ** 2 + (1 - x!) ** 2;
    const r = nelderMead(rosenbrock, [-1.2, 1], { steps: [0.5, 0.5], maxIterations: 5000 });
    assert.ok(Math.abs(r.x[0]! - 1) < 1e-4 && Math.abs(r.x[1]! - 1) < 1e-4, String(r.x));
    assert.ok(r.value < 1e-8);
  });

  it('finds a shifted quadratic minimum in three dimensions', () => {
    const f = ([a, b, c]: readonly number[]) =>
      (a! - 3) ** 2 + 10 * (b! + 2) ** 2 + 0.1 * (c! - 0.5) ** 2;
    const r = nelderMead(f, [0, 0, 0], { steps: [1, 1, 1] });
    [3, -2, 0.5].forEach((want, i) =>
      assert.ok(Math.abs(r.x[i]! - want) < 1e-5, `${r.x[i]} vs ${want}`),
    );
  });

  it('treats Infinity as a wall and stays on the allowed side', () => {
    const f = ([x]: readonly number[]) => (x! < 0 ? Infinity : (x! - 2) ** 2);
    const r = nelderMead(f, [5], { steps: [1] });
    assert.ok(Math.abs(r.x[0]! - 2) < 1e-6);
  });

  it('stops at maxIterations', () => {
    const r = nelderMead(([x]) => x! ** 2, [100], { steps: [1], maxIterations: 3 });
    assert.equal(r.iterations, 3);
  });
});
