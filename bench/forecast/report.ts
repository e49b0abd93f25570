/**
 * The forecasting benchmark's tables: the goal rows (via `renderTable`), a leaderboard of every
 * candidate, and one line per series with every candidate's MASE and what auto chose.
 */
import type { BenchRow } from '../table.ts';
import {
  AUTO,
  AUTO_WITH_SEASON,
  HARNESS_LINEAR_TREND,
  HARNESS_SEASONAL_NAIVE,
  HEADROOM_MODELS,
} from './candidates.ts';
import {
  compare,
  pooledCoverage,
  STATSMODELS,
  type Agreement,
  type SeriesScore,
} from './evaluate.ts';
import type { StatsmodelsOutcome } from './statsmodels.ts';

/** The acceptance goals of the forecasting issue. */
export const GOALS = {
  /** Highest geometric-mean MASE ratio of auto against statsmodels. */
  vsStatsmodels: 0.95,
  /** Highest ratio against seasonal naive. */
  vsSeasonalNaive: 0.75,
  /** Highest ratio against OLS. */
  vsOls: 0.65,
  /** Ratio against Holt must be below this. */
  vsHolt: 1,
  /** Interval coverage band at the 80 % level, in %. */
  coverageLowPct: 75,
  /** Upper end of the coverage band, in %. */
  coverageHighPct: 85,
};

/** Auto's timing against OLS on one long series. */
export interface SpeedResult {
  /** What was timed, for the row name. */
  what: string;
  /** Median ms of fit('auto') + predict. */
  autoMs: number;
  /** Median ms of fit('ols') + predict. */
  olsMs: number;
}

/** One goal row comparing auto's MASE with a baseline's. */
function ratioRow(
  scores: SeriesScore[],
  baseline: { label: string; title: string },
  goal: number,
  strict: boolean,
): BenchRow {
  const c = compare(scores, AUTO, baseline.label);
  const met = strict ? c.ratio < goal : c.ratio <= goal;
  const skipped = c.skipped > 0 ? `; ${c.skipped} series without a baseline score left out` : '';
  return {
    name: `MASE, auto vs ${baseline.title} (geomean over ${c.series} series${skipped})`,
    value: c.value,
    baseline: c.baseline,
    unit: 'MASE',
    goal: { text: strict ? `ratio < ${goal} (ahead)` : `ratio ≤ ${goal}`, met },
  };
}

/** The statsmodels goal row, or a failing row saying why statsmodels did not run. */
function statsmodelsRow(scores: SeriesScore[], sm: StatsmodelsOutcome): BenchRow {
  const title = "statsmodels ExponentialSmoothing (damped add. trend, add. season m, 'estimated')";
  if (sm.ok) return ratioRow(scores, { label: STATSMODELS, title }, GOALS.vsStatsmodels, false);
  return {
    name: sm.missing
      ? `statsmodels missing: apt-get install python3-statsmodels (${sm.reason})`
      : `statsmodels failed (${sm.reason})`,
    value: NaN,
    baseline: NaN,
    unit: 'MASE',
    goal: { text: `ratio ≤ ${GOALS.vsStatsmodels}`, met: false },
  };
}

/** Auto's interval coverage pooled over every held-out point, against the nominal level. */
function coverageRow(scores: SeriesScore[], level: number): BenchRow {
  const cov = pooledCoverage(scores, AUTO);
  const pct = cov.total === 0 ? NaN : (100 * cov.inside) / cov.total;
  return {
    name: `${level * 100} % interval coverage, auto (${cov.inside} of ${cov.total} held-out points)`,
    value: pct,
    baseline: level * 100,
    unit: '%',
    goal: {
      text: `${GOALS.coverageLowPct}–${GOALS.coverageHighPct} %`,
      met: pct >= GOALS.coverageLowPct && pct <= GOALS.coverageHighPct,
    },
  };
}

/** The seasonal naive sanity row: headroom's and the harness's must agree where nothing was clipped. */
function sanityRow(agreement: Agreement): BenchRow {
  return {
    name: `sanity: headroom seasonal-naive forecasts equal to the harness's own, on splits where headroom's hygiene changed nothing (identical on ${agreement.identical} of all ${agreement.total} splits; elsewhere headroom fits outlier-clipped values)`,
    value: agreement.cleanIdentical,
    baseline: agreement.clean,
    unit: 'splits',
    goal: {
      text: 'all identical',
      met: agreement.clean > 0 && agreement.cleanIdentical === agreement.clean,
    },
  };
}

/** The goal rows: MASE ratios, coverage, the seasonal naive sanity check, and speed. */
export function mainRows(
  scores: SeriesScore[],
  sm: StatsmodelsOutcome,
  level: number,
  speed: SpeedResult,
  agreement: Agreement,
): BenchRow[] {
  return [
    statsmodelsRow(scores, sm),
    ratioRow(
      scores,
      { label: HARNESS_SEASONAL_NAIVE, title: 'seasonal naive (harness)' },
      GOALS.vsSeasonalNaive,
      false,
    ),
    ratioRow(scores, { label: 'ols', title: "OLS (headroom 'ols')" }, GOALS.vsOls, false),
    ratioRow(
      scores,
      { label: 'holt-damped', title: "Holt (headroom 'holt-damped')" },
      GOALS.vsHolt,
      true,
    ),
    coverageRow(scores, level),
    sanityRow(agreement),
    {
      name: `speed: ${speed.what}, fit auto + predict vs fit ols + predict (median)`,
      value: speed.autoMs,
      baseline: speed.olsMs,
      unit: 'ms',
    },
  ];
}

