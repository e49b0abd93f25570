/**
 * Axis helpers for the simulation chart: "nice" value ticks, time ticks at round steps, and
 * the text of a time label. No dependency; times are shown in UTC, as traces are read.
 */

/** About `count` round values (1, 2, 5 × 10^k steps) from 0 to at least `max`. */
export function niceTicks(max: number, count = 4): number[] {
  const top = max > 0 ? max : 1;
  const raw = top / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? 10 * power;
  const ticks: number[] = [];
  for (let v = 0; v <= top + step * 1e-9; v += step) ticks.push(Number(v.toPrecision(12)));
  if (ticks[ticks.length - 1]! < top) ticks.push(Number((ticks.length * step).toPrecision(12)));
  return ticks;
}

const MINUTE = 60_000;
/** Time steps the axis may use, ms. */
const TIME_STEPS = [
  5,
  10,
  15,
  30,
  60,
  120,
  180,
  360,
  720,
  1440,
  2 * 1440,
  7 * 1440,
  14 * 1440,
  28 * 1440,
].map((m) => m * MINUTE);

/** Round times between `fromMs` and `toMs` for about `count` labels, and their step. */
export function timeTicks(
  fromMs: number,
  toMs: number,
  count = 8,
): { at: number[]; stepMs: number } {
  const span = Math.max(MINUTE, toMs - fromMs);
  const stepMs = TIME_STEPS.find((s) => span / s <= count) ?? TIME_STEPS[TIME_STEPS.length - 1]!;
  const at: number[] = [];
  for (let t = Math.ceil(fromMs / stepMs) * stepMs; t <= toMs; t += stepMs) at.push(t);
  return { at, stepMs };
}

/** A time label: `HH:MM` for steps under a day (with `MM-DD` at midnight), else `MM-DD`. */
export function timeLabel(t: number, stepMs: number): string {
  const iso = new Date(t).toISOString();
  const day = iso.slice(5, 10);
  const clock = iso.slice(11, 16);
  if (stepMs >= 1440 * MINUTE) return day;
  return clock === '00:00' ? `${day} 00:00` : clock;
}

/** A number for an axis label: `1.5k`, `250`, `0.5`. */
export function shortNumber(v: number): string {
  if (Math.abs(v) >= 1e6) return `${Number((v / 1e6).toPrecision(3))}M`;
  if (Math.abs(v) >= 1e4) return `${Number((v / 1e3).toPrecision(3))}k`;
  return String(Number(v.toPrecision(3)));
}
