/**
 * The exponential-smoothing recursions shared by Holt (damped trend) and Holt–Winters (additive
 * or multiplicative season, damped trend), in error-correction form with additive errors:
 *
 *     ŷ = (l + φb) + s   or   (l + φb)·s          e = y − ŷ
 *     l ← l + φb + α·e   (÷ s when multiplicative)
 *     b ← φb + αβ·e      (÷ s when multiplicative)
 *     s ← s + γ·e        (÷ (l + φb) when multiplicative)
 *
 * β here is the share of the level's correction passed to the trend (β* in Hyndman et al.,
 * "Forecasting with Exponential Smoothing", 2008), γ is at most 1 − α. Seasonal indices are
 * stored by phase (cell index mod m).
 */
import { lineFit, mean } from '../stats.ts';

/** How the season enters the forecast. */
export type SeasonalKind = 'none' | 'additive' | 'multiplicative';

/** Smoothing parameters. */
export interface EtsParams {
  /** Level smoothing, in (0, 1). */
  alpha: number;
  /** Trend smoothing as a share of the level correction, in (0, 1). */
  beta: number;
  /** Seasonal smoothing, in [0, 1 − alpha]. */
  gamma: number;
  /** Trend damping per step, in (0, 1). */
  phi: number;
}

/** The model's state after some cells. */
export interface EtsState {
  /** Level. */
  level: number;
  /** Trend per step. */
  trend: number;
  /** Seasonal index per phase (cell mod m); empty without a season. */
  seasonal: Float64Array;
}

/** Shape of the model. */
export interface EtsShape {
  /** Seasonal kind. */
  kind: SeasonalKind;
  /** Season length in steps (0 with kind 'none'). */
  m: number;
}

/** Sums of one-step errors over a filter run. */
export interface FilterResult {
  /** Sum of squared one-step errors. */
  sse: number;
  /** Sum of squared one-step errors relative to the forecast. */
  sseRelative: number;
  /** Number of errors summed. */
  count: number;
}

/** Heuristic start state for filtering `values` from cell `from`, from its first seasons. */
export function initialState(values: readonly number[], from: number, shape: EtsShape): EtsState {
  const { kind, m } = shape;
  if (kind === 'none') {
    const head = values.slice(from, from + Math.min(10, values.length - from));
    const { intercept, slope } = lineFit(head);
    return { level: intercept - slope, trend: slope, seasonal: new Float64Array(0) };
  }
  const seasons = Math.max(1, Math.min(3, Math.floor((values.length - from) / m)));
  const means: number[] = [];
  for (let j = 0; j < seasons; j++)
    means.push(mean(values.slice(from + j * m, from + (j + 1) * m)));
  const trend = seasons > 1 ? (means[seasons - 1]! - means[0]!) / ((seasons - 1) * m) : 0;
  const seasonal = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    let sum = 0;
    for (let j = 0; j < seasons; j++) {
      const base = means[j]! + trend * (i - (m - 1) / 2);
      const y = values[from + j * m + i]!;
      sum += kind === 'additive' ? y - base : y / (base === 0 ? 1 : base);
    }
    seasonal[(from + i) % m] = sum / seasons;
  }
  normalizeSeasonal(seasonal, kind);
  return { level: means[0]! - (trend * (m + 1)) / 2, trend, seasonal };
}

function normalizeSeasonal(seasonal: Float64Array, kind: SeasonalKind): void {
  const avg = mean(seasonal);
  for (let i = 0; i < seasonal.length; i++) {
    if (kind === 'additive') seasonal[i]! -= avg;
    else if (avg > 0) seasonal[i]! /= avg;
  }
}

/** Sum φ + φ² + … + φ^h: how many steps of the current trend an h-step forecast adds. */
export function dampedSteps(phi: number, h: number): number {
  return 1 - phi < UNDAMPED ? h : (phi * (1 - phi ** h)) / (1 - phi);
}

/** 1 − φ below which the trend counts as undamped (closed forms switch to their φ = 1 limit). */
const UNDAMPED = 1e-6;

/** Point forecast `h` steps after cell `next - 1`, from the state after cells < `next`. */
export function forecastFrom(
  state: EtsState,
  p: EtsParams,
  shape: EtsShape,
  next: number,
  h: number,
): number {
  const base = state.level + dampedSteps(p.phi, h) * state.trend;
  if (shape.kind === 'none') return base;
  const s = state.seasonal[(next - 1 + h) % shape.m]!;
  return shape.kind === 'additive' ? base + s : base * s;
}

