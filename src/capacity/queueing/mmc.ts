/**
 * The M/M/c queue: Poisson arrivals, exponential service, c identical servers, one FIFO queue.
 * Closed forms from Erlang C; the waiting time is 0 with probability 1 − C and otherwise
 * exponential with rate cμ − λ, so P(W > t) = C·e^{−(cμ−λ)t}.
 */
import { erlangC } from './erlang.ts';
import { requireInteger, requireNonNegative, requirePositive } from './validate.ts';

/** What an M/M/c queue is given. */
export interface MmcInput {
  /** Mean arrival rate, in arrivals per second. */
  arrivalRatePerSec: number;
  /** Mean service time of one arrival on one server, in seconds. */
  serviceTimeSec: number;
  /** Number of identical servers (replicas, workers, agents). */
  servers: number;
}

/** Steady-state figures of an M/M/c queue. When unstable, waits and lengths are Infinity. */
export interface MmcResult {
  /** Offered load λ·S, in erlangs (the mean number of busy servers when stable). */
  offeredLoadErlangs: number;
  /** Offered load per server, λ·S / c (dimensionless; >= 1 means unstable). */
  utilization: number;
  /** True when λ < cμ, i.e. the queue has a steady state. */
  stable: boolean;
  /** Probability, 0..1, that an arrival waits at all (Erlang C); 1 when unstable. */
  probabilityOfWait: number;
  /** Mean time in the queue before service, in seconds. */
  meanWaitSec: number;
  /** Mean time in the system (wait plus service), in seconds. */
  meanResponseSec: number;
  /** Mean number of arrivals waiting (not in service), by Little's law. */
  meanQueueLength: number;
  /** The wait, in seconds, that a fraction `p` (0..1) of arrivals do not exceed. */
  waitQuantileSec(p: number): number;
  /** Probability, 0..1, that an arrival waits longer than `tSec` seconds. */
  probabilityWaitExceeds(tSec: number): number;
}

/** Steady-state waits, lengths and wait distribution of an M/M/c queue. */
export function mmc(input: MmcInput): MmcResult {
  const { arrivalRatePerSec: lambda, serviceTimeSec, servers } = input;
  requireNonNegative('arrivalRatePerSec', lambda);
  requirePositive('serviceTimeSec', serviceTimeSec);
  requireInteger('servers', servers, 1);
  const load = lambda * serviceTimeSec;
  const utilization = load / servers;
  if (load >= servers) return unstable(load, utilization);
  const c = erlangC(servers, load);
  // Rate at which the wait of a delayed arrival decays: cμ − λ, per second.
  const drainPerSec = (servers - load) / serviceTimeSec;
  const meanWaitSec = c / drainPerSec;
  const exceeds = (tSec: number): number => {
    if (Number.isNaN(tSec)) throw new RangeError('tSec must be a number; got NaN');
    return tSec < 0 ? 1 : c * Math.exp(-drainPerSec * tSec);
  };
  return {
    offeredLoadErlangs: load,
    utilization,
    stable: true,
    probabilityOfWait: c,
    meanWaitSec,
    meanResponseSec: meanWaitSec + serviceTimeSec,
    meanQueueLength: lambda * meanWaitSec,
    waitQuantileSec: (p) => waitQuantile(p, c, drainPerSec),
    probabilityWaitExceeds: exceeds,
  };
}

function waitQuantile(p: number, c: number, drainPerSec: number): number {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`p must be between 0 and 1; got ${String(p)}`);
  // Smallest t with P(W > t) <= 1 − p; an atom of 1 − C sits at t = 0.
  if (c <= 1 - p) return 0;
  if (p === 1) return Infinity;
  return Math.log(c / (1 - p)) / drainPerSec;
}

function unstable(load: number, utilization: number): MmcResult {
  return {
    offeredLoadErlangs: load,
    utilization,
    stable: false,
    probabilityOfWait: 1,
    meanWaitSec: Infinity,
    meanResponseSec: Infinity,
    meanQueueLength: Infinity,
    waitQuantileSec: (p) => {
      if (!(p >= 0 && p <= 1)) throw new RangeError(`p must be between 0 and 1; got ${String(p)}`);
      return Infinity;
    },
    probabilityWaitExceeds: (tSec) => {
      if (Number.isNaN(tSec)) throw new RangeError('tSec must be a number; got NaN');
      return 1;
    },
  };
}
