/**
 * Job arrival times for a run, epoch ms, ascending:
 *
 * - from a trace of counts, each bucket's n arrivals are placed uniformly at random inside it
 *   (a Poisson process conditioned on its count). The n sorted uniforms are drawn directly as
 *   normalised partial sums of n + 1 exponentials, in O(n) with no sort;
 * - from a trace of arrivals, the trace's own times;
 * - for a model run (`poissonArrivals`), a Poisson process of a given rate.
 */
import type { Rng } from './rng.ts';
import type { Trace } from './trace.ts';

/** The arrival times of a trace's jobs (see the module doc). */
export function placeArrivals(trace: Trace, rng: Rng): Float64Array {
  if (trace.kind === 'arrivals' || trace.counts === null || trace.spans === null) {
    return Float64Array.from(trace.times);
  }
  const out = new Float64Array(trace.jobs);
  let k = 0;
  for (let b = 0; b < trace.counts.length; b++) {
    const n = trace.counts[b]!;
    if (n === 0) continue;
    let sum = 0;
    for (let j = 0; j < n; j++) {
      sum += -Math.log(rng.uniform());
      out[k + j] = sum;
    }
    sum += -Math.log(rng.uniform());
    const start = trace.times[b]!;
    const scale = trace.spans[b]! / sum;
    for (let j = 0; j < n; j++) out[k + j] = start + out[k + j]! * scale;
    k += n;
  }
  return out;
}

/** `n` arrivals of a Poisson process with `ratePerSec`, the first after `startMs`. */
export function poissonArrivals(
  ratePerSec: number,
  n: number,
  rng: Rng,
  startMs = 0,
): Float64Array {
  if (!(ratePerSec > 0)) throw new RangeError('ratePerSec must be > 0');
  const out = new Float64Array(n);
  const meanGapMs = 1000 / ratePerSec;
  let t = startMs;
  for (let i = 0; i < n; i++) {
    t += rng.exponential(meanGapMs);
    out[i] = t;
  }
  return out;
}

/** Arrivals in each whole minute from `startMs` (`minutes` of them; later ones are dropped). */
export function arrivalsPerMinute(
  arrivals: Float64Array,
  startMs: number,
  minutes: number,
): number[] {
  const counts = new Array<number>(minutes).fill(0);
  for (let i = 0; i < arrivals.length; i++) {
    const m = Math.floor((arrivals[i]! - startMs) / 60_000);
    if (m >= 0 && m < minutes) counts[m]!++;
  }
  return counts;
}