/**
 * Runs the recursions over cells [from, to), updating `state` in place; calls `visit(t)` before
 * cell t for each t in the ascending `visits` (t may equal `to`). Returns Infinity sums when a
 * multiplicative denominator reaches zero and `strict` is set (rejecting those parameters).
 */
export function filter(
  values: readonly number[],
  range: { from: number; to: number },
  p: EtsParams,
  shape: EtsShape,
  state: EtsState,
  options: { strict?: boolean; visits?: readonly number[]; visit?: (t: number) => void } = {},
): FilterResult {
  const { alpha, phi, gamma } = p;
  const ab = alpha * p.beta;
  const seasonal = shape.kind !== 'none';
  const multiplicative = shape.kind === 'multiplicative';
  const S = state.seasonal;
  let { level, trend } = state;
  let sse = 0;
  let sseRelative = 0;
  const visits = options.visits ?? [];
  let v = 0;
  while (v < visits.length && visits[v]! < range.from) v++;
  for (let t = range.from; t < range.to; t++) {
    if (v < visits.length && visits[v] === t) {
      state.level = level;
      state.trend = trend;
      while (v < visits.length && visits[v] === t) v++;
      options.visit?.(t);
    }
    const lb = level + phi * trend;
    const phase = seasonal ? t % shape.m : 0;
    const s = seasonal ? S[phase]! : 0;
    if (multiplicative && !(lb > 0 && s > 0) && options.strict) {
      return { sse: Infinity, sseRelative: Infinity, count: t - range.from };
    }
    // Floors keep a multiplicative model finite when its level or an index collapses.
    const base = multiplicative ? Math.max(lb, 1e-12) : lb;
    const index = multiplicative ? Math.max(s, 1e-6) : s;
    const yhat = multiplicative ? base * index : base + index;
    const e = values[t]! - yhat;
    sse += e * e;
    sseRelative += yhat !== 0 ? (e / yhat) ** 2 : 0;
    const correction = multiplicative ? e / index : e;
    level = base + alpha * correction;
    trend = phi * trend + ab * correction;
    if (seasonal) S[phase] = index + gamma * (multiplicative ? e / base : e);
  }
  state.level = level;
  state.trend = trend;
  if (v < visits.length && visits[v] === range.to) options.visit?.(range.to);
  return { sse, sseRelative, count: range.to - range.from };
}

/**
 * Factor on the one-step error variance for an h-step forecast: 1 + Σ_{j<h} c_j², with
 * c_j = α(1 + β(φ + … + φ^j)) + γ·[j is a multiple of m] (Hyndman et al. 2008, class 1), in
 * closed form so it costs O(1) for any h.
 */
export function varianceFactor(p: EtsParams, shape: EtsShape, h: number): number {
  const N = Math.max(0, Math.floor(h) - 1);
  if (N === 0) return 1;
  const { alpha, beta, gamma, phi } = p;
  if (1 - phi < UNDAMPED) return undampedVarianceFactor(p, shape, N);
  const k = (alpha * beta * phi) / (1 - phi);
  const a = alpha + k;
  const s1 = (phi * (1 - phi ** N)) / (1 - phi);
  const s2 = (phi * phi * (1 - phi ** (2 * N))) / (1 - phi * phi);
  let sum = N * a * a - 2 * a * k * s1 + k * k * s2;
  if (shape.kind !== 'none' && shape.m > 0 && gamma > 0) {
    const K = Math.floor(N / shape.m);
    const pm = phi ** shape.m;
    const seasonalBase = K * a - (k * pm * (1 - pm ** K)) / (1 - pm);
    sum += K * gamma * gamma + 2 * gamma * seasonalBase;
  }
  return 1 + Math.max(0, sum);
}

/** `varianceFactor` for φ = 1: c_j = α(1 + βj) + γ·[m divides j]. */
function undampedVarianceFactor(p: EtsParams, shape: EtsShape, N: number): number {
  const { alpha: a, beta: b, gamma } = p;
  let sum = N * a * a + a * a * b * N * (N + 1) + (a * a * b * b * N * (N + 1) * (2 * N + 1)) / 6;
  if (shape.kind !== 'none' && shape.m > 0 && gamma > 0) {
    const K = Math.floor(N / shape.m);
    sum += K * gamma * gamma + 2 * gamma * (K * a + (a * b * shape.m * K * (K + 1)) / 2);
  }
  return 1 + sum;
}