/** Every candidate's label, in table order. */
function labels(): string[] {
  return [
    AUTO,
    AUTO_WITH_SEASON,
    ...HEADROOM_MODELS,
    HARNESS_SEASONAL_NAIVE,
    HARNESS_LINEAR_TREND,
    STATSMODELS,
  ];
}

/** Formats a MASE or ratio for a table cell. */
function num(x: number): string {
  return Number.isFinite(x) ? x.toFixed(3) : '—';
}

/** Every candidate's geometric-mean MASE and its ratio against the main baselines. */
export function leaderboardTable(scores: SeriesScore[]): string {
  const baselines = [STATSMODELS, HARNESS_SEASONAL_NAIVE, 'seasonal-naive', 'ols', 'holt-damped'];
  const lines = [
    '#### MASE per candidate (geometric mean over series; ratio = geomean of per-series ratios)',
    '',
    `| candidate | MASE | ${baselines.map((b) => `÷ ${b}`).join(' | ')} | failed origins |`,
    `|---|---:|${baselines.map(() => '---:').join('|')}|---:|`,
  ];
  for (const label of labels()) {
    const own = compare(scores, label, label);
    const failed = scores.reduce((n, s) => n + (s.byCandidate.get(label)?.errors.length ?? 0), 0);
    const ratios = baselines.map((b) => num(compare(scores, label, b).ratio));
    lines.push(`| ${label} | ${num(own.value)} | ${ratios.join(' | ')} | ${failed} |`);
  }
  return [...lines, ''].join('\n');
}

const SHORT_NAMES: Record<string, string> = {
  'seasonal-naive': 'snaive',
  'holt-damped': 'holt',
  'holt-winters-additive': 'hw-add',
  'holt-winters-multiplicative': 'hw-mult',
};

/** Short model name; a combination's members sorted, e.g. `mean(hw-add, snaive)`. */
function shortModelName(name: string): string {
  const combo = /^combination\((.*)\)$/.exec(name);
  if (!combo) return SHORT_NAMES[name] ?? name;
  const members = (combo[1] ?? '').split(',').map((m) => shortModelName(m.trim()));
  return `mean(${members.sort().join(', ')})`;
}

/** Compact per-origin list of the models auto chose, e.g. `holt ×2, ols`. */
function chosenSummary(chosen: string[]): string {
  const counts = new Map<string, number>();
  for (const c of chosen.map(shortModelName)) counts.set(c, (counts.get(c) ?? 0) + 1);
  return [...counts].map(([name, n]) => (n > 1 ? `${name} ×${n}` : name)).join(', ');
}

/** Counts repeated notes, e.g. `not converged ×3`. */
function countSummary(notes: string[]): string {
  const counts = new Map<string, number>();
  for (const n of notes) counts.set(n, (counts.get(n) ?? 0) + 1);
  return [...counts].map(([note, n]) => (n > 1 ? `${note} ×${n}` : note)).join(', ');
}

/** Coverage of one candidate on one series as a percentage cell. */
function coverageCell(score: SeriesScore, label: string): string {
  const c = score.byCandidate.get(label)?.coverage;
  return c && c.total > 0 ? `${((100 * c.inside) / c.total).toFixed(0)} %` : '—';
}

/** One line per series: every candidate's MASE, auto's choices, coverage and notes. */
export function detailTable(scores: SeriesScore[]): string {
  const cols = labels();
  const lines = [
    '#### MASE per series (mean over origins; lower is better; best per row in bold; auto chose: snaive = seasonal-naive, holt = holt-damped, hw = holt-winters, mean(…) = combination)',
    '',
    `| series | step, m, h × origins | ${cols.join(' | ')} | auto ÷ statsmodels | auto cover | statsmodels cover | auto chose | notes |`,
    `|---|---|${cols.map(() => '---:').join('|')}|---:|---:|---:|---|---|`,
  ];
  for (const s of scores) {
    const values = cols.map((c) => s.byCandidate.get(c)?.mase ?? NaN);
    const best = Math.min(...values.filter(Number.isFinite));
    const cells = values.map((v) => (v === best ? `**${num(v)}**` : num(v)));
    const ratio = (values[0] as number) / (s.byCandidate.get(STATSMODELS)?.mase ?? NaN);
    const notes = cols.flatMap((c) => {
      const sc = s.byCandidate.get(c);
      const errs = sc?.errors.length ? [`${c}: ${sc.errors.length} failed (${sc.errors[0]})`] : [];
      return [...errs, ...(sc?.notes.length ? [`${c}: ${countSummary(sc.notes)}`] : [])];
    });
    const stepMin = s.series.stepMs / 60_000;
    const step =
      stepMin >= 1440
        ? `${stepMin / 1440} d`
        : stepMin >= 60
          ? `${stepMin / 60} h`
          : `${stepMin} min`;
    lines.push(
      `| ${s.series.name} | ${step}, ${s.series.seasonLength}, ${s.series.horizon} × ${s.origins} | ${cells.join(' | ')} | ${num(ratio)} | ${coverageCell(s, AUTO)} | ${coverageCell(s, STATSMODELS)} | ${chosenSummary(s.byCandidate.get(AUTO)?.chosen ?? [])} | ${notes.join('; ').replace(/[|\n]/g, ' ')} |`,
    );
  }
  return [...lines, ''].join('\n');
}
