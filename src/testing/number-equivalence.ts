/**
 * Test helpers for formulas compiled to number functions (`src/plan/number-function.ts`): what
 * one evaluation gave (a value, or the error it threw), whether two such outcomes are the same
 * within 1e-9 relative, and seeded random inputs that mix ordinary magnitudes with the values
 * that test the edges — zeros, negatives, equal values, NaN, ±Infinity and missing inputs.
 */
import { Rng } from '../simulate/rng.ts';

/** What one evaluation gave: its value, or the class and message of what it threw. */
export type Outcome = { value: number } | { error: string };

/** Runs `f` and records its value or its error. */
export function outcome(f: () => number): Outcome {
  try {
    return { value: f() };
  } catch (err) {
    const e = err as Error;
    return { error: `${e?.constructor?.name}: ${e?.message}` };
  }
}

/** True when two outcomes are the same error, or values equal within 1e-9 relative (NaN = NaN). */
export function sameOutcome(a: Outcome, b: Outcome): boolean {
  if ('error' in a || 'error' in b) return 'error' in a && 'error' in b && a.error === b.error;
  const [x, y] = [a.value, b.value];
  if (Number.isNaN(x) || Number.isNaN(y)) return Number.isNaN(x) && Number.isNaN(y);
  if (x === y) return true;
  return Math.abs(x - y) <= 1e-9 * Math.max(Math.abs(x), Math.abs(y));
}

/** Readable form of an outcome, for assertion messages. */
export function describeOutcome(o: Outcome): string {
  return 'error' in o ? `throws ${o.error}` : `= ${o.value}`;
}

/** Seeded input values: `next(keys)` gives one value (or none) per key. */
export class RandomInputs {
  private readonly rng: Rng;

  constructor(seed: number) {
    this.rng = new Rng(seed);
  }

  /** A number between 0 and 1. */
  private u(): number {
    return this.rng.uniform();
  }

  /** An ordinary positive magnitude, from 1e-3 to 1e12 (log-uniform). */
  private magnitude(): number {
    return 10 ** (-3 + 15 * this.u());
  }

  /**
   * One set of inputs. About half the sets are clean (every key an ordinary value, some equal to
   * another key's, or within 1e-13 of it); the others also hold zeros, negatives, NaN, ±Infinity
   * and missing keys.
   */
  next(keys: readonly string[]): Record<string, number | undefined> {
    const clean = this.u() < 0.5;
    const out: Record<string, number | undefined> = {};
    const chosen: number[] = [];
    for (const key of keys) {
      const v = clean ? this.ordinary(chosen) : this.edge(chosen);
      if (v !== undefined) chosen.push(v);
      if (v !== undefined || this.u() < 0.5) out[key] = v;
    }
    return out;
  }

  private ordinary(chosen: number[]): number {
    const r = this.u();
    if (chosen.length > 0 && r < 0.15) {
      const other = chosen[Math.floor(this.u() * chosen.length)]!;
      return this.u() < 0.5 ? other : other * (1 + 1e-13);
    }
    if (r < 0.25) return Math.round(this.u() * 20);
    return this.magnitude();
  }

  private edge(chosen: number[]): number | undefined {
    const r = this.u();
    if (r < 0.4) return this.ordinary(chosen);
    if (r < 0.5) return 0;
    if (r < 0.62) return -this.magnitude();
    if (r < 0.72) return NaN;
    if (r < 0.78) return Infinity;
    if (r < 0.84) return -Infinity;
    if (r < 0.9) return -Math.round(this.u() * 20);
    return undefined;
  }
}
