/**
 * A small deterministic Nelder–Mead minimiser over a box (standard coefficients: reflect 1,
 * expand 2, contract ½, shrink ½). Every trial point is clamped into the box, which keeps the
 * smoothing parameters of the exponential-smoothing models in their admissible ranges without
 * a penalty term. Derivative-free, so it copes with the kinked SSE surfaces those models have.
 */
import { clamp } from './stats.ts';

/** Options of `minimizeInBox`. */
export interface BoxMinimizeOptions {
  /** Lower bound of each coordinate. */
  lower: readonly number[];
  /** Upper bound of each coordinate. */
  upper: readonly number[];
  /** Initial simplex edge as a fraction of each coordinate's range (default 0.2). */
  stepFraction?: number;
  /** Stop after this many objective evaluations (default 150 per dimension). */
  maxEvaluations?: number;
  /** Stop when best and worst vertex values agree to this relative spread (default 1e-7). */
  relativeTolerance?: number;
}

/** The best point found and its objective value. */
export interface BoxMinimizeResult {
  /** The minimising point (inside the box). */
  x: number[];
  /** The objective at `x`. */
  value: number;
  /** Objective evaluations used. */
  evaluations: number;
}

interface Vertex {
  x: number[];
  value: number;
}

/** Minimises `f` over the box from `start`; `f` may return Infinity for points it rejects. */
export function minimizeInBox(
  f: (x: readonly number[]) => number,
  start: readonly number[],
  options: BoxMinimizeOptions,
): BoxMinimizeResult {
  const dim = start.length;
  const maxEvaluations = options.maxEvaluations ?? 150 * dim;
  const tolerance = options.relativeTolerance ?? 1e-7;
  let evaluations = 0;
  const evaluate = (x: number[]): Vertex => {
    const inside = x.map((xi, j) => clamp(xi, options.lower[j]!, options.upper[j]!));
    evaluations++;
    const value = f(inside);
    return { x: inside, value: Number.isNaN(value) ? Infinity : value };
  };
  const simplex = initialSimplex(start, options, evaluate);
  while (evaluations < maxEvaluations) {
    simplex.sort((a, b) => a.value - b.value);
    const best = simplex[0]!.value;
    const worst = simplex[dim]!.value;
    if (Math.abs(worst - best) <= tolerance * (Math.abs(best) + 1e-300)) break;
    step(simplex, evaluate);
  }
  simplex.sort((a, b) => a.value - b.value);
  return { x: simplex[0]!.x, value: simplex[0]!.value, evaluations };
}

function initialSimplex(
  start: readonly number[],
  options: BoxMinimizeOptions,
  evaluate: (x: number[]) => Vertex,
): Vertex[] {
  const fraction = options.stepFraction ?? 0.2;
  const simplex = [evaluate([...start])];
  start.forEach((s, j) => {
    const lo = options.lower[j]!;
    const hi = options.upper[j]!;
    const h = fraction * (hi - lo);
    const x = [...start];
    // Step towards the side with more room so the vertex is not clamped onto the start.
    x[j] = s + h <= hi ? s + h : s - h;
    if (x[j] === s) x[j] = lo + (hi - lo) / 2;
    simplex.push(evaluate(x));
  });
  return simplex;
}

/** One Nelder–Mead move on a simplex sorted best first; replaces vertices in place. */
function step(simplex: Vertex[], evaluate: (x: number[]) => Vertex): void {
  const n = simplex.length - 1;
  const worst = simplex[n]!;
  const centroid = worst.x.map((_, j) => {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += simplex[i]!.x[j]!;
    return sum / n;
  });
  const along = (t: number): number[] => centroid.map((c, j) => c + t * (worst.x[j]! - c));
  const reflected = evaluate(along(-1));
  if (reflected.value < simplex[0]!.value) {
    const expanded = evaluate(along(-2));
    simplex[n] = expanded.value < reflected.value ? expanded : reflected;
    return;
  }
  if (reflected.value < simplex[n - 1]!.value) {
    simplex[n] = reflected;
    return;
  }
  const outside = reflected.value < worst.value;
  const contracted = evaluate(along(outside ? -0.5 : 0.5));
  if (contracted.value < (outside ? reflected.value : worst.value)) {
    simplex[n] = contracted;
    return;
  }
  const best = simplex[0]!;
  for (let i = 1; i <= n; i++) {
    simplex[i] = evaluate(best.x.map((b, j) => b + 0.5 * (simplex[i]!.x[j]! - b)));
  }
}
