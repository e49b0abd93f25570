/**
 * The history the capacity model and forecasts read: recorded series (from the store, or a
 * samples CSV) turned into evenly spaced frames — at each step every metric's value as the live
 * loop would have seen it, summed over its series, and its worst series.
 */
import type { Frame } from '../capacity/evaluate.ts';
import type { Plan, PlanMetric } from '../plan/types.ts';
import { planWindows } from '../plan/windows.ts';
import type { Input } from '../rules/types.ts';
import type { Store } from '../store/store.ts';
import { DEFAULT_LOOKBACK_MS, metricInputAt, seriesByMetric, windowInputsAt } from './replay.ts';
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
  const ends = series.flatMap((s) =>
    s.points.length ? [s.points[0]!.at, s.points[s.points.length - 1]!.at] : [],
  );
  if (ends.length === 0) return [];
  const start = options.start ?? Math.min(...ends);
  const end = options.end ?? Math.max(...ends);
  const stepMs = Math.max(1, options.stepMs);
  // A sample stays current for a step, so sparse recordings (hourly CSVs) still fill frames.
  const lookbackMs = Math.max(DEFAULT_LOOKBACK_MS, stepMs);
  const total = Math.floor((end - start) / stepMs) + 1;
  const frames: Frame[] = Array.from({ length: total }, (_, i) => ({
    t: start + i * stepMs,
    metrics: {},
    worst: {},
  }));
  const byMetric = seriesByMetric(series);
  const windowed = planWindows(plan).length > 0;
  // Progress in frames' worth of work: the metric columns are the whole of it, or its first half.
  const share = windowed ? 0.5 : 1;
  const metrics = Object.values(plan.metrics);
  // Source metrics a column at a time (what `inputsAt` gives at each frame, summed as
  // `scalarInputs` sums it), then the window functions frame by frame.
  metrics.forEach((metric, k) => {
    const recorded = metric.source ? byMetric.get(metric.name) : undefined;
    if (recorded) addMetricColumn(frames, metric, recorded, lookbackMs, options.canonical);
    if (k % 100 === 99 || k === metrics.length - 1)
      options.onProgress?.(Math.floor((share * total * (k + 1)) / metrics.length), total);
  });
  if (windowed) {
    frames.forEach((frame, i) => {
      const at = (name: string): Input | undefined => {
        const metric = plan.metrics[name];
        if (!metric?.source) return undefined;
        return metricInputAt(
          metric,
          byMetric.get(name) ?? [],
          frame.t,
          lookbackMs,
          options.canonical,
        );
      };
      const windows = windowInputsAt(plan, byMetric, frame.t, at, options.canonical);
      const { metrics, worst } = scalarInputs(windows);
      Object.assign(frame.metrics, metrics);
      Object.assign(frame.worst!, worst);
      if (i % 100 === 99 || i === total - 1)
        options.onProgress?.(Math.floor(total / 2 + (i + 1) / 2), total);
    });
  }
  return frames;
}

/**
 * Adds one source metric to every frame: at each frame time, each series' latest point within
 * the lookback (none after a NaN staleness marker), summed in series order, and the largest
 * when it has several series. One walk through each series' points.
 */
function addMetricColumn(
  frames: Frame[],
  metric: PlanMetric,
  recorded: readonly RecordedSeries[],
  lookbackMs: number,
  canonical: boolean,
): void {
  const total = frames.length;
  const sum = new Float64Array(total);
  const max = new Float64Array(total).fill(-Infinity);
  const count = new Uint32Array(total);
  for (const s of recorded) {
    const points = s.points;
    let j = -1; // the last point at or before the frame's time
    for (let i = 0; i < total; i++) {
      const t = frames[i]!.t;
      while (j + 1 < points.length && points[j + 1]!.at <= t) j++;
      if (j < 0) continue;
      const p = points[j]!;
      if (Number.isNaN(p.value) || t - p.at > lookbackMs) continue;
      const v = canonical ? p.value : p.value * metric.scale;
      sum[i] = sum[i]! + v;
      max[i] = Math.max(max[i]!, v);
      count[i]!++;
    }
  }
  for (let i = 0; i < total; i++) {
    if (count[i] === 0) continue;
    frames[i]!.metrics[metric.name] = sum[i];
    if (count[i]! > 1) frames[i]!.worst![metric.name] = max[i];
  }
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
