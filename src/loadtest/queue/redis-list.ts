/**
 * The Celery producer (redis-list sources): each iteration LPUSHes one Celery task message
 * (`celery-message.ts`) onto the queue's list, as Celery's Redis transport does for
 * `task.apply_async()` at priority 0, and succeeds when Redis answers the LPUSH. A real Celery
 * worker consuming the queue runs the task named by the job with the job's payload as arguments.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Redis } from 'ioredis';
import { HeadroomError } from '../../errors.ts';
import { parseRedisUrl, type RedisTarget } from '../../sources/redis-connection.ts';
import type { IterationOutcome, QueueTargetSpec, Target } from '../types.ts';
import { celeryMessage } from './celery-message.ts';
import { addOutcome, errorClass } from './outcome.ts';

/** How long opening the connection may take, in ms. */
const CONNECT_TIMEOUT_MS = 5000;

/** Pushes Celery task messages onto one Redis list. */
export class CeleryProducer implements Target {
  /** `celery task <task> on redis list <key> at host:port/db`. */
  readonly description: string;
  /** Celery's `origin` header: `gen<pid>@<host>`. */
  private readonly origin = `gen${process.pid}@${hostname()}`;

  private constructor(
    private readonly client: Redis,
    private readonly spec: QueueTargetSpec,
    target: RedisTarget,
  ) {
    this.description = `celery task ${spec.job.name} on redis list ${spec.name} at ${target.address}/${target.db}`;
  }

  /** Connects to the source's Redis; SOURCE_UNAVAILABLE when it cannot. */
  static async open(
    spec: QueueTargetSpec,
    options: Record<string, unknown>,
  ): Promise<CeleryProducer> {
    const target = parseRedisUrl(String(options.url)) as RedisTarget;
    const client = new Redis(target.url, {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      connectTimeout: CONNECT_TIMEOUT_MS,
    });
    client.on('error', () => undefined); // outcomes report failures; never crash on the event
    try {
      await client.connect();
    } catch (error) {
      client.disconnect();
      throw new HeadroomError(
        'SOURCE_UNAVAILABLE',
        `cannot add jobs: Redis at ${target.address} ${errorClass(error)}`,
        {
          hint: `check that Redis is running and the url of source "${spec.source}"`,
          cause: error,
        },
      );
    }
    return new CeleryProducer(client, spec, target);
  }

  /** Pushes one task message; ok once Redis answered. */
  iterate(signal: AbortSignal): Promise<IterationOutcome> {
    const message = celeryMessage({
      task: this.spec.job.name,
      queue: this.spec.name,
      id: randomUUID(),
      deliveryTag: randomUUID(),
      data: this.spec.job.data,
      origin: this.origin,
    });
    return addOutcome(this.spec.job.name, signal, () => this.client.lpush(this.spec.name, message));
  }

  /** Closes the connection. */
  async close(): Promise<void> {
    await this.client.quit().catch(() => this.client.disconnect());
  }
}
