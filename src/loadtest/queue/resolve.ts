/**
 * `--queue NAME`: which queue of the plan a load test adds jobs to. NAME is a worker component
 * (through its `queue:` metric), a plan metric, or the queue's own name in its system. A derived
 * metric (`celery_queue_depth = celery_waiting + celery_unacked`) is followed down its formula to
 * the source metric on a `bullmq`, `redis-list`, `nats-jetstream` or `rabbitmq` source whose
 * selector names one queue (BullMQ `queue`, redis-list `key`, JetStream `stream`, RabbitMQ
 * `queue`); a metric that reads no single queue (kombu's broker-wide `unacked`) is passed by.
 *
 * The job an iteration adds: its name (BullMQ job name, Celery task name, JetStream subject
 * token, RabbitMQ message `type`) and its payload. A Celery worker runs only the tasks it knows,
 * so a redis-list queue needs the task's name; the other kinds default to `loadtest`.
 */
import { HeadroomError } from '../../errors.ts';
import type { Plan, PlanMetric } from '../../plan/types.ts';
import type { QueueTargetSpec } from '../types.ts';

/** The queue kinds a load test can drive, and the selector field that names the queue. */
export const QUEUE_NAME_FIELDS: Record<QueueTargetSpec['kind'], string> = {
  bullmq: 'queue',
  'nats-jetstream': 'stream',
  rabbitmq: 'queue',
  'redis-list': 'key',
};

/** Job name used when none is given (every kind but redis-list, whose Celery task must be named). */
export const DEFAULT_JOB_NAME = 'loadtest';

/** The job a scenario or the command line asks for; both fields optional. */
export interface JobRequest {
  /** BullMQ job name, Celery task name, JetStream subject token, RabbitMQ message type. */
  name?: string;
  /** Payload: BullMQ job data, Celery `args` (an array) or `kwargs` (an object), a message body. */
  data?: unknown;
}

/** One queue a plan metric reads. */
interface QueueRead {
  /** The source metric that names it. */
  metric: string;
  source: string;
  kind: QueueTargetSpec['kind'];
  name: string;
}

/** Resolves `ref` to the queue it names; throws LOADTEST_CONFIG (with the names that work) when it cannot. */
export function resolveQueueTarget(plan: Plan, ref: string, job?: JobRequest): QueueTargetSpec {
  const component = Object.hasOwn(plan.raw.components ?? {}, ref)
    ? plan.raw.components![ref]
    : undefined;
  let reads: QueueRead[];
  if (component) {
    if (component.queue === undefined) {
      throw configError(
        plan,
        `component "${ref}" has no queue`,
        `add \`queue: <its backlog metric>\` to components.${ref}, or name a queue: ${candidateList(plan)}`,
      );
    }
    reads = queuesBehind(plan, component.queue);
  } else if (Object.hasOwn(plan.metrics, ref)) {
    reads = queuesBehind(plan, ref);
  } else {
    reads = allQueueReads(plan).filter((r) => r.name === ref);
    if (reads.length === 0) {
      throw configError(
        plan,
        `"${ref}" is no worker component, metric or queue of plan "${plan.name}"`,
        `name one of: ${candidateList(plan)}`,
      );
    }
  }
  const read = singleQueue(plan, ref, reads);
  return {
    ref,
    source: read.source,
    kind: read.kind,
    name: read.name,
    job: jobOf(plan, read, job),
    component: component ? ref : ownerOf(plan, read),
  };
}

/** The one queue among `reads`; LOADTEST_CONFIG when there is none or more than one. */
function singleQueue(plan: Plan, ref: string, reads: QueueRead[]): QueueRead {
  const distinct = new Map(reads.map((r) => [`${r.source}\u0000${r.name}`, r]));
  const [first, ...others] = distinct.values();
  if (!first) {
    throw configError(
      plan,
      `"${ref}" reads no single queue of a bullmq, redis-list, nats-jetstream or rabbitmq source`,
      `name one of: ${candidateList(plan)}`,
    );
  }
  if (others.length > 0) {
    const shown = [first, ...others].map(describeRead).join(', ');
    throw configError(
      plan,
      `"${ref}" is ambiguous: it reads ${distinct.size} queues (${shown})`,
      `name the metric of the one to load: ${[first, ...others].map((r) => r.metric).join(', ')}`,
    );
  }
  return first;
}

