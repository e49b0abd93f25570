import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  ChoiceMemory,
  MIN_RECHOICES_PER_ROUND,
  RECHOICE_ROUND_SHARE,
  RECHOOSE_AFTER_MS,
  RECHOOSE_SHARE,
} from './choice-memory.ts';
import { fit } from './fit.ts';
import { synthetic } from './synthetic.ts';
import type { Model, ModelChoice, Point, RegularSeries } from './types.ts';

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

  it('a round makes again only a share of the choices due; the rest wait, noted as due', () => {
    const choices = new ChoiceMemory();
    const keys = Array.from({ length: 1_000 }, (_, i) => `series ${i}`);
    const choice: ModelChoice = { members: ['ols'], season: 24, scores: [] };
    const t0 = Date.UTC(2026, 0, 1);
    for (const key of keys) choices.remember(key, grid(t0, 24 * 30), choice);
    // Outside rounds every due choice is made again at once.
    const unlimited = new ChoiceMemory();
    unlimited.remember('a', grid(t0, 24 * 30), choice);
    assert.equal(unlimited.recall('a', grid(t0 + 2 * RECHOOSE_AFTER_MS, 24 * 30)), undefined);
    // A day and more later every choice is due; each round makes again a tenth of them.
    const later = grid(t0 + RECHOOSE_AFTER_MS + 2 * HOUR, 24 * 30);
    const perRound = Math.max(MIN_RECHOICES_PER_ROUND, Math.ceil(RECHOICE_ROUND_SHARE * 1_000));
    let rounds = 0;
    const remade = new Set<string>();
    while (remade.size < keys.length) {
      choices.newRound();
      rounds++;
      let thisRound = 0;
      for (const key of keys) {
        const kept = choices.recall(key, later);
        if (kept === undefined) {
          assert.ok(!remade.has(key), key);
          thisRound++;
          remade.add(key);
          choices.remember(key, later, choice);
        } else assert.equal(kept.due, !remade.has(key), key);
      }
      assert.equal(thisRound, Math.min(perRound, keys.length - (remade.size - thisRound)));
      assert.ok(rounds <= keys.length / perRound, `${remade.size} made again in ${rounds} rounds`);
    }
    // A changed step is never deferred, however many were made again this round.
    const coarse = grid(t0 + 2 * RECHOOSE_AFTER_MS, 24 * 30, 2 * HOUR);
    assert.equal(choices.recall(keys[0]!, coarse), undefined);
    assert.equal(choices.recall(keys[1]!, coarse), undefined);
  });

  it('a deferred choice says so in the forecast notes', () => {
    const choices = new ChoiceMemory();
    const n = 24 * 20;
    const keys = Array.from({ length: MIN_RECHOICES_PER_ROUND + 1 }, (_, i) => `k${i}`);
    const first = series(n);
    for (const key of keys)
      choices.remember(key, grid(first[0]!.t, n), {
        members: ['ols'],
        season: 24,
        scores: [],
      });
    choices.newRound();
    const moved = Math.ceil(RECHOOSE_SHARE * n) + 1;
    const later = series(n + moved).slice(moved);
    for (const key of keys.slice(0, -1)) {
      assert.equal(choices.recall(key, grid(later[0]!.t, n)), undefined);
    }
    const deferred = fit(later, { memory: { choices, key: keys.at(-1)! } });
    assert.ok(
      deferred.hygiene.notes.some(
        (x) => x.startsWith('kept ols') && x.endsWith('(due to be chosen again)'),
      ),
      deferred.hygiene.notes.join('; '),
    );
  });
});

/** A grid of `cells` zeros from `start` (what a choice is remembered and recalled by). */
function grid(start: number, cells: number, stepMs = HOUR): RegularSeries {
  return {
    start,
    stepMs,
    values: new Array<number>(cells).fill(0),
    report: { notes: [] } as unknown as RegularSeries['report'],
  };
}
