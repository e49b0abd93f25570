/**
 * The simulator: scaling policies replayed against arrival traces, with no live system. A
 * trace (counts per bucket, or one row per arrival) and a service-time distribution give the
 * jobs; a discrete-event engine runs one FIFO queue and a worker pool under a policy (with
 * metric lag, worker start-up and graceful drain); the results are the summary `headroom
 * simulate` prints, a per-minute timeline and an SVG chart. Pure: no I/O, no clock, no
 * `Math.random` (a seeded generator). `docs/simulate.md` documents the model.
 */
export { arrivalsPerMinute, placeArrivals, poissonArrivals } from './arrivals.ts';
export { renderChart, type ChartInput } from './chart.ts';
export { comparePolicies, runPolicy, type CompareProgress, type RunSettings } from './compare.ts';
export { runEngine, type EngineInput, type EngineRun } from './engine.ts';
export { prepareJobs, type Jobs } from './jobs.ts';
export {
  defaultHpaTarget,
  policySpec,
  POLICY_NAMES,
  simPolicy,
  type PolicyContext,
  type SimPolicy,
} from './policies.ts';
export {
  quantileSorted,
  summarize,
  type MinutePoint,
  type RunResult,
  type SimulationSummary,
} from './results.ts';
export { Rng, streamRng } from './rng.ts';
export { formatObjective, renderComparison, renderSummary, type SimulateContext } from './text.ts';
export {
  drawServiceTimes,
  formatServiceTime,
  meanServiceSec,
  parseServiceTime,
  type ServiceSpec,
} from './service.ts';
export {
  parseTrace,
  type Trace,
  type TraceFormat,
  type TraceOptions,
  type TraceRow,
} from './trace.ts';
