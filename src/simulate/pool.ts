/**
 * The simulated worker pool: how many workers are starting, idle, busy, and busy but leaving
 * once their job is done; the worker-time they cost, in total and per minute of the trace.
 * Workers are identical, so the pool keeps counts, not workers: a scale-down that reaches busy
 * workers marks that many to leave at their next completion, whichever ones finish first.
 */

/** Counts and cost of the pool. Times are epoch ms. */
export class WorkerPool {
  /** Workers ready and free. */
  idle: number;
  /** Workers serving a job (those leaving after it included). */
  busy = 0;
  /** Busy workers that leave when their job is done. */
  leaving = 0;
  /** Worker-milliseconds paid for so far. */
  workerMs = 0;
  /** Worker-milliseconds per minute of the trace (`perMinute` turns them into mean workers). */
  private readonly minuteMs: Float64Array;
  private readonly startMs: number;
  private readonly startupMs: number;
  /** Ready times of starting workers, a FIFO ring (start-up delay is constant, so in order). */
  private readyTimes: Float64Array;
  private readyHead = 0;
  private starting = 0;
  private since: number;

  /** A pool of `initial` ready workers at `startMs`, over `minutes` minutes of trace. */
  constructor(startMs: number, minutes: number, startupMs: number, initial: number) {
    this.startMs = startMs;
    this.since = startMs;
    this.startupMs = startupMs;
    this.idle = initial;
    this.minuteMs = new Float64Array(minutes);
    this.readyTimes = new Float64Array(64);
  }

  /** Replicas asked for: starting, idle and busy, less those leaving. */
  get requested(): number {
    return this.starting + this.idle + this.busy - this.leaving;
  }

  /** Replicas taking work. */
  get ready(): number {
    return this.idle + this.busy - this.leaving;
  }

  /** When the next starting worker becomes ready, or Infinity. */
  nextReadyAt(): number {
    return this.starting > 0 ? this.readyTimes[this.readyHead]! : Infinity;
  }

  /** The next starting worker is ready (and idle). */
  readyOne(): void {
    this.readyHead = (this.readyHead + 1) % this.readyTimes.length;
    this.starting--;
    this.idle++;
  }

  /** An idle worker takes a job. */
  idleToBusy(): void {
    this.idle--;
    this.busy++;
  }

  /** A busy worker found nothing to do. */
  busyToIdle(): void {
    this.busy--;
    this.idle++;
  }

  /** A busy worker finished at `t`: true when it was leaving (and is now gone). */
  releaseBusy(t: number): boolean {
    if (this.leaving === 0) return false;
    this.account(t);
    this.leaving--;
    this.busy--;
    return true;
  }

  /** Asks for `target` replicas at `t` (see the module doc of `engine.ts` for the order). */
  scaleTo(target: number, t: number): void {
    this.account(t);
    let k = target - this.requested;
    if (k > 0) {
      if (this.startupMs === 0) this.idle += k;
      else for (; k > 0; k--) this.pushStarting(t + this.startupMs);
      return;
    }
    k = -k;
    const cancelled = Math.min(k, this.starting);
    this.starting -= cancelled; // the newest, at the tail of the ring
    k -= cancelled;
    const idle = Math.min(k, this.idle);
    this.idle -= idle;
    this.leaving += k - idle;
  }

  /** Charges the pool up to `t` (call at the end of a run). */
  settle(t: number): void {
    this.account(t);
  }

  /** Mean workers paid for in each minute of the trace (the last may be partial). */
  perMinute(endMs: number): Float64Array {
    const out = new Float64Array(this.minuteMs.length);
    for (let m = 0; m < out.length; m++) {
      const from = this.startMs + m * 60_000;
      const length = Math.min(60_000, endMs - from);
      out[m] = length > 0 ? this.minuteMs[m]! / length : 0;
    }
    return out;
  }

  private pushStarting(readyAt: number): void {
    if (this.starting === this.readyTimes.length) {
      const bigger = new Float64Array(this.readyTimes.length * 2);
      for (let i = 0; i < this.starting; i++) {
        bigger[i] = this.readyTimes[(this.readyHead + i) % this.readyTimes.length]!;
      }
      this.readyTimes = bigger;
      this.readyHead = 0;
    }
    this.readyTimes[(this.readyHead + this.starting) % this.readyTimes.length] = readyAt;
    this.starting++;
  }

  /** Adds the cost of the workers present since the last change, up to `t`. */
  private account(t: number): void {
    const present = this.starting + this.idle + this.busy;
    let from = this.since;
    if (t <= from) return;
    this.workerMs += present * (t - from);
    this.since = t;
    if (present === 0) return;
    const bins = this.minuteMs.length;
    let m = Math.floor((from - this.startMs) / 60_000);
    while (from < t && m < bins) {
      const edge = Math.min(t, this.startMs + (m + 1) * 60_000);
      if (m >= 0) this.minuteMs[m]! += present * (edge - from);
      from = edge;
      m++;
    }
  }
}
