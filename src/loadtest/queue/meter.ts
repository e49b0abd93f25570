/**
 * The queue meter: reads a queue's backlog through the plan's own source for it (the registry's
 * `createSource`, with the source's options from the plan and the fields the meter needs), and
 * turns two readings around a load step into the step's figures.
 *
 * Backlog = jobs waiting + jobs in workers' hands, per kind: BullMQ `backlog` (waiting +
 * prioritized) + `active`; redis-list (Celery) `length` + `unacked` (kombu's hash is
 * broker-wide, but only its change matters here); RabbitMQ `ready` (over AMQP; the management
 * API's unacked lags by its 5 s sampling, so a message a worker holds counts as taken);
 * JetStream `num_pending` + `ack_pending` of the plan's consumer, or of the most loaded consumer
 * of the stream.
 *
 * Completions: the jobs workers took off the queue, i.e. finished plus the change of those in
 * hand. Over a steady step that is the completion rate, and a step that begins with idle
 * workers is not charged for the jobs still in hand at its end. Where the system counts finished
 * jobs (BullMQ's completed + failed sets) that count is used, as long as it agrees with
 * conservation (removeOnComplete trims the sets); else by conservation:
 * taken = added − Δwaiting over the step.
 */
import { HeadroomError } from '../../errors.ts';
import type { Plan } from '../../plan/types.ts';
import { isObservedSource } from '../../sources/health.ts';
import { createSource } from '../../sources/index.ts';
import type { MetricRequest, Sample, Source } from '../../sources/source.ts';
import type { QueueTargetSpec } from '../types.ts';
import { queueSourceOptions } from './target.ts';

/** One reading of the queue. */
export interface QueueReading {
  /** When it was read, epoch ms. */
  atMs: number;
  /** Jobs waiting plus jobs workers hold (active, unacked, ack pending), count. */
  backlog: number;
  /** Of those, jobs in workers' hands, count (0 where the system does not tell). */
  inHand: number;
  /** Jobs the system counts as processed so far (BullMQ completed + failed), when it counts them. */
  processed?: number;
  /** Consumers reading the queue (RabbitMQ consumers, JetStream consumers of the stream), when known. */
  consumers?: number;
}

/** What one load step did to the queue. */
export interface QueueStepFigures {
  /** Rate offered, jobs per second. */
  offered: number;
  /** Jobs the broker accepted during the step. */
  added: number;
  /** Jobs the workers took off the queue and completed (or hold) during the step. */
  completed: number;
  /** Completions per second. */
  completionRate: number;
  /** Backlog at the step's start and end, jobs. */
  backlogStart: number;
  backlogEnd: number;
  /** backlogEnd − backlogStart, jobs. */
  backlogGrowth: number;
  /** True when the backlog did not grow beyond `growthAllowance`: the pool kept up. */
  held: boolean;
  /** Where `completed` came from. */
  completionsFrom: 'counted' | 'conservation';
  /** Time between the two readings, seconds. */
  durationS: number;
}

/** Share of the jobs added in a step that the backlog may grow by while the pool still keeps up. */
export const GROWTH_TOLERANCE = 0.05;

/**
 * How much a backlog may grow over a step in which the pool keeps up, jobs: the jobs in hand at
 * its end (one per worker; 2 when the pool's size is unknown) plus 5 % of those added (the
 * arrivals' jitter).
 */
export function growthAllowance(added: number, workers?: number): number {
  return (workers ?? 2) + GROWTH_TOLERANCE * added;
}

/** The step's figures from the readings at its start and end and the jobs added between. */
export function stepFigures(args: {
  start: QueueReading;
  end: QueueReading;
  added: number;
  offered: number;
  workers?: number;
}): QueueStepFigures {
  const { start, end, added, offered, workers } = args;
  const durationS = Math.max(1e-3, (end.atMs - start.atMs) / 1000);
  const backlogGrowth = end.backlog - start.backlog;
  const allowance = growthAllowance(added, workers);
  const inHandGrowth = end.inHand - start.inHand;
  const conserved = Math.max(0, added - backlogGrowth + inHandGrowth);
  const counted =
    start.processed !== undefined && end.processed !== undefined
      ? end.processed - start.processed + inHandGrowth
      : undefined;
  const useCounted =
    counted !== undefined && counted >= 0 && Math.abs(counted - conserved) <= allowance;
  const completed = useCounted ? counted : conserved;
  return {
    offered,
    added,
    completed,
    completionRate: completed / durationS,
    backlogStart: start.backlog,
    backlogEnd: end.backlog,
    backlogGrowth,
    held: backlogGrowth <= allowance,
    completionsFrom: useCounted ? 'counted' : 'conservation',
    durationS,
  };
}

