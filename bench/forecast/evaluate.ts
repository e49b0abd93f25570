/**
 * Scores every candidate on every split of every series and folds the results into one score
 * per series and candidate: MASE averaged over origins, pooled interval coverage, the models
 * headroom's automatic choice picked, and every error met.
 */
import type { Candidate, CandidateForecast } from './candidates.ts';
import {
  addCoverage,
  coverage,
  geometricMean,
  mase,
  mean,
  type Coverage,
  type Split,
} from './metrics.ts';
import type { GridSeries } from './series.ts';
import { jobId, type StatsmodelsOutcome } from './statsmodels.ts';

/** Label of the statsmodels baseline in the tables. */
export const STATSMODELS = 'statsmodels ETS';

/** One candidate on one series. */
export interface CandidateScore {
  /** MASE averaged over the origins; NaN if any origin failed. */
  mase: number;
  /** Held-out points inside the candidate's interval, over all origins (if it gives one). */
  coverage?: Coverage;
  /** `Model.name` per origin (headroom candidates). */
  chosen: string[];
  /** Errors met, per origin that failed. */
  errors: string[];
  /** Notes, e.g. statsmodels not converging. */
  notes: string[];
}

/** Every candidate's score on one series. */
export interface SeriesScore {
  /** The series scored. */
  series: GridSeries;
  /** Origins scored. */
  origins: number;
  /** Score per candidate label. */
  byCandidate: Map<string, CandidateScore>;
}

/** Empty score to fill origin by origin. */
function emptyScore(): CandidateScore & { perOrigin: number[] } {
  return { mase: NaN, chosen: [], errors: [], notes: [], perOrigin: [] };
}

/** Adds one forecast of one split to a candidate's running score. */
function addForecast(
  score: CandidateScore & { perOrigin: number[] },
  split: Split,
  f: CandidateForecast,
): void {
  if (f.chosen !== undefined) score.chosen.push(f.chosen);
  if (f.error !== undefined || f.values.length !== split.test.length) {
    score.errors.push(f.error ?? `${f.values.length} forecasts for ${split.test.length} steps`);
    score.perOrigin.push(NaN);
    return;
  }
  score.perOrigin.push(mase(split, f.values));
  if (f.lower && f.upper) {
    const c = coverage(split, f.lower, f.upper);
    score.coverage = score.coverage ? addCoverage(score.coverage, c) : c;
  }
}

/** The statsmodels result of one split as a candidate forecast. */
function statsmodelsForecast(sm: StatsmodelsOutcome, split: Split): CandidateForecast {
  if (!sm.ok) return { values: [], error: sm.reason };
  const r = sm.byId.get(jobId(split));
  if (r === undefined) return { values: [], error: 'no result' };
  if (r.error !== undefined) return { values: [], error: r.error };
  return { values: r.forecast ?? [], lower: r.lower, upper: r.upper };
}

/** Forecasts every split of one series with every headroom-side candidate. */
export function forecastSeries(
  splits: Split[],
  list: Candidate[],
  level: number,
): Map<string, CandidateForecast[]> {
  const out = new Map<string, CandidateForecast[]>();
  for (const c of list)
    out.set(
      c.label,
      splits.map((s) => c.forecast(s, level)),
    );
  return out;
}

/** Scores one series from its forecasts and the statsmodels outcome. */
export function scoreSeries(
  series: GridSeries,
  splits: Split[],
  forecasts: Map<string, CandidateForecast[]>,
  sm: StatsmodelsOutcome,
): SeriesScore {
  const byCandidate = new Map<string, CandidateScore>();
  const all = new Map(forecasts);
  all.set(
    STATSMODELS,
    splits.map((s) => statsmodelsForecast(sm, s)),
  );
  for (const [label, list] of all) {
    const score = emptyScore();
    splits.forEach((split, i) => addForecast(score, split, list[i] ?? { values: [] }));
    score.mase = mean(score.perOrigin);
    byCandidate.set(label, { ...score });
  }
  const smScore = byCandidate.get(STATSMODELS);
  if (sm.ok && smScore) {
    for (const s of splits) {
      const r = sm.byId.get(jobId(s));
      if (r && r.error === undefined && r.converged === false) smScore.notes.push('not converged');
      if (r && r.error === undefined && r.seasonal === false) smScore.notes.push('no season');
    }
  }
  return { series, origins: splits.length, byCandidate };
}

/** How often headroom's seasonal-naive forecast equals the harness's, split by split. */
export interface Agreement {
  /** Splits where every forecast value is equal (to 1e-9 relative). */
  identical: number;
  /** Splits scored. */
  total: number;
  /** Splits where headroom's hygiene changed nothing, so both must be equal. */
  clean: number;
  /** Clean splits where they are equal. */
  cleanIdentical: number;
}

/** Compares headroom's seasonal-naive with the harness's own on every split of every series. */
export function seasonalNaiveAgreement(
  forecasts: Map<string, CandidateForecast[]>[],
  headroomLabel: string,
  harnessLabel: string,
): Agreement {
  const out: Agreement = { identical: 0, total: 0, clean: 0, cleanIdentical: 0 };
  for (const bySeries of forecasts) {
    const harness = bySeries.get(harnessLabel) ?? [];
    (bySeries.get(headroomLabel) ?? []).forEach((f, i) => {
      const h = harness[i]?.values ?? [];
      const same =
        f.values.length === h.length &&
        f.values.every((v, j) => Math.abs(v - (h[j] as number)) <= 1e-9 * Math.max(1, Math.abs(v)));
      out.total += 1;
      if (same) out.identical += 1;
      if (f.repairs === 0) {
        out.clean += 1;
        if (same) out.cleanIdentical += 1;
      }
    });
  }
  return out;
}

/** A geometric-mean comparison of two candidates over the series both were scored on. */
export interface Comparison {
  /** Geometric mean of the candidate's per-series MASE. */
  value: number;
  /** Geometric mean of the baseline's per-series MASE (same series). */
  baseline: number;
  /** value / baseline = geometric mean over series of (candidate MASE / baseline MASE). */
  ratio: number;
  /** Series compared. */
  series: number;
  /** Series left out because the baseline has no score on them. */
  skipped: number;
}

/** Compares `label` with `baselineLabel`; series where the baseline failed are left out. */
export function compare(scores: SeriesScore[], label: string, baselineLabel: string): Comparison {
  const pairs = scores
    .map((s) => [
      s.byCandidate.get(label)?.mase ?? NaN,
      s.byCandidate.get(baselineLabel)?.mase ?? NaN,
    ])
    .filter(([, b]) => Number.isFinite(b) && (b as number) > 0) as [number, number][];
  const value = geometricMean(pairs.map(([a]) => a));
  const baseline = geometricMean(pairs.map(([, b]) => b));
  return {
    value,
    baseline,
    ratio: value / baseline,
    series: pairs.length,
    skipped: scores.length - pairs.length,
  };
}

/** Coverage of `label`'s intervals pooled over every series and origin. */
export function pooledCoverage(scores: SeriesScore[], label: string): Coverage {
  return scores.reduce<Coverage>(
    (sum, s) => {
      const c = s.byCandidate.get(label)?.coverage;
      return c ? addCoverage(sum, c) : sum;
    },
    { inside: 0, total: 0 },
  );
}
