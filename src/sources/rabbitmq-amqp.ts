/**
 * The AMQP side of the rabbitmq source: one lazily opened connection with one channel, used for
 * passive queue declares (`checkQueue`), one at a time.
 *
 * A declare of a missing queue makes RabbitMQ close the channel with 404: that becomes
 * SOURCE_NOT_FOUND and the next declare opens a fresh channel on the same connection. A lost
 * connection is reopened on a later declare; after a failed attempt the reader waits 1 s, then
 * 2, 4 … up to 30 s or the plan's interval (`reconnect.ts`), and meanwhile fails fast with
 * SOURCE_UNAVAILABLE saying when it will try again. Every 'error' event of amqplib has a
 * listener, so none can crash the process.
 */
import type { Channel, ChannelModel } from 'amqplib';
import { HeadroomError } from '../errors.ts';
import { LazyModule } from './lazy-module.ts';
import { causeCode } from './rabbitmq-management.ts';
import { ReconnectBackoff } from './reconnect.ts';

const amqplib = new LazyModule(() => import('amqplib'));

/** How long close() waits for RabbitMQ to confirm before dropping the socket, in ms. */
const CLOSE_GRACE_MS = 1000;

/** What a passive declare tells about one queue. */
export interface DeclareOk {
  /** Messages ready for delivery (count). */
  ready: number;
  /** Consumers subscribed (count). */
  consumers: number;
}

/** Where the reader connects and how it names the broker in messages. */
export interface AmqpTarget {
  /** The amqp:// URL, credentials included (never shown). */
  url: string;
  /** `RabbitMQ at host:port (vhost v)`. */
  display: string;
  /** Virtual host, for messages. */
  vhost: string;
  /** Bound of the connection handshake, in ms. */
  timeoutMs: number;
  /** Shown in the RabbitMQ UI as the connection name. */
  connectionName: string;
  /** Clock for the backoff, epoch ms. */
  now: () => number;
  /** Longest wait between connection attempts, in ms (the plan's interval); at most 30 s. */
  backoffMaxMs?: number | undefined;
}

/** One AMQP connection that answers passive declares. */
export class AmqpQueueReader {
  private readonly backoff: ReconnectBackoff;
  private closed = false;
  private model: ChannelModel | undefined;
  private connecting: Promise<ChannelModel> | undefined;
  private channel: Channel | undefined;
  // Declares share one channel; this chain runs them one at a time.
  private declares: Promise<unknown> = Promise.resolve();
  private declaresInFlight = 0;

  constructor(private readonly target: AmqpTarget) {
    this.backoff = new ReconnectBackoff({ clockMs: target.now, maxMs: target.backoffMaxMs });
  }

  /** Opens the connection and channel if needed (fails fast while backing off). */
  async ready(): Promise<void> {
    await this.ensureChannel();
  }

  /** Messages ready and consumers of `queue`, by a passive declare. */
  declare(queue: string): Promise<DeclareOk> {
    this.declaresInFlight += 1;
    const next = this.declares
      .then(() => this.declareNow(queue))
      .finally(() => {
        this.declaresInFlight -= 1;
      });
    this.declares = next.catch(() => undefined);
    return next;
  }

  /**
   * Called when a collect gave up: if a declare is still waiting for the broker, drops the
   * connection, so that a broker that stopped answering cannot hold every later collect.
   */
  abandon(): void {
    if (this.declaresInFlight === 0) return;
    this.declares = Promise.resolve();
    this.dropConnection();
  }

  /**
   * Closes the connection. One still being opened is closed as soon as it completes (the
   * attempt is bounded by `timeoutMs`). Safe to call twice.
   */
  async close(): Promise<void> {
    this.closed = true;
    const model = this.model;
    this.model = undefined;
    this.channel = undefined;
    if (model) await closeModel(model);
  }

  private async declareNow(queue: string): Promise<DeclareOk> {
    const channel = await this.ensureChannel();
    try {
      const ok = await channel.checkQueue(queue);
      return { ready: ok.messageCount, consumers: ok.consumerCount };
    } catch (cause) {
      // RabbitMQ closes the channel on any declare failure; the next declare opens a fresh one.
      if (this.channel === channel) this.channel = undefined;
      throw this.declareError(queue, cause);
    }
  }

