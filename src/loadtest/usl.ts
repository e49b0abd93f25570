/**
 * The Universal Scalability Law fitted to a load test's steps: each stage's mean concurrency
 * (iterations in flight) against the completions per second it achieved, through the capacity
 * model's own fit (`fitUsl`, least squares on throughput). Pure.
 */
import { fitUsl, USL_MIN_POINTS } from '../capacity/queueing/usl-fit.ts';
import { uslPeak, type UslParams, type UslPoint } from '../capacity/queueing/usl.ts';
import type { LoadTestReport, StageSummary } from './types.ts';

/** Fewest distinct concurrencies a fit needs: σ and κ cannot be told apart with fewer. */
export const USL_MIN_CONCURRENCIES = 3;

/** The USL points of the stages that had iterations in flight: n = mean concurrency, throughput = completions per second. */
export function stageUslPoints(stages: readonly StageSummary[]): UslPoint[] {
  return stages
    .filter((s) => s.concurrency > 0 && Number.isFinite(s.concurrency))
    .filter((s) => s.rate >= 0 && Number.isFinite(s.rate))
    .map((s) => ({ n: s.concurrency, throughput: s.rate }));
}

/**
 * σ, κ, λ (per second) fitted to the stages, the peak (JSON-safe: null where the curve has no
 * finite peak: κ = 0 leaves no peak concurrency, σ = κ = 0 no peak rate either) and r²; undefined with fewer than 6 points or 3 distinct concurrencies, or when
 * the fit cannot be made (no throughput at all).
 */
export function fitStepsUsl(stages: readonly StageSummary[]): LoadTestReport['usl'] | undefined {
  const points = stageUslPoints(stages);
  if (points.length < USL_MIN_POINTS) return undefined;
  if (new Set(points.map((p) => p.n)).size < USL_MIN_CONCURRENCIES) return undefined;
  try {
    const fit = fitUsl(points);
    const params = atBounds(fit.params, Math.max(...points.map((p) => p.n)));
    const peak = uslPeak(params);
    return {
      sigma: params.sigma,
      kappa: params.kappa,
      lambda: params.lambda,
      peak_concurrency: finiteOrNull(peak.n),
      peak_rate: finiteOrNull(peak.throughput),
      r2: fit.rSquared,
    };
  } catch {
    // fitUsl and uslPeak throw RangeError on data they cannot fit (every throughput 0).
    return undefined;
  }
}

/**
 * The fit leaves a coefficient at its bound of 0 as a rounding speck (κ = 7e-19 for Gunther's ray
 * tracer), which would put the peak at a billion in flight: a term worth less than a millionth
 * of the denominator at the largest measured concurrency is taken for 0.
 */
function atBounds(params: UslParams, nMax: number): UslParams {
  const negligible = 1e-6;
  return {
    lambda: params.lambda,
    sigma: params.sigma * Math.max(nMax - 1, 1) < negligible ? 0 : params.sigma,
    kappa: params.kappa * Math.max(nMax * (nMax - 1), 1) < negligible ? 0 : params.kappa,
  };
}

function finiteOrNull(v: number): number | null {
  return Number.isFinite(v) ? v : null;
}
