/**
 * Sizing an M/M/c queue against a waiting-time objective: the fewest servers that meet it at a
 * given arrival rate, and the highest arrival rate a given number of servers can take. Every
 * objective here gets easier with more servers and harder with more traffic, which is what
 * makes the searches below exact.
 */
import { mmc, type MmcResult } from './mmc.ts';
import {
  requireInteger,
  requireNonNegative,
  requireOpenProbability,
  requirePositive,
  requireProbability,
} from './validate.ts';

/**
 * A waiting-time objective, one of:
 * - `{ quantile, waitSec }`: the `quantile` (e.g. 0.95) of the wait is at most `waitSec` seconds;
 * - `{ meanWaitSec }`: the mean wait is at most `meanWaitSec` seconds (> 0);
 * - `{ maxProbabilityOfWait }`: at most this fraction (0 < p <= 1) of arrivals wait at all.
 * A mean wait or probability of exactly 0 is refused: with Poisson traffic no finite number of
 * servers reaches it (use `{ quantile, waitSec: 0 }` for "this fraction never waits").
 */
export type WaitSlo =
  | { quantile: number; waitSec: number }
  | { meanWaitSec: number }
  | { maxProbabilityOfWait: number };

/** Input to `serversForWaitSlo`. */
export interface ServersForWaitSloInput {
  /** Mean arrival rate, in arrivals per second. */
  arrivalRatePerSec: number;
  /** Mean service time of one arrival on one server, in seconds. */
  serviceTimeSec: number;
  /** The objective to meet. */
  slo: WaitSlo;
  /** Give up above this many servers (default 10,000,000). */
  maxServers?: number;
}

/** Input to `maxArrivalRateForServers`. */
export interface MaxArrivalRateInput {
  /** Number of identical servers. */
  servers: number;
  /** Mean service time of one arrival on one server, in seconds. */
  serviceTimeSec: number;
  /** The objective to meet. */
  slo: WaitSlo;
}

const DEFAULT_MAX_SERVERS = 10_000_000;
/** Bisection on the arrival rate stops at this relative width. */
const RELATIVE_TOLERANCE = 1e-9;
const MAX_BISECTIONS = 200;

/** True when a queue's steady state meets the objective (an unstable queue never does). */
export function meetsWaitSlo(queue: MmcResult, slo: WaitSlo): boolean {
  validateSlo(slo);
  if (!queue.stable) return false;
  if ('quantile' in slo) return queue.probabilityWaitExceeds(slo.waitSec) <= 1 - slo.quantile;
  if ('meanWaitSec' in slo) return queue.meanWaitSec <= slo.meanWaitSec;
  return queue.probabilityOfWait <= slo.maxProbabilityOfWait;
}

/**
 * The fewest servers that meet `slo` at the given traffic, or Infinity when no count up to
 * `maxServers` does. At least 1. Searches up from
 * the least stable count by doubling steps, then bisects: O(log c) evaluations of O(c) each.
 */
export function serversForWaitSlo(input: ServersForWaitSloInput): number {
  const { arrivalRatePerSec, serviceTimeSec, slo } = input;
  const maxServers = input.maxServers ?? DEFAULT_MAX_SERVERS;
  requireNonNegative('arrivalRatePerSec', arrivalRatePerSec);
  requirePositive('serviceTimeSec', serviceTimeSec);
  requireInteger('maxServers', maxServers, 1);
  validateSlo(slo);
  const meets = (servers: number): boolean =>
    meetsWaitSlo(mmc({ arrivalRatePerSec, serviceTimeSec, servers }), slo);
  const least = Math.floor(arrivalRatePerSec * serviceTimeSec) + 1;
  if (least > maxServers) return Infinity;
  if (meets(least)) return least;
  let fail = least;
  let step = 1;
  for (;;) {
    const next = Math.min(fail + step, maxServers);
    if (meets(next)) return bisectServers(meets, fail, next);
    if (next === maxServers) return Infinity;
    fail = next;
    step *= 2;
  }
}

/** Smallest count in (fail, pass] that meets, given `fail` does not and `pass` does. */
function bisectServers(meets: (servers: number) => boolean, fail: number, pass: number): number {
  while (pass - fail > 1) {
    const mid = Math.floor((fail + pass) / 2);
    if (meets(mid)) pass = mid;
    else fail = mid;
  }
  return pass;
}

/**
 * The highest arrival rate, in arrivals per second, that `servers` servers take while meeting
 * `slo` (to a relative 1e-9, from below: the returned rate itself meets the objective). Always
 * below the saturation rate servers / serviceTimeSec.
 */
export function maxArrivalRateForServers(input: MaxArrivalRateInput): number {
  const { servers, serviceTimeSec, slo } = input;
  requireInteger('servers', servers, 1);
  requirePositive('serviceTimeSec', serviceTimeSec);
  validateSlo(slo);
  const meets = (arrivalRatePerSec: number): boolean =>
    meetsWaitSlo(mmc({ arrivalRatePerSec, serviceTimeSec, servers }), slo);
  let pass = 0;
  let fail = servers / serviceTimeSec;
  for (let i = 0; i < MAX_BISECTIONS && fail - pass > RELATIVE_TOLERANCE * fail; i++) {
    const mid = (pass + fail) / 2;
    if (meets(mid)) pass = mid;
    else fail = mid;
  }
  return pass;
}

function validateSlo(slo: WaitSlo): void {
  if ('quantile' in slo) {
    requireOpenProbability('slo.quantile', slo.quantile);
    requireNonNegative('slo.waitSec', slo.waitSec);
  } else if ('meanWaitSec' in slo) {
    requirePositive('slo.meanWaitSec', slo.meanWaitSec);
  } else if ('maxProbabilityOfWait' in slo) {
    requireProbability('slo.maxProbabilityOfWait', slo.maxProbabilityOfWait);
    if (slo.maxProbabilityOfWait === 0) {
      throw new RangeError('slo.maxProbabilityOfWait must be > 0: some arrivals always wait');
    }
  } else {
    throw new RangeError(
      'slo must have { quantile, waitSec }, { meanWaitSec } or { maxProbabilityOfWait }',
    );
  }
}
