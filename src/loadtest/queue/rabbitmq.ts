/**
 * The RabbitMQ producer: each iteration sends one persistent message (the job's payload as JSON,
 * AMQP `type` = the job's name) straight to the queue (`sendToQueue` on a confirm channel) and
 * succeeds when the broker confirms it (a nack or a closed channel fails it). Opening checks the
 * queue with a passive declare, so a typo never creates a queue nobody reads.
 */
import { randomUUID } from 'node:crypto';
import { connect, type ChannelModel, type ConfirmChannel } from 'amqplib';
import { HeadroomError } from '../../errors.ts';
import type { IterationOutcome, QueueTargetSpec, Target } from '../types.ts';
import { addOutcome, errorClass, withDeadline } from './outcome.ts';

/** How long connecting and checking the queue may take, in ms. */
const OPEN_TIMEOUT_MS = 5000;

/** `host:port (vhost v)` of an amqp URL, without credentials. */
export function displayAmqp(url: string): string {
  const u = new URL(url);
  const vhost = decodeURIComponent(u.pathname.replace(/^\//, '')) || '/';
  return `${u.hostname}:${u.port || (u.protocol === 'amqps:' ? 5671 : 5672)} (vhost ${vhost})`;
}

/** Sends job messages to one RabbitMQ queue. */
export class RabbitMqProducer implements Target {
  /** `rabbitmq queue <name> at host:port (vhost v)`. */
  readonly description: string;
  private readonly body: Buffer;
  private channelError: string | undefined;

  private constructor(
    private readonly model: ChannelModel,
    private readonly channel: ConfirmChannel,
    private readonly spec: QueueTargetSpec,
    where: string,
  ) {
    this.description = `rabbitmq queue ${spec.name} at ${where}`;
    this.body = Buffer.from(JSON.stringify(spec.job.data ?? {}));
    channel.on('error', (error: unknown) => (this.channelError = errorClass(error)));
    channel.on('close', () => (this.channelError ??= 'channel closed'));
  }

  /** Connects, opens a confirm channel and checks the queue exists. */
  static async open(
    spec: QueueTargetSpec,
    options: Record<string, unknown>,
  ): Promise<RabbitMqProducer> {
    const url = String(options.url);
    const where = displayAmqp(url);
    let model: ChannelModel;
    try {
      model = await withDeadline(
        connect(url, { clientProperties: { connection_name: 'headroom loadtest' } }),
        OPEN_TIMEOUT_MS,
      );
    } catch (error) {
      throw new HeadroomError(
        'SOURCE_UNAVAILABLE',
        `cannot send: RabbitMQ at ${where} ${errorClass(error)}`,
        {
          hint: `check that RabbitMQ is running and the url of source "${spec.source}"`,
          cause: error,
        },
      );
    }
    model.on('error', () => undefined); // outcomes report failures; never crash on the event
    try {
      const channel = await model.createConfirmChannel();
      channel.on('error', () => undefined);
      await withDeadline(channel.checkQueue(spec.name), OPEN_TIMEOUT_MS).catch((error: unknown) => {
        throw new HeadroomError(
          'SOURCE_NOT_FOUND',
          `queue '${spec.name}' not found in RabbitMQ at ${where}`,
          { hint: 'check the queue name in the plan; the workers declare it', cause: error },
        );
      });
      return new RabbitMqProducer(model, channel, spec, where);
    } catch (error) {
      await model.close().catch(() => undefined);
      throw error;
    }
  }

  /** Sends one message; ok once the broker confirmed it. */
  iterate(signal: AbortSignal): Promise<IterationOutcome> {
    return addOutcome(this.spec.job.name, signal, () => this.send());
  }

  private send(): Promise<void> {
    if (this.channelError !== undefined) return Promise.reject(new Error(this.channelError));
    return new Promise<void>((resolve, reject) => {
      const options = {
        persistent: true,
        contentType: 'application/json',
        type: this.spec.job.name,
        messageId: randomUUID(),
        appId: 'headroom loadtest',
      };
      this.channel.sendToQueue(this.spec.name, this.body, options, (error: unknown) =>
        error
          ? reject(
              error instanceof Error ? error : Object.assign(new Error('nack'), { code: 'nack' }),
            )
          : resolve(),
      );
    });
  }

  /** Closes the channel and the connection. */
  async close(): Promise<void> {
    await this.channel.close().catch(() => undefined);
    await this.model.close().catch(() => undefined);
  }
}
