/**
 * `Outbox`: delivers events to channels without losing them to a channel that is down.
 *
 * Each channel has its own queue. `push` adds the events the channel accepts (its severities);
 * `flush` delivers every queue in parallel, each in order, one event at a time, so a resolve
 * never overtakes the alert it closes. A failed send (an error, or no answer within the
 * deadline) stops that channel's queue until the next flush, which retries from the same event;
 * the other channels go on. Nothing is dropped silently: an event still undelivered after
 * `maxAgeMs`, or pushed out of a full queue, is counted in `dropped` with the reason in
 * `lastError`. Flushes never overlap: a flush asked for while one runs is done right after it.
 * `pending` and `restore` carry what waits across a restart.
 */
import { errorMessage, oneLine } from '../actuators/actuator.ts';
import { DEFAULT_NOTIFY_TIMEOUT_MS } from './http.ts';
import { accepts, type AlertEvent, type Notifier, type Severity } from './notifier.ts';

/** Options of an outbox. */
export interface OutboxOptions {
  /** Deadline of each send, ms (default 10 s, on top of the channel's own). */
  timeoutMs?: number;
  /** Events kept per channel while it is down (default 500; the oldest go first). */
  maxQueue?: number;
  /** How long an event is retried before it is dropped, ms (default 1 hour). */
  maxAgeMs?: number;
  /** The clock, epoch ms (default Date.now). */
  now?: () => number;
}

/** What one channel has done so far. */
export interface ChannelView {
  channel: string;
  kind: string;
  /** Severities the channel takes; absent means all. */
  severities?: Severity[];
  /** ok: the last send worked (or none yet); err: the last send failed and events wait. */
  state: 'ok' | 'err';
  /** Events delivered. */
  sent: number;
  /** Sends that failed (each is retried until it is dropped). */
  failed: number;
  /** Events given up on: too old, or pushed out of a full queue. */
  dropped: number;
  /** Events waiting. */
  queued: number;
  /** When the last event was delivered, epoch ms. */
  lastSentAt?: number;
  /** Message of the last failure or drop. */
  lastError?: string;
  /** When it happened, epoch ms. */
  lastErrorAt?: number;
}

interface Queued {
  event: AlertEvent;
  queuedAt: number;
}

interface Channel {
  notifier: Notifier;
  queue: Queued[];
  view: ChannelView;
}

/** The channels' queues and counts. */
export class Outbox {
  private readonly channels: Channel[];
  private readonly timeoutMs: number;
  private readonly maxQueue: number;
  private readonly maxAgeMs: number;
  private readonly now: () => number;
  private flushing: Promise<void> | undefined;
  private again = false;

  constructor(notifiers: readonly Notifier[], options: OutboxOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? DEFAULT_NOTIFY_TIMEOUT_MS;
    this.maxQueue = options.maxQueue ?? 500;
    this.maxAgeMs = options.maxAgeMs ?? 3_600_000;
    this.now = options.now ?? Date.now;
    this.channels = notifiers.map((notifier) => ({
      notifier,
      queue: [],
      view: {
        channel: notifier.name,
        kind: notifier.kind,
        ...(notifier.severities ? { severities: [...notifier.severities] } : {}),
        state: 'ok',
        sent: 0,
        failed: 0,
        dropped: 0,
        queued: 0,
      },
    }));
  }

  /**
   * Queues each event on every channel that takes it. With `only`, just on the channels it
   * picks (the refresh of active alerts goes to Alertmanager alone, and only when its queue is
   * empty: a queued event already says the same).
   */
  push(
    events: readonly AlertEvent[],
    only?: (notifier: Notifier, queued: number) => boolean,
  ): void {
    if (events.length === 0) return;
    const at = this.now();
    for (const channel of this.channels) {
      if (only && !only(channel.notifier, channel.queue.length)) continue;
      for (const event of events) {
        if (!safeAccepts(channel.notifier, event)) continue;
        channel.queue.push({ event, queuedAt: at });
      }
      const over = channel.queue.length - this.maxQueue;
      if (over > 0) {
        channel.queue.splice(0, over);
        this.drop(
          channel,
          over,
          `queue full (${this.maxQueue} events): dropped the ${over} oldest`,
        );
      }
      channel.view.queued = channel.queue.length;
    }
  }

