/**
 * Open-loop pacing of job additions: iteration i of a segment starts at the moment the
 * segment's arrival rate (constant, or linear from `startPerS` to `endPerS` as in k6's
 * ramping-arrival-rate) has accumulated i arrivals, whatever the broker's latency. At most
 * `maxVUs` adds are in flight: a due add beyond that is dropped and counted, as k6 does. Latency
 * is measured from the scheduled start, so a slow broker cannot hide behind its own slowness.
 *
 * Written for `--queue` because one step at a time has to be bracketed by queue readings; the
 * arithmetic is k6's.
 */
import { setMaxListeners } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Target } from '../types.ts';

/** One stretch of load: the rate at its start and end (jobs per second) and its length. */
export interface PaceSegment {
  /** Rate at the start, per second. */
  startPerS: number;
  /** Rate at the end, per second (equal to `startPerS` for a constant rate). */
  endPerS: number;
  /** Length, ms. */
  durationMs: number;
}

/** What a segment did. */
export interface PacedSegment {
  /** When it began and ended, epoch ms. */
  startedAt: number;
  endedAt: number;
  /** Adds the broker accepted. */
  added: number;
  /** Adds that failed (refused, timed out, connection lost). */
  failed: number;
  /** Adds dropped because `maxVUs` were in flight. */
  dropped: number;
  /** Latency of every add that settled, from its scheduled start, ms. */
  latenciesMs: number[];
  /** Failed adds by error class. */
  errors: Record<string, number>;
  /** Mean adds in flight (time average). */
  concurrency: number;
}

/** Seconds into a segment at which arrival `i` (0-based) is due; undefined past its end. */
export function arrivalTimeS(segment: PaceSegment, i: number): number | undefined {
  const d = segment.durationMs / 1000;
  const r0 = segment.startPerS;
  const a = (segment.endPerS - r0) / (2 * d);
  let t: number;
  if (Math.abs(a) < 1e-12) {
    if (r0 <= 0) return undefined;
    t = i / r0;
  } else {
    const disc = r0 * r0 + 4 * a * i;
    if (disc < 0) return undefined;
    t = (-r0 + Math.sqrt(disc)) / (2 * a);
  }
  return t < d ? t : undefined;
}

/** Adds jobs to a target on schedule, segment after segment; keeps live totals for progress. */
export class Pacer {
  /** Adds in flight now. */
  inFlight = 0;
  /** Totals over every segment so far. */
  readonly totals = { added: 0, failed: 0, dropped: 0 };
  /** Latencies of recent adds, ms, newest last (for the live p95). */
  readonly recentMs: { at: number; ms: number }[] = [];
  /** The rate being offered now, per second. */
  currentPerS = 0;

  constructor(
    private readonly target: Target,
    private readonly maxVUs: number,
  ) {}

  /** Runs one segment; resolves when its last add settled. Stops scheduling when `signal` aborts. */
  async run(segment: PaceSegment, stop: AbortSignal): Promise<PacedSegment> {
    // Every add in flight listens to the signal: a private one may have that many listeners.
    const signal = AbortSignal.any([stop]);
    setMaxListeners(0, signal);
    const out: PacedSegment = {
      startedAt: Date.now(),
      endedAt: 0,
      added: 0,
      failed: 0,
      dropped: 0,
      latenciesMs: [],
      errors: {},
      concurrency: 0,
    };
    const t0 = performance.now();
    let area = 0;
    let lastChange = t0;
    const track = (delta: number): void => {
      const now = performance.now();
      area += this.inFlight * (now - lastChange);
      lastChange = now;
      this.inFlight += delta;
    };
    const pending = new Set<Promise<void>>();
    for (let i = 0; !signal.aborted; i++) {
      const dueS = arrivalTimeS(segment, i);
      if (dueS === undefined) break;
      const due = t0 + dueS * 1000;
      this.currentPerS = rateAt(segment, dueS);
      const wait = due - performance.now();
      if (wait > 1) await sleep(wait, undefined, { signal }).catch(() => undefined);
      if (signal.aborted) break;
      if (this.inFlight >= this.maxVUs) {
        out.dropped++;
        this.totals.dropped++;
        continue;
      }
      track(+1);
      const add = this.one(due, out, signal).finally(() => {
        track(-1);
        pending.delete(add);
      });
      pending.add(add);
    }
    // Wait out the rest of the segment's time even when its last arrival came early.
    const left = t0 + segment.durationMs - performance.now();
    if (left > 1 && !signal.aborted)
      await sleep(left, undefined, { signal }).catch(() => undefined);
    await Promise.all(pending);
    track(0);
    this.currentPerS = 0;
    out.endedAt = Date.now();
    out.concurrency = area / Math.max(1, lastChange - t0);
    return out;
  }

  private async one(dueMs: number, out: PacedSegment, signal: AbortSignal): Promise<void> {
    const outcome = await this.target.iterate(signal);
    const ms = performance.now() - dueMs;
    out.latenciesMs.push(ms);
    this.recentMs.push({ at: performance.now(), ms });
    if (this.recentMs.length > 20_000) this.recentMs.splice(0, 10_000);
    if (outcome.ok) {
      out.added++;
      this.totals.added++;
    } else {
      out.failed++;
      this.totals.failed++;
      const key = outcome.error ?? 'error';
      out.errors[key] = (out.errors[key] ?? 0) + 1;
    }
  }
}

/** The segment's rate `tS` seconds in, per second. */
function rateAt(segment: PaceSegment, tS: number): number {
  const d = segment.durationMs / 1000;
  return segment.startPerS + ((segment.endPerS - segment.startPerS) * tS) / d;
}
