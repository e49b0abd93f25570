/**
 * Erlang's loss (B) and delay (C) formulas for c identical servers offered A erlangs of Poisson
 * traffic. Both come from the recurrence B(0) = 1, B(k) = A·B(k−1) / (k + A·B(k−1)), which
 * never forms A^c or c! and so stays exact to rounding for any number of servers (10,000 and
 * beyond) in O(c) steps.
 */
import { requireInteger, requireNonNegative } from './validate.ts';

/**
 * Erlang B: the probability, 0..1, that an arrival finds all `servers` busy in a loss system
 * (M/M/c/c) offered `offeredLoadErlangs` (arrival rate × mean service time).
 */
export function erlangB(servers: number, offeredLoadErlangs: number): number {
  requireInteger('servers', servers, 0);
  requireNonNegative('offeredLoadErlangs', offeredLoadErlangs);
  const a = offeredLoadErlangs;
  let b = 1;
  for (let k = 1; k <= servers; k++) {
    const ab = a * b;
    b = ab / (k + ab);
  }
  return b;
}

/**
 * Erlang C: the probability, 0..1, that an arrival must wait in an M/M/c queue with `servers`
 * servers offered `offeredLoadErlangs`. It is 1 when the load is at or above the servers (the
 * queue grows without bound) and 0 when there is no load.
 */
export function erlangC(servers: number, offeredLoadErlangs: number): number {
  requireInteger('servers', servers, 1);
  requireNonNegative('offeredLoadErlangs', offeredLoadErlangs);
  if (offeredLoadErlangs >= servers) return 1;
  if (offeredLoadErlangs === 0) return 0;
  const b = erlangB(servers, offeredLoadErlangs);
  const utilization = offeredLoadErlangs / servers;
  // C = B / (1 − ρ(1 − B)): exact, and well conditioned because 1 − ρ(1 − B) > 1 − ρ > 0.
  return b / (1 - utilization * (1 - b));
}
