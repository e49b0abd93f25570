/**
 * What the simulated metrics system saw, and when the autoscaler gets to see it. A measurement
 * is taken `lagMs` before each policy call (never before the start), like a scrape the
 * autoscaler reads later; its rates are over the window since the previous measurement (one
 * interval). Measurements wait in a small ring until their call. Besides the observation's own
 * fields, `metrics.jobs_in_system` is waiting plus in-service jobs (what KEDA's queue scalers
 * count by default, in-flight messages included).
 */
import type { Observation } from '../autoscale/index.ts';

/** The metric name of waiting plus in-service jobs, in `Observation.metrics`. */
export const JOBS_IN_SYSTEM = 'jobs_in_system';

/** The live state a measurement reads. */
export interface PoolReading {
  queueLength: number;
  inService: number;
  /** Arrival time of the oldest waiting job, epoch ms, or NaN when none waits. */
  oldestArrivalMs: number;
  /** Arrivals so far. */
  arrived: number;
  /** Completions so far. */
  completed: number;
}

/** A ring of measurements between their reading and the policy call that uses them. */
export class MetricsLag {
  private readonly size: number;
  private readonly at: Float64Array;
  private readonly queue: Float64Array;
  private readonly inService: Float64Array;
  private readonly oldest: Float64Array;
  private readonly arrived: Float64Array;
  private readonly completed: Float64Array;
  private readonly window: Float64Array;
  private readonly arrivedDelta: Float64Array;
  private readonly completedDelta: Float64Array;
  private taken = 0;
  private lastAt = NaN;
  private lastArrived = 0;
  private lastCompleted = 0;

  /** A ring for calls every `intervalMs` that see measurements `lagMs` old. */
  constructor(intervalMs: number, lagMs: number) {
    this.size = Math.floor(lagMs / intervalMs) + 2;
    const make = (): Float64Array => new Float64Array(this.size);
    this.at = make();
    this.queue = make();
    this.inService = make();
    this.oldest = make();
    this.arrived = make();
    this.completed = make();
    this.window = make();
    this.arrivedDelta = make();
    this.completedDelta = make();
  }

  /** How many measurements have been taken. */
  get count(): number {
    return this.taken;
  }

  /** Takes measurement number `count` at `now`. */
  take(now: number, r: PoolReading): void {
    const k = this.taken % this.size;
    this.at[k] = now;
    this.queue[k] = r.queueLength;
    this.inService[k] = r.inService;
    this.oldest[k] = r.oldestArrivalMs;
    this.window[k] = Number.isNaN(this.lastAt) ? 0 : now - this.lastAt;
    this.arrivedDelta[k] = r.arrived - this.lastArrived;
    this.completedDelta[k] = r.completed - this.lastCompleted;
    this.lastAt = now;
    this.lastArrived = r.arrived;
    this.lastCompleted = r.completed;
    this.taken++;
  }

  /**
   * The observation measurement `index` gives, with the live replica counts (the actuator's
   * value is read when the policy runs). Rates are absent when the window is empty (the first
   * measurements, all taken at the start).
   */
  observation(index: number, readyReplicas: number, currentReplicas: number): Observation {
    if (index >= this.taken || index < this.taken - this.size)
      throw new RangeError(`measurement ${index} is not in the ring`);
    const k = index % this.size;
    const at = this.at[k]!;
    const windowMs = this.window[k]!;
    const oldest = this.oldest[k]!;
    const obs: Observation = {
      at,
      ok: true,
      queueLength: this.queue[k]!,
      inService: this.inService[k]!,
      oldestWaitSec: Number.isNaN(oldest) ? 0 : (at - oldest) / 1000,
      metrics: { [JOBS_IN_SYSTEM]: this.queue[k]! + this.inService[k]! },
      readyReplicas,
      currentReplicas,
    };
    if (windowMs > 0) {
      obs.arrivalRatePerSec = (this.arrivedDelta[k]! * 1000) / windowMs;
      obs.completionRatePerSec = (this.completedDelta[k]! * 1000) / windowMs;
    }
    return obs;
  }
}
