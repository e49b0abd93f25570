/**
 * The producer of each queue kind, behind the `Target` contract: one iteration adds one job.
 * Register a kind by adding one line to `queueProducers` (alphabetical).
 */
import { HeadroomError } from '../../errors.ts';
import type { Plan } from '../../plan/types.ts';
import type { QueueTargetSpec, Target } from '../types.ts';
import { BullmqProducer } from './bullmq.ts';
import { JetStreamProducer } from './nats-jetstream.ts';
import { RabbitMqProducer } from './rabbitmq.ts';
import { CeleryProducer } from './redis-list.ts';

/** Opens a producer for a queue from its spec and its plan source's options (`kind` removed). */
export type QueueProducerFactory = (
  spec: QueueTargetSpec,
  options: Record<string, unknown>,
) => Promise<Target>;

/** The producer of each queue kind, alphabetical. */
export const queueProducers: Record<QueueTargetSpec['kind'], QueueProducerFactory> = {
  bullmq: (spec, options) => BullmqProducer.open(spec, options),
  'nats-jetstream': (spec, options) => JetStreamProducer.open(spec, options),
  rabbitmq: (spec, options) => RabbitMqProducer.open(spec, options),
  'redis-list': (spec, options) => CeleryProducer.open(spec, options),
};

/** The options of the plan source a queue spec names (`${ENV}` interpolated, `kind` removed). */
export function queueSourceOptions(plan: Plan, spec: QueueTargetSpec): Record<string, unknown> {
  const config = plan.raw.sources?.[spec.source];
  if (!config || config.kind !== spec.kind) {
    throw new HeadroomError(
      'LOADTEST_CONFIG',
      `plan "${plan.name}" has no ${spec.kind} source "${spec.source}"`,
      { file: plan.file, hint: 'resolve the queue from this plan (resolveQueueTarget)' },
    );
  }
  const { kind: _kind, ...options } = config;
  return options;
}

/** Opens the producer that adds `spec`'s jobs, with the connection settings of its plan source. */
export function openQueueTarget(plan: Plan, spec: QueueTargetSpec): Promise<Target> {
  return queueProducers[spec.kind](spec, queueSourceOptions(plan, spec));
}
