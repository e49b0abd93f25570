/**
 * A run's measurements: latencies in HdrHistograms (`hdr-histogram-js`, microsecond precision,
 * three significant digits), counts and failures per k6 `name` tag and per status, drops,
 * per-stage figures, and a sliding window of the last few seconds for the live line.
 *
 * Pure and clock-free: every time is passed in (ms on the run's monotonic clock). Recording
 * allocates nothing once a request name and status have been seen: buckets are found through
 * maps keyed by the name string and the status number.
 *
 * - An iteration is recorded once, in its stage (plus the live window); the whole run is the
 *   merge of the stages, made when thresholds or the summary ask.
 * - Latencies and failures belong to the stage the iteration *started* in (its scheduled start,
 *   in open loop); completions (`requests`, `rate`) to the stage they *ended* in, so a stage's
 *   rate is the throughput the system delivered during it.
 * - Status 0 stands for "no response" (a timeout, a refused connection), as in k6.
 */
import { build, type Histogram } from 'hdr-histogram-js';
import type { IterationOutcome, MetricsView, StepMeasurement } from './types.ts';

/** Length of one slot of the sliding window, ms. */
const SLOT_MS = 1000;
/** Slots in the sliding window (the live line's p95 covers the last 5 s). */
const SLOTS = 5;

function newHistogram(): Histogram {
  return build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 10_000_000,
    numberOfSignificantValueDigits: 3,
    autoResize: true,
  });
}

/** Latencies (µs in the histogram, exact ms for min/max/sum) and counts of some iterations. */
export class Bucket {
  /** Latencies, µs. */
  readonly histogram: Histogram = newHistogram();
  /** Iterations recorded. */
  count = 0;
  /** Of which failed. */
  failed = 0;
  /** Sum of latencies, ms. */
  sumMs = 0;
  /** Fastest, ms. */
  minMs = Infinity;
  /** Slowest, ms. */
  maxMs = -Infinity;

  /** Records one iteration of `latencyMs`. */
  record(latencyMs: number, ok: boolean): void {
    this.count++;
    if (!ok) this.failed++;
    this.sumMs += latencyMs;
    if (latencyMs < this.minMs) this.minMs = latencyMs;
    if (latencyMs > this.maxMs) this.maxMs = latencyMs;
    this.histogram.recordValue(Math.max(0, Math.round(latencyMs * 1000)));
  }

  /** Forgets everything. */
  reset(): void {
    this.count = 0;
    this.failed = 0;
    this.sumMs = 0;
    this.minMs = Infinity;
    this.maxMs = -Infinity;
    this.histogram.reset();
  }

  /** Adds another bucket's iterations to this one. */
  add(other: Bucket): void {
    this.count += other.count;
    this.failed += other.failed;
    this.sumMs += other.sumMs;
    this.minMs = Math.min(this.minMs, other.minMs);
    this.maxMs = Math.max(this.maxMs, other.maxMs);
    this.histogram.add(other.histogram);
  }

  /** Latency percentile (0..100), ms; undefined when empty. */
  percentileMs(p: number): number | undefined {
    if (this.count === 0) return undefined;
    if (p >= 100) return this.maxMs;
    return Math.min(this.maxMs, this.histogram.getValueAtPercentile(p) / 1000);
  }
}

/** Iterations split by request name and status, with their total. */
export class TaggedBuckets {
  /** Every iteration. */
  readonly total = new Bucket();
  /** By k6 `name` tag, then by status (0: no response). */
  readonly byName = new Map<string, Map<number, Bucket>>();
  private scratch: Bucket | undefined;

  /** Records one iteration. */
  record(name: string, status: number, latencyMs: number, ok: boolean): void {
    this.total.record(latencyMs, ok);
    this.bucketOf(name, status).record(latencyMs, ok);
  }

  private bucketOf(name: string, status: number): Bucket {
    let statuses = this.byName.get(name);
    if (statuses === undefined) {
      statuses = new Map();
      this.byName.set(name, statuses);
    }
    let bucket = statuses.get(status);
    if (bucket === undefined) {
      bucket = new Bucket();
      statuses.set(status, bucket);
    }
    return bucket;
  }

  /**
   * The iterations a k6 tag filter selects (`name`, `status`; any other tag selects none): the
   * total itself, one bucket, or a merge into a scratch bucket reused between calls.
   */
  select(tags?: Record<string, string>): Bucket | undefined {
    if (tags === undefined) return this.total;
    const keys = Object.keys(tags);
    if (keys.length === 0) return this.total;
    if (keys.some((k) => k !== 'name' && k !== 'status')) return undefined;
    const matching: Bucket[] = [];
    for (const [name, statuses] of this.byName) {
      if (tags.name !== undefined && tags.name !== name) continue;
      for (const [status, bucket] of statuses) {
        if (tags.status === undefined || tags.status === String(status)) matching.push(bucket);
      }
    }
    if (matching.length === 0) return undefined;
    if (matching.length === 1) return matching[0];
    this.scratch ??= new Bucket();
    this.scratch.reset();
    for (const b of matching) this.scratch.add(b);
    return this.scratch;
  }

