/**
 * How many workers serve the queue, to turn the pool's throughput into throughput per worker:
 * `--workers` when given; else the plan component's replicas: its `replicas.metric` read once
 * now (a source metric; a derived one or a failed read falls back), else `replicas.current` (or
 * a plain `replicas: N`); else, for RabbitMQ, the queue's consumers as the broker counts them.
 */
import type { Plan } from '../../plan/types.ts';
import { canonicalSamples } from '../../runtime/collect.ts';
import { createSource } from '../../sources/index.ts';
import type { QueueTargetSpec } from '../types.ts';

/** The pool's size and where it came from. */
export interface PoolSize {
  /** Workers, when known. */
  workers?: number;
  /** `flag` (--workers), `replicas.metric`, `replicas.current`, `consumers`, or `unknown`. */
  from: 'flag' | 'replicas.metric' | 'replicas.current' | 'consumers' | 'unknown';
}

/** How long the one read of `replicas.metric` may take, in ms. */
const REPLICAS_READ_TIMEOUT_MS = 5000;

/** The pool's size before the test; `consumers` (RabbitMQ's count) is the last resort. */
export async function poolSize(
  plan: Plan,
  spec: QueueTargetSpec,
  flag?: number,
  consumers?: number,
): Promise<PoolSize> {
  if (flag !== undefined) return { workers: flag, from: 'flag' };
  const replicas = spec.component ? plan.raw.components?.[spec.component]?.replicas : undefined;
  if (typeof replicas === 'number') return { workers: replicas, from: 'replicas.current' };
  if (replicas?.metric !== undefined) {
    const measured = await readCount(plan, replicas.metric);
    if (measured !== undefined && measured > 0)
      return { workers: measured, from: 'replicas.metric' };
  }
  if (replicas?.current !== undefined)
    return { workers: replicas.current, from: 'replicas.current' };
  if (spec.kind === 'rabbitmq' && consumers !== undefined && consumers > 0) {
    return { workers: consumers, from: 'consumers' };
  }
  return { from: 'unknown' };
}

/** A source metric's value now (its series summed, rounded), or undefined when it cannot be read. */
export async function readCount(plan: Plan, metricName: string): Promise<number | undefined> {
  const metric = plan.metrics[metricName];
  const config = metric?.source ? plan.raw.sources?.[metric.source] : undefined;
  if (!metric?.source || !config) return undefined;
  const { kind, ...options } = config;
  try {
    const source = createSource(kind, {
      name: metric.source,
      options,
      metrics: [{ name: metric.name, select: metric.select }],
      now: Date.now,
    });
    try {
      const samples = await source.collect(AbortSignal.timeout(REPLICAS_READ_TIMEOUT_MS));
      const values = canonicalSamples(plan, samples).map((s) => s.value);
      return values.length === 0 ? undefined : Math.round(values.reduce((a, b) => a + b, 0));
    } finally {
      await source.close();
    }
  } catch {
    return undefined;
  }
}
