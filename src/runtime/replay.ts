/**
 * Replays recorded series through a plan's triggers, one evaluation per interval, exactly as
 * the live loop would see them: at each step a series' value is its latest sample within the
 * lookback window (Prometheus's 5 minutes by default), so gaps behave as they do there. A NaN
 * point is a staleness marker (CSV cell `stale`): the series is absent from then on.
 */
import type { Plan, PlanMetric } from '../plan/types.ts';
import { triggerSpecs } from '../plan/trigger-specs.ts';
import { evaluate } from '../rules/engine.ts';
import type { EngineState, Input, Series, TriggerStatus, Transition } from '../rules/types.ts';
import type { RecordedSeries } from './series-csv.ts';
import type { WindowFunction } from '../plan/expression.ts';
import { planWindows } from '../plan/windows.ts';
import { aggregateInput, applyWindow, pointsInWindow } from './windows.ts';

/** Prometheus's default lookback: a sample older than this is no longer "current". */
export const DEFAULT_LOOKBACK_MS = 5 * 60_000;

/** Options of a replay. */
export interface ReplayOptions {
  /** The compiled plan. */
  plan: Plan;
  /** Recorded series (from CSV). */
  series: readonly RecordedSeries[];
  /** Evaluation interval, ms (default: the plan's). */
  intervalMs?: number;
  /** Lookback window, ms. */
  lookbackMs?: number;
  /** First evaluation time, epoch ms (default: the first sample's time). */
  start?: number;
  /** Last evaluation time, epoch ms (default: the last sample's time). */
  end?: number;
  /** Called after each step with the step index and count, for progress. */
  onStep?: (step: number, steps: number) => void;
}

/** What a replay produced. */
export interface ReplayResult {
  /** Every alert state change, in time order. */
  transitions: Transition[];
  /** Statuses after the last step. */
  statuses: TriggerStatus[];
  /** First and last evaluation time, epoch ms, and the number of steps. */
  start: number;
  end: number;
  steps: number;
}

/** Replays `series` through the plan's triggers. */
export function replay(options: ReplayOptions): ReplayResult {
  const { plan, series } = options;
  const intervalMs = options.intervalMs ?? plan.intervalMs;
  const lookbackMs = options.lookbackMs ?? DEFAULT_LOOKBACK_MS;
  const times = series.flatMap((s) => s.points.map((p) => p.at));
  const start = options.start ?? Math.min(...times);
  const end = options.end ?? Math.max(...times);
  const steps =
    Number.isFinite(start) && Number.isFinite(end) && end >= start
      ? Math.floor((end - start) / intervalMs) + 1
      : 0;
  const specs = triggerSpecs(plan);
  const transitions: Transition[] = [];
  let state: EngineState | undefined;
  let statuses: TriggerStatus[] = [];
  for (let i = 0; i < steps; i++) {
    const now = start + i * intervalMs;
    const result = evaluate({
      triggers: specs,
      inputs: inputsAt(plan, series, now, lookbackMs),
      now,
      previous: state,
    });
    state = result.state;
    statuses = result.statuses;
    transitions.push(...result.transitions);
    options.onStep?.(i + 1, steps);
  }
  return { transitions, statuses, start, end, steps };
}

/**
 * The engine's inputs at `now` from recorded series. Values are in the units the plan's metrics
 * declare (CSV), or already canonical (`canonical`, from the store).
 */
export function inputsAt(
  plan: Plan,
  series: readonly RecordedSeries[],
  now: number,
  lookbackMs: number,
  canonical = false,
): Record<string, Input> {
  const inputs: Record<string, Input> = {};
  const byMetric = seriesByMetric(series);
  for (const metric of Object.values(plan.metrics)) {
    if (!metric.source) continue;
    const recorded = byMetric.get(metric.name) ?? [];
    inputs[metric.name] = metricInputAt(metric, recorded, now, lookbackMs, canonical);
  }
  const windows = windowInputsAt(plan, byMetric, now, (name) => inputs[name], canonical);
  return Object.assign(inputs, windows);
}

/** One source metric's input at `now`: the latest sample of each series within the lookback. */
export function metricInputAt(
  metric: PlanMetric,
  recorded: readonly RecordedSeries[],
  now: number,
  lookbackMs: number,
  canonical: boolean,
): Input {
  if (recorded.length === 0) return { unknown: `no column for metric "${metric.name}" in the CSV` };
  const vector: Series[] = [];
  for (const s of recorded) {
    const p = latestAt(s.points, now);
    // A NaN point is a staleness marker: the series ends there. The lookback is inclusive,
    // as in Prometheus 2.x.
    if (p && !Number.isNaN(p.value) && now - p.at <= lookbackMs)
      vector.push({ labels: s.labels, value: canonical ? p.value : p.value * metric.scale });
  }
  return vector.length > 0
    ? vector
    : { unknown: `no sample of "${metric.name}" in the last ${lookbackMs / 1000}s` };
}

/**
 * The inputs of the plan's window functions and aggregations at `now`; `metricInput` gives a
 * source metric's input there (what an aggregation reads).
 */
export function windowInputsAt(
  plan: Plan,
  byMetric: ReadonlyMap<string, readonly RecordedSeries[]>,
  now: number,
  metricInput: (name: string) => Input | undefined,
  canonical: boolean,
): Record<string, Input> {
  const inputs: Record<string, Input> = {};
  for (const w of planWindows(plan)) {
    if (w.aggregate) {
      inputs[w.key] = aggregateInput(w, metricInput(w.metric));
      continue;
    }
    const vector: Series[] = [];
    for (const s of byMetric.get(w.metric) ?? []) {
      const v = applyWindow(w.fn as WindowFunction, pointsInWindow(s.points, now, w.windowMs));
      if (v !== undefined)
        vector.push({
          labels: s.labels,
          value: canonical ? v : v * (plan.metrics[w.metric]?.scale ?? 1),
        });
    }
    inputs[w.key] =
      vector.length > 0 ? vector : { unknown: `not enough samples of "${w.metric}" for ${w.key}` };
  }
  return inputs;
}

const groups = new WeakMap<
  readonly RecordedSeries[],
  { length: number; byMetric: Map<string, RecordedSeries[]> }
>();

/**
 * The series of each metric, grouped once per recording (again if it grew): a history of N
 * frames asks for every metric's series N times, and filtering all series each time grows with
 * plan size squared.
 */
export function seriesByMetric(series: readonly RecordedSeries[]): Map<string, RecordedSeries[]> {
  const cached = groups.get(series);
  if (cached?.length === series.length) return cached.byMetric;
  const byMetric = new Map<string, RecordedSeries[]>();
  for (const s of series) {
    const list = byMetric.get(s.metric);
    if (list) list.push(s);
    else byMetric.set(s.metric, [s]);
  }
  groups.set(series, { length: series.length, byMetric });
  return byMetric;
}

function latestAt(
  points: readonly { at: number; value: number }[],
  now: number,
): { at: number; value: number } | undefined {
  let lo = 0;
  let hi = points.length - 1;
  let found: { at: number; value: number } | undefined;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (points[mid]!.at <= now) {
      found = points[mid];
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}
