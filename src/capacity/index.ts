/**
 * The capacity model (pure): drivers → loads → usage of every resource through the plan's
 * formulas, calibrated against measurements; breaking points, tiers, what-ifs, costs, and the
 * queueing models where load meets replicas.
 */
export { breakingPoints, type BreakingPoint } from './breaking-points.ts';
export { costSummary, monthlyVolume, MONTH_MS, type CostSummary } from './costs.ts';
export type { Frame } from './evaluate.ts';
export { fixFor, type Fix } from './fixes.ts';
export {
  buildCapacityModel,
  currentDrivers,
  type CapacityInput,
  type CapacityModel,
  type ResourceState,
} from './model.ts';
export { project } from './projection.ts';
export { breaksByScale, firstToBreakByScale, type ScaleBreak } from './scale.ts';
export { tierOutlook, type TierOutlook } from './tiers.ts';
export { forecastTriggers, type TriggerForecast } from './trigger-forecast.ts';
export { whatIf, type WhatIfQuestion, type WhatIfResult } from './whatif.ts';
