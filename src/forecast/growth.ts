/** Trend growth per week, read from a fitted model's deseasonalised forecast. */
import { coreOf } from './model.ts';
import type { Model } from './types.ts';

/** One week, in ms. */
export const WEEK_MS = 7 * 86_400_000;

/** Growth of the trend per week, in value units per week (and as a fraction of the current level). */
export function growthPerWeek(model: Model): { perWeek: number; fractionPerWeek: number } {
  const stepsPerWeek = WEEK_MS / model.stepMs;
  const k = Math.max(1, Math.round(stepsPerWeek));
  const core = coreOf(model);
  let now: number;
  let later: number;
  if (core) {
    now = core.trend(0);
    later = core.trend(k);
  } else {
    // A model made elsewhere: difference its predictions one week apart.
    const [a, b] = model.predictAt([model.lastT, model.lastT + k * model.stepMs]);
    now = a?.value ?? 0;
    later = b?.value ?? now;
  }
  const perWeek = ((later - now) * stepsPerWeek) / k;
  if (!Number.isFinite(perWeek)) return { perWeek: 0, fractionPerWeek: 0 };
  const fractionPerWeek = now !== 0 && Number.isFinite(now) ? perWeek / Math.abs(now) : 0;
  return { perWeek, fractionPerWeek };
}