  /** Adds another set's iterations to this one. */
  add(other: TaggedBuckets): void {
    this.total.add(other.total);
    for (const [name, statuses] of other.byName) {
      for (const [status, bucket] of statuses) this.bucketOf(name, status).add(bucket);
    }
  }

  /** Forgets everything (keeping the buckets, for reuse). */
  reset(): void {
    this.total.reset();
    for (const statuses of this.byName.values()) for (const b of statuses.values()) b.reset();
  }

  /** Iterations per status across names. */
  statusCounts(): Map<number, number> {
    const out = new Map<number, number>();
    for (const statuses of this.byName.values()) {
      for (const [status, b] of statuses) {
        if (b.count > 0) out.set(status, (out.get(status) ?? 0) + b.count);
      }
    }
    return out;
  }
}

/** A `MetricsView` over some tagged buckets. */
export class BucketView implements MetricsView {
  constructor(
    private readonly buckets: TaggedBuckets,
    /** Seconds the view covers. */
    readonly durationS: number,
    /** Iterations dropped. */
    readonly dropped: number,
  ) {}

  /** Iterations completed (succeeded or failed). */
  count(tags?: Record<string, string>): number {
    return this.buckets.select(tags)?.count ?? 0;
  }

  /** Iterations that failed. */
  failed(tags?: Record<string, string>): number {
    return this.buckets.select(tags)?.failed ?? 0;
  }

  /** Latency percentile, ms. */
  percentileMs(p: number, tags?: Record<string, string>): number | undefined {
    return this.buckets.select(tags)?.percentileMs(p);
  }

  /** Mean latency, ms. */
  meanMs(tags?: Record<string, string>): number | undefined {
    const b = this.buckets.select(tags);
    return b && b.count > 0 ? b.sumMs / b.count : undefined;
  }

  /** Fastest latency, ms. */
  minMs(tags?: Record<string, string>): number | undefined {
    const b = this.buckets.select(tags);
    return b && b.count > 0 ? b.minMs : undefined;
  }

  /** Slowest latency, ms. */
  maxMs(tags?: Record<string, string>): number | undefined {
    const b = this.buckets.select(tags);
    return b && b.count > 0 ? b.maxMs : undefined;
  }
}

/** One stage's own measurements. */
export interface StageRecord {
  /** Iterations that started in it, by tag. */
  readonly buckets: TaggedBuckets;
  /** Start and end on the run's clock, ms (end undefined while it runs). */
  startMs: number;
  endMs?: number;
  /** Start and end, epoch ms. */
  startedAtMs: number;
  endedAtMs?: number;
  /** Iterations that completed while it ran. */
  completed: number;
  /** Iterations it dropped. */
  dropped: number;
  /** In-flight × ms accumulated by the run when it began and ended. */
  areaAtStart: number;
  areaAtEnd?: number;
}

/** The measurements of one run. */
export class RunMetrics {
  /** Iterations completed in the whole run. */
  count = 0;
  /** Of which failed. */
  failed = 0;
  /** Stages, in order. */
  readonly stages: StageRecord[] = [];
  /** Iterations in flight now. */
  inFlight = 0;
  /** Iterations dropped in the whole run. */
  dropped = 0;
  /** Failures without a response, by error class (`timeout`, `ECONNREFUSED`). */
  readonly errors = new Map<string, number>();
  private area = 0;
  private lastChangeMs: number;
  private readonly slots = Array.from({ length: SLOTS }, () => ({
    epoch: -1,
    bucket: new Bucket(),
  }));
  private readonly recentScratch = new Bucket();
  /** Iterations recorded before any stage began (none, as the runner drives it). */
  private readonly loose = new TaggedBuckets();
  private readonly merged = new TaggedBuckets();

  /** Starts measuring at `startMs` on the run's clock. */
  constructor(readonly startMs: number) {
    this.lastChangeMs = startMs;
  }

  /** Begins a new stage at `nowMs` (wall clock `wallMs`), ending the current one. */
  startStage(nowMs: number, wallMs: number): void {
    this.endStage(nowMs, wallMs);
    this.stages.push({
      buckets: new TaggedBuckets(),
      startMs: nowMs,
      startedAtMs: wallMs,
      completed: 0,
      dropped: 0,
      areaAtStart: this.areaAt(nowMs),
    });
  }

  /** Ends the current stage, if one runs. */
  endStage(nowMs: number, wallMs: number): void {
    const current = this.stages.at(-1);
    if (current === undefined || current.endMs !== undefined) return;
    current.endMs = nowMs;
    current.endedAtMs = wallMs;
    current.areaAtEnd = this.areaAt(nowMs);
  }

  /** An iteration starts now. */
  begin(nowMs: number): void {
    this.accumulate(nowMs);
    this.inFlight++;
  }

