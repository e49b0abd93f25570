/**
 * Forecasting speed on a long real series: fit('auto') + predict against fit('ols') + predict on
 * the same 10,000 points in the same process, interleaved, median of several runs.
 */
import { join } from 'node:path';
import { fit, type FitOptions, type Point } from '../../src/forecast/index.ts';
import { nowMs } from '../table.ts';
import type { SpeedResult } from './report.ts';
import { readCsv } from './series.ts';

const POINTS = 10_000;
const HORIZON = 288;
const RUNS = 5;
const FILE = 'nab/realTweets/Twitter_volume_AMZN.csv';

/** Milliseconds one fit + predict takes. */
function timeOnce(points: Point[], options: FitOptions): number {
  const start = nowMs();
  fit(points, options).predict(HORIZON, 0.8);
  return nowMs() - start;
}

/** Middle value of an odd-length list. */
function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

/** Times auto and OLS on the first 10,000 5-minute points of the AMZN tweet counts. */
export function measureSpeed(dataDir: string): SpeedResult {
  const points = readCsv(join(dataDir, FILE), 'timestamp', 'value')
    .slice(0, POINTS)
    .map(({ t, v }) => ({ t, v }));
  const auto: FitOptions = { model: 'auto' };
  const ols: FitOptions = { model: 'ols' };
  timeOnce(points, auto); // warm-up: JIT and lazy initialisation, not counted
  timeOnce(points, ols);
  const autoMs: number[] = [];
  const olsMs: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    olsMs.push(timeOnce(points, ols));
    autoMs.push(timeOnce(points, auto));
    console.error(
      `  speed run ${i + 1}: auto ${autoMs[i]?.toFixed(0)} ms, ols ${olsMs[i]?.toFixed(0)} ms`,
    );
  }
  return {
    what: `${POINTS.toLocaleString('en-US')} points (Twitter_volume_AMZN, 5 min), horizon ${HORIZON}`,
    autoMs: median(autoMs),
    olsMs: median(olsMs),
  };
}
