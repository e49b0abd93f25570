/**
 * Readings of the queue while a load test runs: several a second in the background (for the live
 * line and the backlog bound), and on demand at step boundaries. It keeps the jobs added so far
 * beside each reading, so the completion rate over any stretch follows by conservation.
 *
 * The bound: the test must never flood the user's queue. The backlog may grow above where it
 * stood before the test by at most `MAX_BACKLOG_JOBS`, and by at most `MAX_BACKLOG_WORK_S` of
 * work at the best completion rate seen (never less than `MIN_BACKLOG_BOUND` jobs).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { QueueMeter, QueueReading } from './meter.ts';

/** Readings per second in the background. */
export const SAMPLES_PER_S = 5;
/** Most jobs a test may leave waiting above the backlog it found. */
export const MAX_BACKLOG_JOBS = 10_000;
/** Most work, in seconds at the best completion rate seen, a test may leave waiting. */
export const MAX_BACKLOG_WORK_S = 60;
/** The bound is never below this many jobs (before a completion rate is known, the first steps need room). */
export const MIN_BACKLOG_BOUND = 100;

/** How long one reading of the queue may take, ms. */
export const READ_TIMEOUT_MS = 5000;
/** How long a drain waits for the backlog to fall at all before it gives up, ms. */
export const STALL_MS = 3000;

/** A reading with the jobs added up to it. */
export interface Sampled extends QueueReading {
  /** Jobs the broker had accepted from this test when it was read. */
  addedSoFar: number;
}

/** The backlog growth allowed above the starting backlog, jobs, given the best completion rate per second. */
export function backlogBound(bestRatePerS: number): number {
  return Math.min(MAX_BACKLOG_JOBS, Math.max(MIN_BACKLOG_BOUND, MAX_BACKLOG_WORK_S * bestRatePerS));
}

/** Jobs taken per second between two readings, by conservation; undefined when too close in time. */
export function rateBetween(a: Sampled, b: Sampled, minSpanMs = 500): number | undefined {
  const span = b.atMs - a.atMs;
  if (span < minSpanMs) return undefined;
  const waitingGrowth = b.backlog - b.inHand - (a.backlog - a.inHand);
  const completed = b.addedSoFar - a.addedSoFar - waitingGrowth;
  return Math.max(0, completed) / (span / 1000);
}

/** Reads the queue in the background and on demand; one read at a time. */
export class Sampler {
  /** Readings, oldest first (the last few minutes). */
  readonly history: Sampled[] = [];
  /** The best completion rate measured so far (whole steps), per second. */
  bestRatePerS = 0;
  /** The first read error of the background loop, if any. */
  error: unknown;
  private chain: Promise<unknown> = Promise.resolve();
  private readonly stop = new AbortController();
  private loop: Promise<void> | undefined;

  constructor(
    private readonly meter: QueueMeter,
    private readonly addedSoFar: () => number,
    /** Called after each background reading (the bound check). */
    private readonly onReading: (r: Sampled) => void = () => undefined,
  ) {}

  /** The backlog before the test, jobs (the first reading). */
  get baseline(): Sampled | undefined {
    return this.history[0];
  }

  /** The latest reading. */
  get latest(): Sampled | undefined {
    return this.history.at(-1);
  }

  /**
   * Reads now (after any read in flight); rejects with the source's error. Bounded by its own
   * deadline, not by the test's Ctrl-C: an interrupted test still reads the queue for its report.
   */
  read(signal: AbortSignal = AbortSignal.timeout(READ_TIMEOUT_MS)): Promise<Sampled> {
    const next = this.chain.then(async () => {
      const reading = await this.meter.read(signal);
      const sampled = { ...reading, addedSoFar: this.addedSoFar() };
      this.history.push(sampled);
      if (this.history.length > 2000) this.history.splice(1, 1000);
      return sampled;
    });
    this.chain = next.catch(() => undefined);
    return next;
  }

  /** Starts the background readings. */
  start(): void {
    this.loop ??= this.run();
  }

  /** Stops the background readings and waits for the last one. */
  async close(): Promise<void> {
    this.stop.abort();
    await this.loop;
  }

  /** Completions per second over the last second or so of readings (0 before there are two). */
  recentRate(): number {
    const last = this.latest;
    if (!last) return 0;
    const from = [...this.history].reverse().find((r) => last.atMs - r.atMs >= 1000);
    return (from && rateBetween(from, last)) ?? 0;
  }

  /**
   * Waits until the backlog is at most `target` jobs, reading several times a second; resolves
   * the last reading and whether it got there within `maxWaitMs`. Gives up early when the
   * backlog has not fallen for `STALL_MS` (no worker is taking jobs).
   */
  async drainTo(
    target: number,
    maxWaitMs: number,
    signal: AbortSignal,
  ): Promise<{ reading: Sampled; drained: boolean }> {
    const deadline = performance.now() + maxWaitMs;
    let lowest = Infinity;
    let lowestAt = performance.now();
    for (;;) {
      const reading = await this.read();
      if (reading.backlog <= target) return { reading, drained: true };
      const now = performance.now();
      if (reading.backlog < lowest) [lowest, lowestAt] = [reading.backlog, now];
      if (now >= deadline || now - lowestAt >= STALL_MS || signal.aborted) {
        return { reading, drained: false };
      }
      await sleep(1000 / SAMPLES_PER_S, undefined, { signal }).catch(() => undefined);
    }
  }

  private async run(): Promise<void> {
    const signal = this.stop.signal;
    while (!signal.aborted) {
      await sleep(1000 / SAMPLES_PER_S, undefined, { signal }).catch(() => undefined);
      if (signal.aborted) break;
      try {
        this.onReading(
          await this.read(AbortSignal.any([signal, AbortSignal.timeout(READ_TIMEOUT_MS)])),
        );
      } catch (error) {
        if (!signal.aborted) this.error ??= error;
      }
    }
  }
}