  /** Delivers what is queued; resolves when done. Never rejects. */
  flush(): Promise<void> {
    if (this.flushing) {
      this.again = true;
      return this.flushing;
    }
    const run = async (): Promise<void> => {
      do {
        this.again = false;
        await Promise.all(this.channels.map((c) => this.deliver(c)));
      } while (this.again);
    };
    this.flushing = run().finally(() => (this.flushing = undefined));
    return this.flushing;
  }

  /** What waits, by channel name, to be saved across a restart (see `restore`). */
  pending(): Record<string, { event: AlertEvent; queuedAt: number }[]> {
    const out: Record<string, Queued[]> = {};
    for (const c of this.channels) if (c.queue.length > 0) out[c.notifier.name] = [...c.queue];
    return out;
  }

  /**
   * Puts back what `pending` saved, ahead of anything queued since, on the channels that still
   * exist (by name); returns how many events were put back.
   */
  restore(saved: unknown): number {
    if (typeof saved !== 'object' || saved === null) return 0;
    let restored = 0;
    for (const channel of this.channels) {
      const list = (saved as Record<string, unknown>)[channel.notifier.name];
      if (!Array.isArray(list)) continue;
      const valid = list
        .filter(isQueued)
        // JSON has no Infinity or NaN: a value saved as null comes back as NaN.
        .map((q) => ({
          ...q,
          event: { ...q.event, value: typeof q.event.value === 'number' ? q.event.value : NaN },
        }))
        .filter((q) => safeAccepts(channel.notifier, q.event));
      channel.queue.unshift(...valid);
      channel.view.queued = channel.queue.length;
      restored += valid.length;
    }
    return restored;
  }

  /** Each channel's counts, in plan order (copies). */
  view(): ChannelView[] {
    return this.channels.map((c) => ({ ...c.view }));
  }

  /** The number of events waiting on all channels. */
  get queued(): number {
    return this.channels.reduce((n, c) => n + c.queue.length, 0);
  }

  private async deliver(channel: Channel): Promise<void> {
    const { notifier, queue, view } = channel;
    while (queue.length > 0) {
      const head = queue[0]!;
      if (this.now() - head.queuedAt > this.maxAgeMs) {
        queue.shift();
        this.drop(channel, 1, `gave up after ${Math.round(this.maxAgeMs / 60_000)} min of retries`);
        continue;
      }
      try {
        await withDeadline(
          () => notifier.send(head.event),
          this.timeoutMs,
          `${notifier.kind} ${notifier.name}: no answer within ${this.timeoutMs / 1000}s`,
        );
      } catch (err) {
        view.failed++;
        view.state = 'err';
        view.lastError = oneLine(errorMessage(err), 500);
        view.lastErrorAt = this.now();
        break;
      }
      queue.shift();
      view.sent++;
      view.state = 'ok';
      view.lastSentAt = this.now();
    }
    view.queued = queue.length;
  }

  private drop(channel: Channel, n: number, why: string): void {
    channel.view.dropped += n;
    channel.view.lastError = `${channel.notifier.kind} ${channel.notifier.name}: ${why}`;
    channel.view.lastErrorAt = this.now();
  }
}

function isQueued(value: unknown): value is Queued {
  const q = value as Queued;
  return (
    typeof q === 'object' &&
    q !== null &&
    typeof q.queuedAt === 'number' &&
    typeof q.event === 'object' &&
    q.event !== null &&
    typeof q.event.trigger === 'string' &&
    (q.event.state === 'firing' || q.event.state === 'resolved') &&
    (q.event.severity === 'warning' || q.event.severity === 'critical') &&
    typeof q.event.at === 'number'
  );
}

function safeAccepts(notifier: Notifier, event: AlertEvent): boolean {
  try {
    return accepts(notifier, event);
  } catch {
    return false;
  }
}

/** Runs `work`, rejecting with `message` if it takes longer than `ms`. */
async function withDeadline(work: () => Promise<void>, ms: number, message: string): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      Promise.resolve().then(work),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(message)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
