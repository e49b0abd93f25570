/**
 * Little's law, L = λW: the mean number of items in a stable system equals the mean arrival
 * rate times the mean time an item spends there. It holds for any arrival and service
 * distribution and any discipline, for the queue alone or the whole system, as long as L, λ and
 * W describe the same boundary over the same long run.
 */
import { requireNonNegative, requirePositive } from './validate.ts';

/** Mean number of items present (L), from the arrival rate (1/s) and the mean time (s). */
export function littleQueueLength(input: { arrivalRatePerSec: number; waitSec: number }): number {
  requireNonNegative('arrivalRatePerSec', input.arrivalRatePerSec);
  requireNonNegative('waitSec', input.waitSec);
  return input.arrivalRatePerSec * input.waitSec;
}

/** Mean arrival rate (λ), in items per second, from the mean count and the mean time (s). */
export function littleArrivalRatePerSec(input: { queueLength: number; waitSec: number }): number {
  requireNonNegative('queueLength', input.queueLength);
  requirePositive('waitSec', input.waitSec);
  return input.queueLength / input.waitSec;
}

/** Mean time an item spends (W), in seconds, from the mean count and the arrival rate (1/s). */
export function littleWaitSec(input: { queueLength: number; arrivalRatePerSec: number }): number {
  requireNonNegative('queueLength', input.queueLength);
  requirePositive('arrivalRatePerSec', input.arrivalRatePerSec);
  return input.queueLength / input.arrivalRatePerSec;
}
