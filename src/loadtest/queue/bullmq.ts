/**
 * The BullMQ producer: each iteration adds one job with `Queue.add(job.name, job.data)` under the
 * plan source's `url` and `prefix`, and succeeds when Redis has stored it. Jobs carry
 * `removeOnComplete: { age: 3600 }` and `removeOnFail: { age: 86400 }` (seconds): the load test
 * leaves no garbage behind for longer than that, while the `completed` count still counts them.
 */
import { Queue } from 'bullmq';
import { HeadroomError } from '../../errors.ts';
import { DEFAULT_BULLMQ_PREFIX } from '../../sources/bullmq.ts';
import { parseRedisUrl, type RedisTarget } from '../../sources/redis-connection.ts';
import type { IterationOutcome, QueueTargetSpec, Target } from '../types.ts';
import { addOutcome, errorClass, withDeadline } from './outcome.ts';

/** How long a finished load-test job is kept before BullMQ may remove it, in seconds. */
export const KEEP_COMPLETED_S = 3600;
/** How long a failed load-test job is kept, in seconds. */
export const KEEP_FAILED_S = 86_400;
/** How long opening the connection may take, in ms. */
const CONNECT_TIMEOUT_MS = 5000;

/** Adds BullMQ jobs to one queue. */
export class BullmqProducer implements Target {
  /** `bullmq queue <name> (prefix <prefix>) at host:port`. */
  readonly description: string;

  private constructor(
    private readonly queue: Queue,
    private readonly spec: QueueTargetSpec,
    target: RedisTarget,
    prefix: string,
  ) {
    this.description = `bullmq queue ${spec.name} (prefix ${prefix}) at ${target.address}`;
  }

  /** Connects to the source's Redis; SOURCE_UNAVAILABLE when it cannot. */
  static async open(
    spec: QueueTargetSpec,
    options: Record<string, unknown>,
  ): Promise<BullmqProducer> {
    const target = parseRedisUrl(String(options.url)) as RedisTarget;
    const prefix = typeof options.prefix === 'string' ? options.prefix : DEFAULT_BULLMQ_PREFIX;
    const queue = new Queue(spec.name, {
      prefix,
      // Fail an add at once when Redis is gone, instead of queueing it in the client.
      connection: {
        url: target.url,
        enableOfflineQueue: false,
        connectTimeout: CONNECT_TIMEOUT_MS,
        maxRetriesPerRequest: 1,
      },
    });
    queue.on('error', () => undefined); // outcomes report failures; never crash on the event
    try {
      await withDeadline(queue.waitUntilReady(), CONNECT_TIMEOUT_MS);
    } catch (error) {
      await queue.close().catch(() => undefined);
      throw new HeadroomError(
        'SOURCE_UNAVAILABLE',
        `cannot add jobs: Redis at ${target.address} ${errorClass(error)}`,
        {
          hint: `check that Redis is running and the url of source "${spec.source}"`,
          cause: error,
        },
      );
    }
    return new BullmqProducer(queue, spec, target, prefix);
  }

  /** Adds one job; ok once Redis stored it. */
  iterate(signal: AbortSignal): Promise<IterationOutcome> {
    const { name, data } = this.spec.job;
    return addOutcome(name, signal, () =>
      this.queue.add(name, data, {
        removeOnComplete: { age: KEEP_COMPLETED_S },
        removeOnFail: { age: KEEP_FAILED_S },
      }),
    );
  }

  /** Closes the connection. */
  async close(): Promise<void> {
    await this.queue.close().catch(() => undefined);
  }
}
