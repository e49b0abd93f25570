/**
 * A small Nelder–Mead simplex minimiser (Lagarias et al. 1998 coefficients: reflect 1, expand 2,
 * contract ½, shrink ½) for the few-parameter fits in this folder. Derivative-free, so it copes
 * with objectives that are flat or kinked at a constraint boundary.
 */

/** Options for `nelderMead`. */
export interface NelderMeadOptions {
  /** Initial step along each coordinate, same length as the start point. */
  steps: readonly number[];
  /** Stop after this many iterations (default 2,000). */
  maxIterations?: number;
  /** Stop when the simplex's values agree to this relative spread (default 1e-14). */
  relativeTolerance?: number;
}

/** The best point found and its objective value. */
export interface NelderMeadResult {
  /** The minimising point. */
  x: number[];
  /** The objective at `x`. */
  value: number;
  /** Iterations used. */
  iterations: number;
}

interface Vertex {
  x: number[];
  value: number;
}

/** Minimises `f` from `start`; `f` may return Infinity for points it rejects. */
export function nelderMead(
  f: (x: readonly number[]) => number,
  start: readonly number[],
  options: NelderMeadOptions,
): NelderMeadResult {
  const maxIterations = options.maxIterations ?? 2000;
  const tolerance = options.relativeTolerance ?? 1e-14;
  const evaluate = (x: number[]): Vertex => ({ x, value: f(x) });
  const simplex: Vertex[] = [evaluate([...start])];
  start.forEach((_, i) => {
    const x = [...start];
    x[i]! += options.steps[i] ?? 0;
    simplex.push(evaluate(x));
  });
  let iterations = 0;
  for (; iterations < maxIterations; iterations++) {
    simplex.sort((a, b) => a.value - b.value);
    if (converged(simplex, tolerance)) break;
    step(simplex, evaluate);
  }
  simplex.sort((a, b) => a.value - b.value);
  const best = simplex[0]!;
  return { x: best.x, value: best.value, iterations };
}

function converged(simplex: readonly Vertex[], tolerance: number): boolean {
  const best = simplex[0]!.value;
  const worst = simplex[simplex.length - 1]!.value;
  return worst - best <= tolerance * (Math.abs(best) + Number.MIN_VALUE) || worst === best;
}

/** One Nelder–Mead move on a simplex sorted best first; replaces vertices in place. */
function step(simplex: Vertex[], evaluate: (x: number[]) => Vertex): void {
  const n = simplex.length - 1;
  const worst = simplex[n]!;
  const centroid = worst.x.map((_, j) => simplex.slice(0, n).reduce((s, v) => s + v.x[j]!, 0) / n);
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
  const best = simplex[0]!.x;
  for (let i = 1; i <= n; i++) {
    simplex[i] = evaluate(simplex[i]!.x.map((x, j) => best[j]! + 0.5 * (x - best[j]!)));
  }
}
