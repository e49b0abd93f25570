/**
 * Model choices remembered across fits of the same series. Choosing a model fits every candidate
 * and backtests each from up to 60 origins — most of a fit's cost — while `serve` rebuilds its
 * roadmap every minute over a history that moved by a minute. A memory keeps, per series key
 * (a trigger, a resource, a driver), which model (or mean of models) won, with its season and
 * scores; a later `fit` with the same key fits and backtests only that choice (its parameters
 * and intervals are still fitted to the series as it is now) until the series has moved on by
 * `RECHOOSE_SHARE` of its length or by `RECHOOSE_AFTER_MS`, whichever comes first, or its grid
 * step changed, or a chosen model no longer suits it. Then the choice is made again.
 *
 * A caller that fits in rounds (a roadmap rebuild fits every series once) starts each with
 * `newRound()`; a round then makes again at most `RECHOICE_ROUND_SHARE` of the remembered
 * choices that are due by age (at least `MIN_RECHOICES_PER_ROUND`), so choices made together —
 * all of them, at the first rebuild — do not all fall due in the same later rebuild. The others
 * stay in use, noted as due, until a later round has room; a changed step or a model that no
 * longer suits is never deferred.
 */
import type { ModelChoice, ModelChoices, RegularSeries } from './types.ts';

/** Share of a series' cells that new data must cover before its model is chosen again. */
export const RECHOOSE_SHARE = 0.1;

/** Longest time a choice is kept (series time: the newest cell's), ms. */
export const RECHOOSE_AFTER_MS = 86_400_000;

/** Most series one memory holds; the least recently used are forgotten first. */
export const MEMORY_CAPACITY = 20_000;

/** Share of the remembered choices that one round may make again because they are due. */
export const RECHOICE_ROUND_SHARE = 0.1;

/** Choices due that one round may make again, however few are remembered. */
export const MIN_RECHOICES_PER_ROUND = 50;

/** A remembered choice as `recall` gives it. */
export interface RecalledChoice extends ModelChoice {
  /** Time of the series' newest cell when the choice was made. */
  chosenAt: number;
  /** True when the choice is due to be made again and waits for a round with room. */
  due: boolean;
}

interface Entry extends ModelChoice {
  stepMs: number;
  /** Time of the series' newest cell when the choice was made. */
  chosenAt: number;
  /** Cells the series had then. */
  cells: number;
}

/** Where `fit` keeps and finds model choices; one per long-lived caller (a serve loop's thread). */
export class ChoiceMemory implements ModelChoices {
  private readonly entries = new Map<string, Entry>();
  /** Choices due that this round may still make again; no limit outside rounds. */
  private rechoices = Infinity;

  constructor(private readonly capacity = MEMORY_CAPACITY) {}

  /** How many series have a remembered choice. */
  get size(): number {
    return this.entries.size;
  }

  /** Starts a round of fits: from now on, only so many due choices are made again (the module). */
  newRound(): void {
    this.rechoices = Math.max(
      MIN_RECHOICES_PER_ROUND,
      Math.ceil(RECHOICE_ROUND_SHARE * this.entries.size),
    );
  }

  /** The choice remembered for `key`, when it may still stand for `series` (see the module). */
  recall(key: string, series: RegularSeries): RecalledChoice | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    // The grid of a window that slid by less than a step may end a step earlier: either way
    // counts as moving.
    const moved = Math.abs(
      series.start + (series.values.length - 1) * series.stepMs - entry.chosenAt,
    );
    const limit = Math.min(RECHOOSE_AFTER_MS, RECHOOSE_SHARE * entry.cells * entry.stepMs);
    const due = !(moved < Math.max(limit, 2 * entry.stepMs));
    if (series.stepMs !== entry.stepMs || (due && this.rechoices > 0)) {
      if (due) this.rechoices--;
      this.entries.delete(key);
      return undefined;
    }
    // Most recently used last: the first entry is the one to forget.
    this.entries.delete(key);
    this.entries.set(key, entry);
    return { ...entry, due };
  }

  /** Remembers the choice just made for `key` on `series`. */
  remember(key: string, series: RegularSeries, choice: ModelChoice): void {
    const cells = series.values.length;
    this.entries.delete(key);
    this.entries.set(key, {
      members: [...choice.members],
      season: choice.season,
      scores: choice.scores.map((s) => ({ ...s })),
      stepMs: series.stepMs,
      chosenAt: series.start + (cells - 1) * series.stepMs,
      cells,
    });
    while (this.entries.size > this.capacity) {
      this.entries.delete(this.entries.keys().next().value as string);
    }
  }

  /** Forgets the choice for `key` (a chosen model that no longer suits the series). */
  forget(key: string): void {
    this.entries.delete(key);
  }
}
