/**
 * Reading what a policy scales on out of an `Observation`: a plan metric by name, or the queue
 * length when the metric is called `queue_length`.
 */
import type { Observation, ScaleMetricName } from './types.ts';

/** The metric name that means the observation's own queue length. */
export const QUEUE_LENGTH_METRIC = 'queue_length';

/**
 * The value of `metric` in the observation: `queueLength` for `queue_length`, else
 * `metrics[metric]`. Undefined when the read failed, the value is missing or it is not a finite
 * number (a policy must then not act on it).
 */
export function readMetric(observation: Observation, metric: ScaleMetricName): number | undefined {
  if (!observation.ok) return undefined;
  const value =
    metric === QUEUE_LENGTH_METRIC ? observation.queueLength : observation.metrics?.[metric];
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}
