/**
 * Values seen since the page opened, for the live charts: one short series per key
 * (`util:nats.storage`, `trigger:queue-depth`), at most `MAX_POINTS` each, oldest first.
 */

/** Points kept per series (10 minutes at a 1 s interval, 2.5 hours at 15 s). */
export const MAX_POINTS = 600;

/** One recorded value. */
export interface HistoryPoint {
  /** Epoch ms. */
  t: number;
  /** Value, canonical units. */
  v: number;
}

/** Live series by key. */
export class History {
  private readonly series = new Map<string, HistoryPoint[]>();

  /** Records a value at `t`; a second value at the same `t` replaces the first. */
  record(key: string, t: number, v: number | undefined): void {
    if (v === undefined || !Number.isFinite(v)) return;
    let points = this.series.get(key);
    if (!points) this.series.set(key, (points = []));
    const last = points.at(-1);
    if (last && last.t === t) last.v = v;
    else if (!last || last.t < t) points.push({ t, v });
    if (points.length > MAX_POINTS) points.splice(0, points.length - MAX_POINTS);
  }

  /** The points of a key, oldest first (empty when none). */
  get(key: string): readonly HistoryPoint[] {
    return this.series.get(key) ?? [];
  }
}
