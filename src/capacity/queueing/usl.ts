/**
 * Gunther's Universal Scalability Law: throughput at concurrency N (users, threads, nodes) is
 * X(N) = λN / (1 + σ(N − 1) + κN(N − 1)). σ is contention (the serialised share, as in Amdahl's
 * law) and κ is coherency (pairwise crosstalk), which makes throughput peak and then fall.
 */
import { requireNonNegative, requirePositive, requireProbability } from './validate.ts';

/** The three USL coefficients. */
export interface UslParams {
  /** Throughput of one unit of concurrency with no overhead (X at N = 1), in throughput units. */
  lambda: number;
  /** Contention, 0..1 (dimensionless): the fraction of work that serialises. */
  sigma: number;
  /** Coherency, >= 0 (dimensionless): the cost of each pair of units keeping in step. */
  kappa: number;
}

/** One measurement or prediction: throughput at a concurrency. */
export interface UslPoint {
  /** Concurrency N (users, threads, nodes), > 0. */
  n: number;
  /** Throughput at N, in the caller's units (e.g. requests per second). */
  throughput: number;
}

/** Throws unless the coefficients are in range: λ > 0, 0 <= σ <= 1, κ >= 0. */
export function validateUslParams(params: UslParams): void {
  requirePositive('lambda', params.lambda);
  requireProbability('sigma', params.sigma);
  requireNonNegative('kappa', params.kappa);
}

/** Throughput X(N), in the units of λ, at concurrency `n` (>= 0). */
export function uslThroughput(params: UslParams, n: number): number {
  validateUslParams(params);
  requireNonNegative('n', n);
  const { lambda, sigma, kappa } = params;
  return (lambda * n) / (1 + sigma * (n - 1) + kappa * n * (n - 1));
}

/**
 * Where throughput peaks: N* = sqrt((1 − σ) / κ), never below 1, and X(N*). With κ = 0 the
 * curve only flattens, so N* is Infinity and the throughput is the ceiling λ/σ (Infinity when
 * σ is 0 too: linear scaling).
 */
export function uslPeak(params: UslParams): UslPoint {
  validateUslParams(params);
  const { lambda, sigma, kappa } = params;
  if (kappa === 0) return { n: Infinity, throughput: sigma === 0 ? Infinity : lambda / sigma };
  const n = Math.max(1, Math.sqrt((1 - sigma) / kappa));
  return { n, throughput: uslThroughput(params, n) };
}
