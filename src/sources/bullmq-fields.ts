/**
 * What the `bullmq` source reads for each queue, and how a field is computed from it. Pure:
 * no I/O, no clock (times come in as arguments), so every rule here is unit-tested on plain data.
 *
 * Counting follows BullMQ 6.7's `getCounts` script: lists by LLEN, sorted sets by ZCARD. Two
 * older shapes are still understood: the `paused` list that BullMQ before 6 moved a paused
 * queue's jobs into (counted as waiting), and the `0:<delay>` marker BullMQ 4 pushed onto the
 * `wait` and `paused` lists (not a job, so not counted).
 */
import type { ChainableCommander } from 'ioredis';
import { HeadroomError } from '../errors.ts';
import type { Reply } from './redis-connection.ts';

/** Fields a bullmq metric can read, with what each one is and its unit. */
export const BULLMQ_FIELDS = {
  waiting:
    'jobs waiting for a worker: the `wait` list (plus the `paused` list of BullMQ < 6), also while the queue is paused (count)',
  active: 'jobs being processed now (count)',
  delayed: 'jobs scheduled to run later, including those due but not yet promoted (count)',
  prioritized: 'jobs waiting with a priority, in the `prioritized` set (count)',
  waiting_children: 'parent jobs waiting for their children to finish (count)',
  failed: 'failed jobs kept in the `failed` set (count)',
  completed: 'completed jobs kept in the `completed` set; removeOnComplete trims it (count)',
  paused: 'jobs waiting while the queue is paused; 0 while it runs (count)',
  backlog: 'the jobs a worker would take next: waiting + prioritized (count)',
  completed_per_minute:
    'jobs completed per minute: the last whole minute from BullMQ metrics when enabled, else the change of `completed` since the previous collect (jobs/min)',
  oldest_wait:
    'how long the oldest job in the `wait` list has waited: now minus its timestamp and delay; 0 when none waits (seconds; prioritized jobs are not looked at)',
} as const;

/** A field name of the bullmq source. */
export type BullmqField = keyof typeof BULLMQ_FIELDS;

/** One command of a queue's reading: its name, the key it reads, and how to queue it. */
interface QueueRead {
  /** Name of the reply, for `QueueReading`. */
  name: string;
  /** Key suffix under `<prefix>:<queue>:`, for messages. */
  key: string;
  /** Adds the command to a pipeline; `key(suffix)` builds the full key. */
  add: (p: ChainableCommander, key: (suffix: string) => string) => unknown;
}

/** Every command the source may read per queue, in pipeline order (`readsFor` picks). */
export const QUEUE_READS = [
  { name: 'exists', key: 'meta', add: (p, k) => p.exists(k('meta'), k('id')) },
  { name: 'pausedFlag', key: 'meta', add: (p, k) => p.hexists(k('meta'), 'paused') },
  { name: 'wait', key: 'wait', add: (p, k) => p.llen(k('wait')) },
  { name: 'waitTail', key: 'wait', add: (p, k) => p.lindex(k('wait'), -1) },
  { name: 'pausedList', key: 'paused', add: (p, k) => p.llen(k('paused')) },
  { name: 'pausedTail', key: 'paused', add: (p, k) => p.lindex(k('paused'), -1) },
  { name: 'active', key: 'active', add: (p, k) => p.llen(k('active')) },
  { name: 'delayed', key: 'delayed', add: (p, k) => p.zcard(k('delayed')) },
  { name: 'prioritized', key: 'prioritized', add: (p, k) => p.zcard(k('prioritized')) },
  {
    name: 'waitingChildren',
    key: 'waiting-children',
    add: (p, k) => p.zcard(k('waiting-children')),
  },
  { name: 'failed', key: 'failed', add: (p, k) => p.zcard(k('failed')) },
  { name: 'completed', key: 'completed', add: (p, k) => p.zcard(k('completed')) },
  {
    name: 'metrics',
    key: 'metrics:completed',
    add: (p, k) => p.hmget(k('metrics:completed'), 'count', 'prevTS', 'prevCount'),
  },
  {
    name: 'metricsHead',
    key: 'metrics:completed:data',
    add: (p, k) => p.lindex(k('metrics:completed:data'), 0),
  },
] as const satisfies readonly QueueRead[];

/** Name of one reply in a queue's reading. */
export type ReadName = (typeof QUEUE_READS)[number]['name'];

/** The completed count of a queue at a previous collect. */
export interface CompletedBaseline {
  /** Jobs in the completed set then (count). */
  completed: number;
  /** When it was read, epoch ms. */
  atMs: number;
}

/** One queue's replies, with checked accessors that name the key when a reply is wrong. */
export class QueueReading {
  constructor(
    /** Queue name. */
    readonly queue: string,
    /** `<prefix>:<queue>:`, for messages. */
    readonly keyPrefix: string,
    private readonly replies: ReadonlyMap<ReadName, Reply>,
  ) {}

