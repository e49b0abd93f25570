/**
 * Forecast accuracy on real series (NAB CloudWatch and tweet counts, NASA HTTP July 1995,
 * Wikipedia daily views; see `bench/data/README.md`): rolling-origin MASE, scaled by the
 * in-sample seasonal naive error, of headroom's automatic choice and of each of its models,
 * beside seasonal naive, OLS, Holt and statsmodels' ExponentialSmoothing on the same splits;
 * coverage of auto's 80 % intervals; and the time auto takes on 10,000 points against OLS.
 * statsmodels runs in one Debian python3 process, alongside the headroom fits.
 */
import { fileURLToPath } from 'node:url';
import {
  candidates,
  HARNESS_SEASONAL_NAIVE,
  type CandidateForecast,
} from './forecast/candidates.ts';
import {
  forecastSeries,
  scoreSeries,
  seasonalNaiveAgreement,
  type SeriesScore,
} from './forecast/evaluate.ts';
import { rollingOriginSplits } from './forecast/metrics.ts';
import { detailTable, leaderboardTable, mainRows } from './forecast/report.ts';
import { loadAllSeries } from './forecast/series.ts';
import { measureSpeed } from './forecast/speed.ts';
import { startStatsmodels } from './forecast/statsmodels.ts';
import { nowMs, renderTable } from './table.ts';

const DATA_DIR = fileURLToPath(new URL('./data/', import.meta.url));
/** Forecast origins per series: the last ORIGINS non-overlapping horizons. */
const ORIGINS = 3;
/** Interval level scored for coverage. */
const LEVEL = 0.8;

/** Lets pending I/O (the statsmodels child's pipes) run between synchronous fits. */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Scores every series, fits statsmodels alongside, measures speed, and renders the tables. */
export async function run(): Promise<string> {
  const started = nowMs();
  const series = loadAllSeries(DATA_DIR);
  const splitsBySeries = series.map((s) => rollingOriginSplits(s, ORIGINS));
  const sm = startStatsmodels(splitsBySeries.flat(), LEVEL);
  await sm.inputSent;
  const list = candidates();
  const forecasts: Map<string, CandidateForecast[]>[] = [];
  for (const [i, s] of series.entries()) {
    const t0 = nowMs();
    const splits = splitsBySeries[i] ?? [];
    forecasts.push(forecastSeries(splits, list, LEVEL));
    console.error(
      `  series ${i + 1}/${series.length} ${s.name}: ${splits.length} origins, ${((nowMs() - t0) / 1000).toFixed(1)} s`,
    );
    await yieldToEventLoop();
  }
  const smOutcome = await sm.outcome;
  if (smOutcome.ok)
    console.error(`  statsmodels ${smOutcome.version}: ${smOutcome.seconds.toFixed(0)} s`);
  const scores: SeriesScore[] = series.map((s, i) =>
    scoreSeries(s, splitsBySeries[i] ?? [], forecasts[i] ?? new Map(), smOutcome),
  );
  const agreement = seasonalNaiveAgreement(forecasts, 'seasonal-naive', HARNESS_SEASONAL_NAIVE);
  const speed = measureSpeed(DATA_DIR);
  const minutes = ((nowMs() - started) / 60_000).toFixed(1);
  const title = `Forecast accuracy: headroom auto vs baselines, rolling origin (${ORIGINS} origins per series, ${series.length} real series), MASE scaled by in-sample seasonal naive; ${minutes} min`;
  return [
    renderTable(title, mainRows(scores, smOutcome, LEVEL, speed, agreement)),
    leaderboardTable(scores),
    detailTable(scores),
  ].join('\n');
}
