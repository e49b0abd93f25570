/**
 * The history the capacity model and forecasts read: recorded series (from the store, or a
 * samples CSV) turned into evenly spaced frames — at each step every metric's value as the live
 * loop would have seen it, summed over its series, and its worst series.
 */
import type { Frame } from '../capacity/evaluate.ts';
import type { Plan } from '../plan/types.ts';
import type { Input } from '../rules/types.ts';
import type { Store } from '../store/store.ts';
import { DEFAULT_LOOKBACK_MS, inputsAt } from './replay.ts';
import type { RecordedSeries } from './series-csv.ts';

/** Frames a history is cut into at most. */
export const MAX_FRAMES = 1500;

/**
 * The step that cuts `[from, to]` into at most MAX_FRAMES frames, no finer than the plan's
 * interval, nor than the recording's own spacing (`sampleSpacingMs`: a daily CSV gives daily frames).
 */
export function frameStepMs(plan: Plan, from: number, to: number, sampleSpacingMs = 0): number {
  return Math.max(plan.intervalMs, sampleSpacingMs, Math.ceil((to - from) / MAX_FRAMES));
}

/** The median spacing of the recorded series' points, ms (0 when there are too few). */
export function medianSpacingMs(series: readonly RecordedSeries[]): number {
  const gaps: number[] = [];
  for (const s of series)
    for (let i = 1; i < s.points.length; i++) {
      const d = s.points[i]!.at - s.points[i - 1]!.at;
      if (d > 0) gaps.push(d);
    }
  if (gaps.length === 0) return 0;
  gaps.sort((a, b) => a - b);
  return gaps[gaps.length >> 1]!;
}

/** Every plan metric's series in `[from, to]` from the store, one point per step at most (canonical units). */
export async function seriesFromStore(
  plan: Plan,
  store: Store,
  from: number,
  to: number,
  stepMs: number,
): Promise<RecordedSeries[]> {
  const out: RecordedSeries[] = [];
  for (const metric of Object.values(plan.metrics)) {
    if (!metric.source) continue;
    for (const s of await store.downsample(metric.name, from, to, stepMs)) {
      out.push({ metric: s.metric, labels: s.labels, points: s.points });
    }
  }
  return out;
}

/** Options of `framesFromSeries`. */
export interface FrameOptions {
  /** Step between frames, ms. */
  stepMs: number;
  /** First frame time (default: the first point's). */
  start?: number;
  /** Last frame time (default: the last point's). */
  end?: number;
  /** True when values are canonical already (the store), false for CSV values in the plan's units. */
  canonical: boolean;
  /** Called with (done, total) as frames are built. */
  onProgress?: (done: number, total: number) => void;
}

/** Evenly spaced frames over recorded series. */
export function framesFromSeries(
  plan: Plan,
  series: readonly RecordedSeries[],
  options: FrameOptions,
): Frame[] {
  const times = series.flatMap((s) =>
    s.points.length ? [s.points[0]!.at, s.points[s.points.length - 1]!.at] : [],
  );
  if (times.length === 0) return [];
  const start = options.start ?? Math.min(...times);
  const end = options.end ?? Math.max(...times);
  const stepMs = Math.max(1, options.stepMs);
  // A sample stays current for a step, so sparse recordings (hourly CSVs) still fill frames.
  const lookbackMs = Math.max(DEFAULT_LOOKBACK_MS, stepMs);
  const total = Math.floor((end - start) / stepMs) + 1;
  const frames: Frame[] = [];
  for (let i = 0; i < total; i++) {
    const t = start + i * stepMs;
    frames.push({ t, ...scalarInputs(inputsAt(plan, series, t, lookbackMs, options.canonical)) });
    if (options.onProgress && (i % 100 === 99 || i === total - 1)) options.onProgress(i + 1, total);
  }
  return frames;
}

/** Engine inputs as scalars: each metric's series summed, and its largest series. */
export function scalarInputs(
  inputs: Readonly<Record<string, Input>>,
): Pick<Frame, 'metrics' | 'worst'> {
  const metrics: Record<string, number | undefined> = {};
  const worst: Record<string, number | undefined> = {};
  for (const [name, input] of Object.entries(inputs)) {
    if (!Array.isArray(input) || input.length === 0) continue;
    let sum = 0;
    let max = -Infinity;
    for (const s of input as readonly { value: number }[]) {
      sum += s.value;
      max = Math.max(max, s.value);
    }
    metrics[name] = sum;
    if (input.length > 1) worst[name] = max;
  }
  return { metrics, worst };
}
