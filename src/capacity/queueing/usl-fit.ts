/**
 * Fitting the Universal Scalability Law to measurements by least squares on throughput, with
 * σ, κ >= 0 (σ <= 1) and λ > 0. For fixed σ and κ the model is linear in λ, so λ has a closed
 * form and only σ and κ are searched (variable projection). The search starts from Gunther's
 * linearisation, N/C(N) − 1 = σ(N − 1) + κN(N − 1) with C(N) = X(N)/λ̂, and from linear
 * scaling, then refines with Nelder–Mead.
 */
import { nelderMead } from './nelder-mead.ts';
import type { UslParams, UslPoint } from './usl.ts';

/** Fewest measurements `fitUsl` accepts: three coefficients need slack to be told apart. */
export const USL_MIN_POINTS = 6;

/** A fitted USL model and how well it explains the measurements. */
export interface UslFit {
  /** The fitted coefficients. */
  params: UslParams;
  /** Coefficient of determination, 1 − SSres/SStot (1 is a perfect fit). */
  rSquared: number;
  /** Measured minus fitted throughput, per point in input order, in throughput units. */
  residuals: number[];
}

/** Least-squares USL coefficients for at least six (n, throughput) measurements. */
export function fitUsl(points: readonly UslPoint[]): UslFit {
  validatePoints(points);
  const nMax = Math.max(...points.map((p) => p.n));
  // Search in scaled coordinates: u² and v² are the contention and coherency terms at nMax.
  const sigmaScale = Math.max(nMax - 1, 1);
  const kappaScale = Math.max(nMax * (nMax - 1), 1);
  const toShape = ([u, v]: readonly number[]): [number, number] => [
    Math.min(1, u! ** 2 / sigmaScale),
    v! ** 2 / kappaScale,
  ];
  const sse = (z: readonly number[]): number => projected(points, ...toShape(z)).sse;
  const starts = [linearisedStart(points), [0, 0] as [number, number]].map(([sigma, kappa]) => [
    Math.sqrt(sigma * sigmaScale),
    Math.sqrt(kappa * kappaScale),
  ]);
  let best = { x: starts[0]!, value: sse(starts[0]!) };
  for (const start of starts) {
    let x = start;
    // Restart from the last optimum with a fresh simplex until it stops improving.
    for (let round = 0; round < 6; round++) {
      const r = nelderMead(sse, x, { steps: x.map((c) => Math.max(Math.abs(c) * 0.2, 0.05)) });
      const improved = r.value < best.value;
      if (improved) best = r;
      if (!improved && round > 0) break;
      x = r.x;
    }
  }
  const [sigma, kappa] = toShape(best.x);
  const { lambda } = projected(points, sigma, kappa);
  return summarise(points, { lambda, sigma, kappa });
}

function validatePoints(points: readonly UslPoint[]): void {
  if (points.length < USL_MIN_POINTS) {
    throw new RangeError(
      `fitUsl needs at least ${USL_MIN_POINTS} points; got ${points.length}. Measure more concurrency levels.`,
    );
  }
  points.forEach((p, i) => {
    if (!Number.isFinite(p.n) || p.n <= 0) {
      throw new RangeError(`points[${i}].n must be a finite number > 0; got ${String(p.n)}`);
    }
    if (!Number.isFinite(p.throughput) || p.throughput < 0) {
      throw new RangeError(
        `points[${i}].throughput must be a finite number >= 0; got ${String(p.throughput)}`,
      );
    }
  });
  if (new Set(points.map((p) => p.n)).size < 3) {
    throw new RangeError('fitUsl needs at least 3 distinct values of n to separate σ from κ');
  }
  if (!points.some((p) => p.throughput > 0)) {
    throw new RangeError('fitUsl needs at least one point with throughput > 0');
  }
}

/** Best λ for fixed σ, κ (closed form) and the squared error it leaves. */
function projected(
  points: readonly UslPoint[],
  sigma: number,
  kappa: number,
): { lambda: number; sse: number } {
  let xg = 0;
  let gg = 0;
  const shape = points.map(({ n }) => n / (1 + sigma * (n - 1) + kappa * n * (n - 1)));
  points.forEach((p, i) => {
    xg += p.throughput * shape[i]!;
    gg += shape[i]! ** 2;
  });
  const lambda = xg / gg;
  const sse = points.reduce((s, p, i) => s + (p.throughput - lambda * shape[i]!) ** 2, 0);
  return { lambda, sse };
}

/**
 * Gunther's starting point: λ̂ from the n = 1 measurements (else the best X/N), then σ, κ >= 0
 * by least squares on N/C(N) − 1 = σ(N − 1) + κN(N − 1), through the origin.
 */
function linearisedStart(points: readonly UslPoint[]): [number, number] {
  const ones = points.filter((p) => p.n === 1);
  const lambdaHat =
    ones.length > 0
      ? ones.reduce((s, p) => s + p.throughput, 0) / ones.length
      : Math.max(...points.map((p) => p.throughput / p.n));
  const rows = points
    .filter((p) => p.throughput > 0 && p.n !== 1)
    .map((p) => ({ a: p.n - 1, b: p.n * (p.n - 1), y: (p.n * lambdaHat) / p.throughput - 1 }));
  return nonNegativeLeastSquares2(rows);
}

/** min Σ(y − σa − κb)² over σ, κ >= 0 (σ capped at 1), by checking the active sets. */
function nonNegativeLeastSquares2(rows: { a: number; b: number; y: number }[]): [number, number] {
  const sum = (f: (r: { a: number; b: number; y: number }) => number): number =>
    rows.reduce((s, r) => s + f(r), 0);
  const aa = sum((r) => r.a * r.a);
  const bb = sum((r) => r.b * r.b);
  const ab = sum((r) => r.a * r.b);
  const ay = sum((r) => r.a * r.y);
  const by = sum((r) => r.b * r.y);
  const det = aa * bb - ab * ab;
  const candidates: [number, number][] = [[0, 0]];
  if (det > 0) candidates.push([(ay * bb - by * ab) / det, (by * aa - ay * ab) / det]);
  if (aa > 0) candidates.push([ay / aa, 0]);
  if (bb > 0) candidates.push([0, by / bb]);
  const cost = ([s, k]: [number, number]): number => sum((r) => (r.y - s * r.a - k * r.b) ** 2);
  const feasible = candidates
    .filter(([s, k]) => s >= 0 && k >= 0)
    .map(([s, k]): [number, number] => [Math.min(s, 1), k]);
  return feasible.reduce((best, c) => (cost(c) < cost(best) ? c : best));
}

function summarise(points: readonly UslPoint[], params: UslParams): UslFit {
  const { lambda, sigma, kappa } = params;
  const residuals = points.map(
    ({ n, throughput }) => throughput - (lambda * n) / (1 + sigma * (n - 1) + kappa * n * (n - 1)),
  );
  const mean = points.reduce((s, p) => s + p.throughput, 0) / points.length;
  const ssTotal = points.reduce((s, p) => s + (p.throughput - mean) ** 2, 0);
  const ssResidual = residuals.reduce((s, r) => s + r * r, 0);
  const rSquared = ssTotal > 0 ? 1 - ssResidual / ssTotal : ssResidual === 0 ? 1 : 0;
  return { params, rSquared, residuals };
}
