import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ChoiceMemory, RECHOOSE_SHARE } from './choice-memory.ts';
import { fit } from './fit.ts';
import { synthetic } from './synthetic.ts';
import type { Model, Point } from './types.ts';

const HOUR = 3_600_000;

/** A seasonal, growing, noisy series of `n` hourly points from `start`. */
function series(n: number, start = Date.UTC(2026, 0, 1)): Point[] {
  return synthetic({ n, start, season: 24, amplitude: 15, slope: 0.05, noise: 3, seed: 7 });
}

function predictions(model: Model): number[] {
  return model.predict(48, 0.8).flatMap((p) => [p.value, p.lower, p.upper]);
}

describe('ChoiceMemory: model choices kept across fits', () => {
  it('a kept choice forecasts exactly as choosing afresh does when the choice is the same', () => {
    const choices = new ChoiceMemory();
    const memory = { choices, key: 'queue depth' };
    const first = series(24 * 20);
    fit(first, { memory });
    assert.equal(choices.size, 1);
    // An hour later: one more point, the window slid by one.
    const later = series(24 * 20 + 1).slice(1);
    const kept = fit(later, { memory });
    const fresh = fit(later);
    assert.equal(kept.name, fresh.name);
    assert.deepEqual(predictions(kept), predictions(fresh));
    assert.ok(
      kept.hygiene.notes.some((n) => n.startsWith(`kept ${kept.name}, chosen by backtest`)),
      kept.hygiene.notes.join('; '),
    );
    // The scores shown are the ones the choice was made by.
    assert.deepEqual(kept.selection, fit(first).selection);
  });

  it('chooses again once the series moved on by a share of its length, and keeps the new choice', () => {
    const choices = new ChoiceMemory();
    const memory = { choices, key: 'k' };
    const n = 24 * 20;
    fit(series(n), { memory });
    const moved = Math.ceil(RECHOOSE_SHARE * n) + 1;
    const later = series(n + moved).slice(moved);
    const again = fit(later, { memory });
    assert.ok(!again.hygiene.notes.some((x) => x.startsWith('kept')), again.hygiene.notes.join());
    assert.deepEqual(again.selection, fit(later).selection);
    // The new choice is the one kept next.
    const next = fit(series(n + moved + 1).slice(moved + 1), { memory });
    assert.ok(next.hygiene.notes.some((x) => x.startsWith('kept')));
  });

  it('chooses again when the grid step changed or a kept model no longer suits the series', () => {
    const choices = new ChoiceMemory();
    const memory = { choices, key: 'k' };
    const hourly = series(24 * 20);
    const first = fit(hourly, { memory });
    assert.match(first.name, /holt-winters-multiplicative/);
    // The same times every 2 hours: another step.
    const coarse = fit(
      hourly.filter((_, i) => i % 2 === 0),
      { memory },
    );
    assert.ok(!coarse.hygiene.notes.some((x) => x.startsWith('kept')));
    // Values at or below zero rule out the multiplicative season that was chosen.
    fit(hourly, { memory });
    const shifted = hourly.map((p) => ({ t: p.t, v: p.v - 200 }));
    const refit = fit(shifted, { memory });
    assert.doesNotMatch(refit.name, /multiplicative/);
    assert.deepEqual(refit.selection, fit(shifted).selection);
  });

  it('is only used by automatic fits, and keys keep their choices apart', () => {
    const choices = new ChoiceMemory();
    fit(series(24 * 20), { model: 'ols', memory: { choices, key: 'a' } });
    assert.equal(choices.size, 0);
    fit(series(24 * 20), { memory: { choices, key: 'a' } });
    const other = fit(
      series(24 * 20).map((p) => ({ t: p.t, v: 5 + p.t / HOUR / 1e4 })),
      {
        memory: { choices, key: 'b' },
      },
    );
    assert.equal(choices.size, 2);
    assert.ok(!other.hygiene.notes.some((x) => x.startsWith('kept')));
  });

  it('forgets the least recently used series beyond its capacity', () => {
    const choices = new ChoiceMemory(2);
    const points = series(24 * 10);
    for (const key of ['a', 'b']) fit(points, { memory: { choices, key } });
    fit(points, { memory: { choices, key: 'a' } }); // a is now the most recent
    fit(points, { memory: { choices, key: 'c' } });
    assert.equal(choices.size, 2);
    const kept = (key: string) =>
      fit(points, { memory: { choices, key } }).hygiene.notes.some((x) => x.startsWith('kept'));
    assert.equal(kept('a'), true);
    assert.equal(kept('b'), false);
  });
});