  private declareError(queue: string, cause: unknown): HeadroomError {
    const { display, vhost } = this.target;
    const code = (cause as { code?: unknown }).code;
    if (code === 404) {
      return new HeadroomError('SOURCE_NOT_FOUND', `queue '${queue}' not found in ${display}`, {
        hint: 'check the queue name (case-sensitive) and the vhost at the end of `url`',
        cause,
      });
    }
    if (code === 403 || code === 405) {
      const why = code === 403 ? 'access is refused' : 'it is exclusive to another connection';
      return new HeadroomError(
        'SOURCE_CONFIG',
        `queue '${queue}' cannot be inspected: ${why} (${display})`,
        {
          hint: `give the user in \`url\` configure permission on vhost '${vhost}', or watch a non-exclusive queue`,
          cause,
        },
      );
    }
    // Anything else means the channel or connection broke: reconnect on the next collect.
    this.dropConnection();
    return new HeadroomError(
      'SOURCE_UNAVAILABLE',
      `${display} failed a passive declare of '${queue}' (${causeCode(cause)})`,
      { hint: 'check the broker logs; headroom reconnects on the next collect', cause },
    );
  }

  private async ensureChannel(): Promise<Channel> {
    if (this.channel) return this.channel;
    const model = this.model ?? (await this.openConnection());
    let channel: Channel;
    try {
      channel = await model.createChannel();
    } catch (cause) {
      this.dropConnection();
      const message = `${this.target.display} refused a channel (${causeCode(cause)})`;
      throw new HeadroomError('SOURCE_UNAVAILABLE', message, { cause });
    }
    // A 404 closes the channel with an 'error' event: unheard, it would crash the process.
    channel.on('error', () => undefined);
    channel.on('close', () => {
      if (this.channel === channel) this.channel = undefined;
    });
    this.channel = channel;
    return channel;
  }

  private openConnection(): Promise<ChannelModel> {
    if (this.closed) return Promise.reject(closedError(this.target.display));
    this.backoff.throwIfWaiting();
    this.connecting ??= this.connectOnce().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  private async connectOnce(): Promise<ChannelModel> {
    let model: ChannelModel;
    try {
      const { connect } = await amqplib.load();
      model = await connect(this.target.url, {
        timeout: this.target.timeoutMs,
        clientProperties: { connection_name: this.target.connectionName },
      });
    } catch (cause) {
      throw this.backoff.failed(connectError(this.target, cause));
    }
    this.backoff.succeeded();
    if (this.closed) {
      await closeModel(model);
      throw closedError(this.target.display);
    }
    model.on('error', () => undefined);
    model.on('close', () => {
      if (this.model === model) this.dropConnection();
    });
    this.model = model;
    return model;
  }

  private dropConnection(): void {
    const model = this.model;
    this.model = undefined;
    this.channel = undefined;
    if (model) void closeModel(model);
  }
}

function closedError(display: string): HeadroomError {
  return new HeadroomError('SOURCE_UNAVAILABLE', `${display}: the source is closed`);
}

/** A failed connection attempt, as a catalogued error naming the broker (never credentials). */
function connectError(target: AmqpTarget, cause: unknown): HeadroomError {
  const text = cause instanceof Error ? cause.message : String(cause);
  if (/ACCESS[-_]REFUSED/.test(text)) {
    return new HeadroomError('SOURCE_CONFIG', `${target.display} refused the login`, {
      hint: 'check the user and password in `url` (pass them through ${ENV} variables)',
      cause,
    });
  }
  // RabbitMQ refuses an unknown or forbidden vhost by closing the connection while it opens.
  if (/NOT[-_]ALLOWED|Expected ConnectionOpenOk/.test(text)) {
    return new HeadroomError(
      'SOURCE_CONFIG',
      `${target.display} refused to open vhost '${target.vhost}': it does not exist or the user has no permission on it`,
      {
        hint: "check the vhost at the end of `url` (`/` is amqp://host:5672/ or %2F) and the user's permissions",
        cause,
      },
    );
  }
  return new HeadroomError(
    'SOURCE_UNAVAILABLE',
    `${target.display} cannot be reached (${causeCode(cause)})`,
    { hint: 'check that RabbitMQ is running and that `url` is right', cause },
  );
}

/** Closes an AMQP connection; drops the socket if RabbitMQ does not confirm in time. */
async function closeModel(model: ChannelModel): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const grace = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, CLOSE_GRACE_MS);
  });
  await Promise.race([model.close().catch(() => undefined), grace]);
  clearTimeout(timer);
  // A connection that is already closed (or never answered) still owns its socket.
  const stream = (model.connection as unknown as { stream?: { destroy(): void } }).stream;
  stream?.destroy();
}
