/**
 * The demo's clock: simulated time that starts at a real moment and runs `speed` times faster
 * than the wall clock (1440: a simulated day per real minute). Every stage of the pipeline reads
 * it, so `for: 10m` in a trigger means ten simulated minutes.
 */

/** A compressed clock. */
export class DemoClock {
  private readonly realStart = performance.now();

  /**
   * @param start simulated time at the start, epoch ms
   * @param speed simulated ms per real ms
   */
  constructor(
    private readonly start: number,
    private readonly speed: number,
  ) {}

  /** Simulated time now, epoch ms. */
  now(): number {
    return Math.round(this.start + (performance.now() - this.realStart) * this.speed);
  }
}
