/**
 * Watching the plan's systems while a load test runs: every `sampleMs` the plan's sources are
 * read (the same `Collector` as `check` and `serve`), the samples are kept in memory — and
 * appended to the plan's store, so `whatif` and `report` later calibrate each resource's load
 * model on what the test measured — and turned into frames for the service-demand prediction.
 * A source that fails is listed, never fatal: the test goes on, its resources go unpredicted.
 */
import type { Frame } from '../capacity/evaluate.ts';
import type { Plan } from '../plan/types.ts';
import { Collector } from '../runtime/collect.ts';
import { framesFromSeries } from '../runtime/history.ts';
import type { RecordedSeries } from '../runtime/series-csv.ts';
import type { Sample } from '../sources/source.ts';
import type { Store } from '../store/store.ts';

/** Options of an observer. */
export interface ObserverOptions {
  /** Time between reads, ms (default 500). */
  sampleMs?: number;
  /** Deadline of one read of all sources, ms (default: the sample interval, at least 2 s). */
  timeoutMs?: number;
  /** Store the samples are appended to, if any. */
  store?: Store;
  /** Wall clock, epoch ms. */
  now?: () => number;
}

/** What an observation saw. */
export interface Observation {
  /** Every metric's series, canonical units. */
  series: RecordedSeries[];
  /** The series as frames, one per sample interval. */
  frames: Frame[];
  /** Reads made. */
  reads: number;
  /** Metrics that failed at least once, with the last reason. */
  failures: Record<string, string>;
  /** Set when the store refused samples (the observation itself is complete). */
  storeError?: string;
}

/** Samples a plan's sources in the background until stopped. */
export class PlanObserver {
  private readonly collector: Collector;
  private readonly sampleMs: number;
  private readonly timeoutMs: number;
  private readonly now: () => number;
  private readonly series = new Map<string, RecordedSeries>();
  private readonly failures: Record<string, string> = {};
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private reads = 0;
  private storeError: string | undefined;
  private stopped = false;

  constructor(
    private readonly plan: Plan,
    private readonly options: ObserverOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.sampleMs = options.sampleMs ?? 500;
    this.timeoutMs = options.timeoutMs ?? Math.max(2000, this.sampleMs);
    this.collector = new Collector(plan, this.now, this.sampleMs);
  }

  /** Reads once now and then every sample interval. */
  start(): void {
    const tick = (): void => {
      if (this.stopped) return;
      const started = this.now();
      this.running = this.readOnce().finally(() => {
        if (this.stopped) return;
        const wait = Math.max(0, this.sampleMs - (this.now() - started));
        this.timer = setTimeout(tick, wait);
      });
    };
    tick();
  }

  /** Stops sampling, closes the sources and returns what was seen. */
  async stop(): Promise<Observation> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
    await this.collector.close();
    const series = [...this.series.values()];
    const frames = framesFromSeries(this.plan, series, {
      stepMs: this.sampleMs,
      canonical: true,
    });
    return {
      series,
      frames,
      reads: this.reads,
      failures: { ...this.failures },
      storeError: this.storeError,
    };
  }

  private async readOnce(): Promise<void> {
    const outcome = await this.collector.collect(this.timeoutMs);
    this.reads++;
    for (const [metric, error] of Object.entries(outcome.failures))
      this.failures[metric] = error.message;
    for (const s of outcome.samples) this.keep(s);
    if (this.options.store && outcome.samples.length > 0) {
      try {
        await this.options.store.append(outcome.samples);
      } catch (err) {
        this.storeError = (err as Error).message;
      }
    }
  }

  private keep(s: Sample): void {
    const key = `${s.metric}${JSON.stringify(Object.entries(s.labels).sort())}`;
    let series = this.series.get(key);
    if (!series) {
      series = { metric: s.metric, labels: s.labels, points: [] };
      this.series.set(key, series);
    }
    series.points.push({ at: s.at, value: s.value });
  }
}
