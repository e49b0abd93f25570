/**
 * Deterministic synthetic series for the forecast tests and benchmarks: a line, a sine season and
 * Gaussian noise from a seeded generator, so a failing case replays exactly.
 */
import { parseSeries } from '../testing/series.ts';
import type { Point } from './types.ts';

/** A seeded uniform generator on [0, 1) (mulberry32). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A standard normal draw from a uniform generator (Box–Muller). */
export function gaussian(random: () => number): number {
  const u = Math.max(random(), 1e-300);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

/** Shape of a synthetic series; every value is in series units per step unless noted. */
export interface SyntheticOptions {
  /** Number of points. */
  n: number;
  /** Step between points, ms (default 1 hour). */
  stepMs?: number;
  /** Time of the first point, epoch ms (default 2024-01-01T00:00Z). */
  start?: number;
  /** Value at the first point (default 100). */
  level?: number;
  /** Growth per step (default 0). */
  slope?: number;
  /** Season length in steps (default 0: none). */
  season?: number;
  /** Half the peak-to-trough swing of the sine season (default 10). */
  amplitude?: number;
  /** Standard deviation of the Gaussian noise (default 0). */
  noise?: number;
  /** Seed of the noise (default 1). */
  seed?: number;
}

/** Default start of synthetic series: 2024-01-01T00:00:00Z, in epoch ms. */
export const SYNTHETIC_START = Date.UTC(2024, 0, 1);

/** The value of the noise-free series at step i. */
export function syntheticValue(options: SyntheticOptions, i: number): number {
  const { level = 100, slope = 0, season = 0, amplitude = 10 } = options;
  const wave = season > 0 ? amplitude * Math.sin((2 * Math.PI * i) / season) : 0;
  return level + slope * i + wave;
}

/** Points of a synthetic series: line + season + noise. */
export function synthetic(options: SyntheticOptions): Point[] {
  const { n, stepMs = 3_600_000, start = SYNTHETIC_START, noise = 0, seed = 1 } = options;
  const random = seededRandom(seed);
  return Array.from({ length: n }, (_, i) => ({
    t: start + i * stepMs,
    v: syntheticValue(options, i) + noise * gaussian(random),
  }));
}

/** Points from Prometheus series notation (`1 2 _ 4x3`), one per step; `_` leaves a gap. */
export function pointsFromNotation(
  text: string,
  stepMs = 60_000,
  start = SYNTHETIC_START,
): Point[] {
  const points: Point[] = [];
  parseSeries(text).forEach((v, i) => {
    if (v !== undefined) points.push({ t: start + i * stepMs, v });
  });
  return points;
}