  /** True when the queue's `meta` or `id` key exists. */
  get exists(): boolean {
    const [error, value] = this.reply('exists');
    return error === null && Number(value) > 0;
  }

  /** The raw value of a reply, or undefined when Redis answered with an error. */
  raw(name: ReadName): unknown {
    const [error, value] = this.reply(name);
    return error === null ? value : undefined;
  }

  /** A count reply as a number, or undefined when it is an error or not a count. */
  number(name: ReadName): number | undefined {
    const value = Number(this.raw(name));
    return Number.isSafeInteger(value) && value >= 0 ? value : undefined;
  }

  /** A reply's value; throws SOURCE_BAD_VALUE naming the key when Redis answered an error. */
  value(name: ReadName): unknown {
    const [error, value] = this.reply(name);
    if (error) throw this.bad(name, `holds the wrong type of value for BullMQ (${error.message})`);
    return value;
  }

  /** A count reply; throws SOURCE_BAD_VALUE naming the key when it is not one. */
  count(name: ReadName): number {
    const value = this.value(name);
    const n = this.number(name);
    if (n === undefined) throw this.bad(name, `gave ${String(value)}, not a count`);
    return n;
  }

  /** A SOURCE_BAD_VALUE error about the key behind reply `name`. */
  bad(name: ReadName, problem: string): HeadroomError {
    const key = QUEUE_READS.find((r) => r.name === name)!.key;
    return new HeadroomError(
      'SOURCE_BAD_VALUE',
      `queue '${this.queue}': key '${this.keyPrefix}${key}' ${problem}`,
      { hint: 'another program writes under this prefix, or `prefix` is wrong' },
    );
  }

  private reply(name: ReadName): Reply {
    return this.replies.get(name) ?? [new Error('no reply'), null];
  }
}

const WAITING_READS: ReadName[] = ['wait', 'waitTail', 'pausedList', 'pausedTail'];
/** The replies each field needs, besides `exists`. */
const FIELD_READS: Record<BullmqField, ReadName[]> = {
  waiting: WAITING_READS,
  active: ['active'],
  delayed: ['delayed'],
  prioritized: ['prioritized'],
  waiting_children: ['waitingChildren'],
  failed: ['failed'],
  completed: ['completed'],
  paused: ['pausedFlag', ...WAITING_READS],
  backlog: [...WAITING_READS, 'prioritized'],
  completed_per_minute: ['completed', 'metrics', 'metricsHead'],
  oldest_wait: WAITING_READS,
};

/** The commands to read per queue for these fields, in `QUEUE_READS` order. */
export function readsFor(fields: Iterable<BullmqField>): (typeof QUEUE_READS)[number][] {
  const names = new Set<ReadName>(['exists']);
  for (const field of fields) for (const name of FIELD_READS[field]) names.add(name);
  return QUEUE_READS.filter((read) => names.has(read.name));
}

/** Builds a queue's reading from its replies to `reads` (in that order). */
export function readingOf(
  queue: string,
  keyPrefix: string,
  replies: Reply[],
  reads: readonly { name: ReadName }[] = QUEUE_READS,
): QueueReading {
  const byName = new Map<ReadName, Reply>();
  reads.forEach((read, i) => byName.set(read.name, replies[i] ?? [new Error('no reply'), null]));
  return new QueueReading(queue, keyPrefix, byName);
}

/** Jobs in a list, without BullMQ 4's `0:<delay>` marker at its tail. */
function jobsInList(r: QueueReading, list: 'wait' | 'pausedList', tail: ReadName): number {
  const length = r.count(list);
  const last = r.raw(tail);
  return length > 0 && typeof last === 'string' && last.startsWith('0:') ? length - 1 : length;
}

function waiting(r: QueueReading): number {
  return jobsInList(r, 'wait', 'waitTail') + jobsInList(r, 'pausedList', 'pausedTail');
}

function isPaused(r: QueueReading): boolean {
  return r.count('pausedFlag') === 1;
}

/** Value of a count field (every field but the two rates and ages) from a queue's reading. */
export function fieldValue(
  field: Exclude<BullmqField, 'completed_per_minute' | 'oldest_wait'>,
  r: QueueReading,
): number {
  switch (field) {
    case 'waiting':
      return waiting(r);
    case 'active':
      return r.count('active');
    case 'delayed':
      return r.count('delayed');
    case 'prioritized':
      return r.count('prioritized');
    case 'waiting_children':
      return r.count('waitingChildren');
    case 'failed':
      return r.count('failed');
    case 'completed':
      return r.count('completed');
    case 'paused':
      return isPaused(r) ? waiting(r) : jobsInList(r, 'pausedList', 'pausedTail');
    case 'backlog':
      return waiting(r) + r.count('prioritized');
  }
}

/** BullMQ's metrics hash for completed jobs (`<prefix>:<queue>:metrics:completed`). */
export interface CompletedMetrics {
  /** Jobs completed since metrics were enabled (count). */
  count: number;
  /** When the current minute's bucket was opened: the first completion in it, epoch ms. */
  prevTs: number;
  /** `count` when that bucket was opened. */
  prevCount: number;
  /** The newest data point: jobs completed in the minute before `prevTs`'s, if any. */
  lastPoint: number | undefined;
}

