/**
 * Queueing models for capacity: Erlang B and C, the M/M/c queue and sizing it against a wait
 * objective, Little's law, and the Universal Scalability Law with a least-squares fit.
 */
export { erlangB, erlangC } from './erlang.ts';
export { littleArrivalRatePerSec, littleQueueLength, littleWaitSec } from './little.ts';
export { mmc, type MmcInput, type MmcResult } from './mmc.ts';
export { fitUsl, USL_MIN_POINTS, type UslFit } from './usl-fit.ts';
export { uslPeak, uslThroughput, validateUslParams, type UslParams, type UslPoint } from './usl.ts';
export {
  maxArrivalRateForServers,
  meetsWaitSlo,
  serversForWaitSlo,
  type MaxArrivalRateInput,
  type ServersForWaitSloInput,
  type WaitSlo,
} from './wait-slo.ts';