/** The source requests the meter makes for each kind (sample names are the meter's own). */
export function meterRequests(spec: QueueTargetSpec, consumer?: string): MetricRequest[] {
  const q = spec.name;
  switch (spec.kind) {
    case 'bullmq':
      return ['backlog', 'active', 'completed', 'failed'].map((field) => ({
        name: field,
        select: { queue: q, field },
      }));
    case 'redis-list':
      return [
        { name: 'length', select: { key: q, field: 'length' } },
        { name: 'unacked', select: { field: 'unacked' } },
      ];
    case 'rabbitmq':
      return [
        { name: 'ready', select: { queue: q, field: 'ready' } },
        { name: 'consumers', select: { queue: q, field: 'consumers' } },
      ];
    case 'nats-jetstream':
      return ['num_pending', 'ack_pending'].map((field) => ({
        name: field,
        select: { stream: q, field, ...(consumer ? { consumer } : {}) },
      }));
  }
}

/** A reading from the samples of `meterRequests`; throws when they cannot make one. */
export function readingOf(spec: QueueTargetSpec, samples: Sample[], atMs: number): QueueReading {
  const sum = (name: string): number =>
    samples.filter((s) => s.metric === name).reduce((total, s) => total + s.value, 0);
  switch (spec.kind) {
    case 'bullmq':
      return {
        atMs,
        backlog: sum('backlog') + sum('active'),
        inHand: sum('active'),
        processed: sum('completed') + sum('failed'),
      };
    case 'redis-list':
      return { atMs, backlog: sum('length') + sum('unacked'), inHand: sum('unacked') };
    case 'rabbitmq':
      return { atMs, backlog: sum('ready'), inHand: 0, consumers: sum('consumers') };
    case 'nats-jetstream':
      return jetStreamReading(spec, samples, atMs);
  }
}

/** The most loaded consumer of the stream (the plan's, when it names one). */
function jetStreamReading(spec: QueueTargetSpec, samples: Sample[], atMs: number): QueueReading {
  const byConsumer = new Map<string, { waiting: number; inHand: number }>();
  for (const s of samples) {
    const c = byConsumer.get(s.labels.consumer ?? '') ?? { waiting: 0, inHand: 0 };
    if (s.metric === 'num_pending') c.waiting += s.value;
    if (s.metric === 'ack_pending') c.inHand += s.value;
    byConsumer.set(s.labels.consumer ?? '', c);
  }
  const loads = [...byConsumer.values()].sort(
    (a, b) => b.waiting + b.inHand - (a.waiting + a.inHand),
  );
  const top = loads[0];
  if (!top) {
    throw new HeadroomError('LOADTEST_CONFIG', `no consumer reads stream "${spec.name}"`, {
      hint: 'start the workers (their durable consumer) before the load test',
    });
  }
  return {
    atMs,
    backlog: top.waiting + top.inHand,
    inHand: top.inHand,
    consumers: byConsumer.size,
  };
}

/** The consumer the plan's metrics name for a JetStream stream, when exactly one is named. */
export function planConsumer(plan: Plan, spec: QueueTargetSpec): string | undefined {
  const named = new Set(
    Object.values(plan.metrics)
      .filter((m) => m.source === spec.source && m.select.stream === spec.name)
      .map((m) => m.select.consumer)
      .filter((c): c is string => typeof c === 'string'),
  );
  return named.size === 1 ? [...named][0] : undefined;
}

/** Reads one queue through the plan's source for it. */
export class QueueMeter {
  private readonly source: Source;

  /** Builds the source (SOURCE_CONFIG when the plan's options are wrong); connects on the first read. */
  constructor(
    plan: Plan,
    private readonly spec: QueueTargetSpec,
    private readonly now: () => number = Date.now,
  ) {
    const consumer = spec.kind === 'nats-jetstream' ? planConsumer(plan, spec) : undefined;
    this.source = createSource(spec.kind, {
      name: spec.source,
      options: queueSourceOptions(plan, spec),
      metrics: meterRequests(spec, consumer),
      now,
      intervalMs: 1000,
    });
  }

  /** Reads the queue now; throws the source's catalogued error when any part fails. */
  async read(signal: AbortSignal): Promise<QueueReading> {
    const before = this.now();
    let samples: Sample[];
    if (isObservedSource(this.source)) {
      const result = await this.source.collectDetailed(signal);
      if (result.failures.length > 0) throw result.failures[0]!.error;
      samples = result.samples;
    } else {
      samples = await this.source.collect(signal);
    }
    // The reading stands for the middle of the round trip.
    return readingOf(this.spec, samples, (before + this.now()) / 2);
  }

  /** Closes the source's connection. */
  async close(): Promise<void> {
    await this.source.close();
  }
}