/** The queues a metric reads: itself when it names one, else those its formula reads. */
export function queuesBehind(plan: Plan, name: string, seen = new Set<string>()): QueueRead[] {
  if (seen.has(name)) return [];
  seen.add(name);
  const metric = plan.metrics[name];
  if (!metric) return [];
  if (metric.source !== undefined) {
    const read = queueReadOf(plan, metric);
    return read ? [read] : [];
  }
  const names = [
    ...(metric.expr?.symbols ?? []),
    ...(metric.expr?.windows.map((w) => w.metric) ?? []),
  ];
  return [...new Set(names)].flatMap((n) => queuesBehind(plan, n, seen));
}

/** The queue a source metric names, when it is on a queue source and names exactly one. */
function queueReadOf(plan: Plan, metric: PlanMetric): QueueRead | undefined {
  const source = metric.source!;
  const kind = plan.raw.sources?.[source]?.kind;
  if (kind === undefined || !Object.hasOwn(QUEUE_NAME_FIELDS, kind)) return undefined;
  const queueKind = kind as QueueTargetSpec['kind'];
  const name = metric.select[QUEUE_NAME_FIELDS[queueKind]];
  // `stream: "*"` reads every stream: no single queue.
  if (typeof name !== 'string' || name === '' || (kind === 'nats-jetstream' && name === '*')) {
    return undefined;
  }
  return { metric: metric.name, source, kind: queueKind, name };
}

/** Every queue any source metric of the plan names. */
function allQueueReads(plan: Plan): QueueRead[] {
  return Object.values(plan.metrics).flatMap((m) => {
    const read = m.source === undefined ? undefined : queueReadOf(plan, m);
    return read ? [read] : [];
  });
}

/** The names `--queue` accepts in this plan: worker components, then metrics, each reading one queue. */
export function queueCandidates(plan: Plan): string[] {
  const one = (metric: string): boolean =>
    new Set(queuesBehind(plan, metric).map((r) => `${r.source}\u0000${r.name}`)).size === 1;
  const components = Object.entries(plan.raw.components ?? {})
    .filter(([, c]) => c.queue !== undefined && one(c.queue))
    .map(([name]) => name);
  const metrics = Object.keys(plan.metrics).filter(one);
  return [...components, ...metrics];
}

function candidateList(plan: Plan): string {
  const names = queueCandidates(plan);
  return names.length > 0
    ? names.join(', ')
    : 'none: add a metric `from:` a bullmq, redis-list, nats-jetstream or rabbitmq source that names its queue';
}

/** The worker component whose `queue:` metric reads this queue, if one does. */
function ownerOf(plan: Plan, read: QueueRead): string | undefined {
  return Object.entries(plan.raw.components ?? {}).find(
    ([, c]) =>
      c.queue !== undefined &&
      queuesBehind(plan, c.queue).some((r) => r.source === read.source && r.name === read.name),
  )?.[0];
}

function jobOf(plan: Plan, read: QueueRead, job: JobRequest | undefined): QueueTargetSpec['job'] {
  const name = job?.name ?? (read.kind === 'redis-list' ? undefined : DEFAULT_JOB_NAME);
  if (name === undefined || name === '') {
    throw configError(
      plan,
      `queue "${read.name}" is a Celery queue, and a Celery worker runs only the tasks it knows: name the task`,
      'give the job the task name the workers register (e.g. `job: { name: tasks.send_email }`)',
    );
  }
  return { name, data: job?.data ?? {} };
}

function describeRead(r: QueueRead): string {
  return `${r.kind} ${r.name} via ${r.metric}`;
}

function configError(plan: Plan, message: string, hint: string): HeadroomError {
  return new HeadroomError('LOADTEST_CONFIG', message, { file: plan.file, hint });
}
