/**
 * The registry of source kinds: the name a plan writes as `kind:` → its factory and validator.
 * Add a kind by adding one line here (alphabetical); there is no central switch.
 */
import { closest } from 'fastest-levenshtein';
import { HeadroomError } from '../errors.ts';
import { bullmqKind } from './bullmq.ts';
import { hostKind } from './host.ts';
import { httpProbeKind } from './http-probe.ts';
import { natsJetStreamKind } from './nats-jetstream.ts';
import { postgresKind } from './postgres.ts';
import { prometheusKind } from './prometheus.ts';
import { rabbitmqKind } from './rabbitmq.ts';
import { redisListKind } from './redis-list.ts';
import type { Source, SourceContext, SourceKind } from './source.ts';

/** Every source kind a plan can name, by kind name, alphabetical. */
export const sourceKinds: Record<string, SourceKind> = {
  bullmq: bullmqKind,
  host: hostKind,
  'http-probe': httpProbeKind,
  'nats-jetstream': natsJetStreamKind,
  postgres: postgresKind,
  prometheus: prometheusKind,
  rabbitmq: rabbitmqKind,
  'redis-list': redisListKind,
};

/** Builds a source of kind `kindName`; throws SOURCE_CONFIG for an unknown kind or bad options. */
export function createSource(kindName: string, context: SourceContext): Source {
  // hasOwn, so that `kind: constructor` is not found on the object's prototype.
  const kind = Object.hasOwn(sourceKinds, kindName) ? sourceKinds[kindName] : undefined;
  if (!kind) {
    const known = Object.keys(sourceKinds);
    const guess = closest(kindName, known);
    throw new HeadroomError(
      'SOURCE_CONFIG',
      `source "${context.name}" has unknown kind "${kindName}" (did you mean "${guess}"?); known kinds: ${known.join(', ')}`,
      { path: `sources.${context.name}.kind`, hint: `write one of: ${known.join(', ')}` },
    );
  }
  return kind.create(context);
}