  /** An iteration that started in `stage` ends now, `latencyMs` after its (scheduled) start. */
  complete(nowMs: number, stage: number, latencyMs: number, outcome: IterationOutcome): void {
    this.accumulate(nowMs);
    this.inFlight--;
    const status = outcome.status ?? 0;
    this.count++;
    if (!outcome.ok) this.failed++;
    // Only the stage records it: the whole run is the merge of its stages, made when asked.
    (this.stages[stage]?.buckets ?? this.loose).record(outcome.name, status, latencyMs, outcome.ok);
    const current = this.stages.at(-1);
    if (current !== undefined && current.endMs === undefined) current.completed++;
    this.slotAt(nowMs).record(latencyMs, outcome.ok);
    if (outcome.error !== undefined) {
      this.errors.set(outcome.error, (this.errors.get(outcome.error) ?? 0) + 1);
    }
  }

  /** An iteration of `stage` was dropped (`maxVUs` in flight). */
  drop(stage: number): void {
    this.dropped++;
    const s = this.stages[stage];
    if (s !== undefined) s.dropped++;
  }

  /** An iteration was abandoned (interrupted at the end): it leaves the in-flight count unmeasured. */
  abandon(nowMs: number): void {
    this.accumulate(nowMs);
    this.inFlight--;
  }

  /**
   * Every iteration of the run, by tag: the stages merged into one reused set (a few histogram
   * additions per stage — for thresholds once a second and the end, not per request). The set is
   * rebuilt on each call, so a view of the whole run shows the latest one.
   */
  wholeRun(): TaggedBuckets {
    this.merged.reset();
    this.merged.add(this.loose);
    for (const s of this.stages) this.merged.add(s.buckets);
    return this.merged;
  }

  /** The whole run so far, as thresholds see it. */
  view(nowMs: number): MetricsView {
    return new BucketView(this.wholeRun(), (nowMs - this.startMs) / 1000, this.dropped);
  }

  /** One stage, as thresholds see it (its iterations, however late they completed). */
  stageView(index: number, nowMs: number): MetricsView {
    const s = this.stage(index);
    return new BucketView(s.buckets, ((s.endMs ?? nowMs) - s.startMs) / 1000, s.dropped);
  }

  /** A breakpoint step's measurement: `rate` offered (per second), completions per second during it, its concurrency and view. */
  stepMeasurement(index: number, rate: number, nowMs: number): StepMeasurement {
    const view = this.stageView(index, nowMs);
    return {
      offered: rate,
      achieved: view.durationS > 0 ? this.stage(index).completed / view.durationS : 0,
      concurrency: this.stageConcurrency(index, nowMs),
      view,
    };
  }

  /** A stage's mean iterations in flight (time average). */
  stageConcurrency(index: number, nowMs: number): number {
    const s = this.stage(index);
    const end = s.endMs ?? nowMs;
    const area = (s.areaAtEnd ?? this.areaAt(nowMs)) - s.areaAtStart;
    return end > s.startMs ? area / (end - s.startMs) : 0;
  }

  /** Mean iterations in flight over the run so far. */
  concurrency(nowMs: number): number {
    return nowMs > this.startMs ? this.areaAt(nowMs) / (nowMs - this.startMs) : 0;
  }

  /** Completions per second over about the last second, and p95 over the last 5 s (ms). */
  recent(nowMs: number): { rate: number; p95Ms: number | undefined } {
    const epoch = Math.floor(nowMs / SLOT_MS);
    const into = (nowMs - epoch * SLOT_MS) / SLOT_MS;
    const countOf = (e: number): number => {
      const slot = e < 0 ? undefined : this.slots[e % SLOTS]!;
      return slot?.epoch === e ? slot.bucket.count : 0;
    };
    const rate = countOf(epoch) + countOf(epoch - 1) * (1 - into);
    this.recentScratch.reset();
    for (const slot of this.slots) {
      if (slot.epoch > epoch - SLOTS) this.recentScratch.add(slot.bucket);
    }
    return { rate, p95Ms: this.recentScratch.percentileMs(95) };
  }

  private stage(index: number): StageRecord {
    const s = this.stages[index];
    if (s === undefined) throw new RangeError(`no stage ${index}`);
    return s;
  }

  private slotAt(nowMs: number): Bucket {
    const epoch = Math.floor(nowMs / SLOT_MS);
    const slot = this.slots[epoch % SLOTS]!;
    if (slot.epoch !== epoch) {
      slot.epoch = epoch;
      slot.bucket.reset();
    }
    return slot.bucket;
  }

  private accumulate(nowMs: number): void {
    if (nowMs > this.lastChangeMs) {
      this.area += this.inFlight * (nowMs - this.lastChangeMs);
      this.lastChangeMs = nowMs;
    }
  }

  private areaAt(nowMs: number): number {
    return this.area + this.inFlight * Math.max(0, nowMs - this.lastChangeMs);
  }
}