/**
 * Jobs completed in the last whole clock minute before `nowMs`, from BullMQ's metrics.
 * BullMQ closes a minute's bucket only when a job completes in a later minute: the open bucket
 * (`count - prevCount`, since `prevTs`) is the last whole minute when it began one minute ago;
 * when it began this minute, the last whole minute is the newest data point; older means none.
 */
export function completedInLastMinute(m: CompletedMetrics, nowMs: number): number {
  const nowMinute = Math.floor(nowMs / 60_000);
  const openMinute = Math.floor(m.prevTs / 60_000);
  if (openMinute >= nowMinute) return m.lastPoint ?? 0;
  if (openMinute === nowMinute - 1) return m.count - m.prevCount;
  return 0;
}

/** Reads the metrics hash; undefined when BullMQ metrics are not enabled on the queue. */
export function completedMetricsOf(r: QueueReading): CompletedMetrics | undefined {
  const fields = r.value('metrics');
  if (!Array.isArray(fields)) throw r.bad('metrics', 'gave no fields');
  const [count, prevTs, prevCount] = fields.map((v: unknown) =>
    v === null || v === undefined ? undefined : Number(v),
  );
  if (prevTs === undefined && count === undefined) return undefined;
  const headText = r.value('metricsHead');
  const lastPoint = headText === null || headText === undefined ? undefined : Number(headText);
  const numbers = [count, prevTs, prevCount ?? 0, lastPoint ?? 0];
  if (numbers.some((n) => n === undefined || !Number.isSafeInteger(n) || n < 0)) {
    throw r.bad('metrics', `is not BullMQ's metrics hash (count, prevTS, prevCount)`);
  }
  if (count! < (prevCount ?? 0)) throw r.bad('metrics', `has count ${count} below prevCount`);
  return { count: count!, prevTs: prevTs!, prevCount: prevCount ?? 0, lastPoint };
}

/**
 * completed_per_minute: from BullMQ's metrics when the queue has them, else from the change of
 * the completed count since `previous` (the first collect has none and says so).
 */
export function completedPerMinute(
  r: QueueReading,
  previous: CompletedBaseline | undefined,
  nowMs: number,
): number {
  const metrics = completedMetricsOf(r);
  if (metrics) return completedInLastMinute(metrics, nowMs);
  const completed = r.count('completed');
  const what = `completed_per_minute of queue '${r.queue}'`;
  if (!previous) {
    throw new HeadroomError(
      'SOURCE_BAD_VALUE',
      `${what} is not known yet: BullMQ metrics are off for this queue, so the rate is the change of its completed count between two collects, and this is the first`,
      {
        hint: 'it appears from the next collect on; for a rate at once, enable metrics on the Worker (`metrics: { maxDataPoints: MetricsTime.ONE_WEEK }`)',
      },
    );
  }
  const elapsedMs = nowMs - previous.atMs;
  if (!(elapsedMs > 0)) {
    throw new HeadroomError('SOURCE_BAD_VALUE', `${what}: no time passed since the last collect`);
  }
  if (completed < previous.completed) {
    throw new HeadroomError(
      'SOURCE_BAD_VALUE',
      `${what}: the completed count fell from ${previous.completed} to ${completed}, so jobs were removed (removeOnComplete, clean) and the rate is unknown`,
      {
        hint: 'enable BullMQ metrics on the Worker: they count completions even when jobs are removed',
      },
    );
  }
  return ((completed - previous.completed) / elapsedMs) * 60_000;
}

/**
 * The id of the oldest job waiting in a queue's reading: the tail of the `wait` list (BullMQ
 * pushes new jobs at the head), else of the `paused` list of BullMQ < 6; undefined when none
 * waits (a BullMQ 4 `0:<delay>` marker is not a job).
 */
export function oldestWaitingId(r: QueueReading): string | undefined {
  for (const [list, tail] of [
    ['wait', 'waitTail'],
    ['pausedList', 'pausedTail'],
  ] as const) {
    const id = r.raw(tail);
    if (r.number(list) && typeof id === 'string' && id !== '' && !id.startsWith('0:')) return id;
  }
  return undefined;
}

/**
 * Seconds a job has waited at `nowMs`, from its hash's `timestamp` and `delay` (ms; a delayed
 * job waits from when it was due); 0 when the hash is gone (a worker took it meanwhile) or
 * holds no time.
 */
export function waitedSeconds(timestamp: unknown, delay: unknown, nowMs: number): number {
  const created = Number(timestamp);
  if (timestamp === null || timestamp === undefined || !Number.isFinite(created)) return 0;
  const due = created + (Number.isFinite(Number(delay)) ? Number(delay ?? 0) : 0);
  return Math.max(0, (nowMs - due) / 1000);
}
