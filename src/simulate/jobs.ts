/**
 * The jobs of a simulation: arrival times and service times drawn once from the trace, the
 * service-time distribution and the seed, so every policy compared sees exactly the same jobs.
 * Arrivals and service times come from separate random streams of the seed.
 */
import { arrivalsPerMinute, placeArrivals } from './arrivals.ts';
import { streamRng } from './rng.ts';
import { drawServiceTimes, meanServiceSec, type ServiceSpec } from './service.ts';
import type { Trace } from './trace.ts';

/** The jobs of a run, with the facts about them the policies and the summary need. */
export interface Jobs {
  /** Arrival times, epoch ms, ascending. */
  arrivals: Float64Array;
  /** Service time of each job, ms. */
  serviceMs: Float64Array;
  /** Start and end of the trace, epoch ms. */
  startMs: number;
  endMs: number;
  /** Whole minutes in the trace (the last may be partial). */
  minutes: number;
  /** Arrivals in each minute. */
  arrivalsPerMinute: number[];
  /** Mean service time of the distribution (or of the column), s. */
  serviceMeanSec: number;
}

/** Draws the jobs of `trace` with `service` times, from `seed`. */
export function prepareJobs(trace: Trace, service: ServiceSpec, seed: number): Jobs {
  const arrivals = placeArrivals(trace, streamRng(seed, 1));
  const column = service.kind === 'column' ? trace.durations.get(service.column) : undefined;
  if (service.kind === 'column' && !column)
    throw new RangeError(`the trace was not read with column ${service.column}`);
  const serviceMs = drawServiceTimes(service, arrivals.length, streamRng(seed, 2), column);
  const minutes = Math.max(1, Math.ceil((trace.endMs - trace.startMs) / 60_000));
  return {
    arrivals,
    serviceMs,
    startMs: trace.startMs,
    endMs: trace.endMs,
    minutes,
    arrivalsPerMinute: arrivalsPerMinute(arrivals, trace.startMs, minutes),
    serviceMeanSec: meanServiceSec(service, column),
  };
}
