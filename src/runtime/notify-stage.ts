/**
 * The loop's notify stage: after each evaluation, the alerts that started firing or resolved go
 * to the plan's channels (`notify:`), each filtered by its severities. Delivery runs beside the
 * loop (a channel that hangs never delays the next evaluation) through an `Outbox`, which
 * retries a channel that is down, in order, and counts what it gives up on. Channels that want
 * it (Alertmanager) also get the active alerts again every `refreshMs`, so an alert stays open
 * there as long as it fires here. Entries that gave no channel (a secret not set, a bad field)
 * are listed with the reason, so a missing page is visible before it is needed. With a store,
 * what waits is saved there before each delivery round and after it, so a restart (or a crash)
 * resumes delivery where it stopped.
 */
import { createNotifiers, type NotifyDeps } from '../notify/from-plan.ts';
import { activeEvents, eventsFrom, type ActionSource } from '../notify/notifier.ts';
import { Outbox, type ChannelView } from '../notify/outbox.ts';
import type { Plan } from '../plan/types.ts';
import type { Transition, TriggerStatus } from '../rules/types.ts';
import type { Store } from '../store/store.ts';

/** What `/api/notify` and the status show of the notify stage. */
export interface NotifyView {
  /** The working channels, in plan order. */
  channels: ChannelView[];
  /** Entries that gave no channel: `notify[i].field: why`. */
  problems: { channel: string; kind: 'disabled' | 'invalid'; message: string; hint?: string }[];
}

/** Options of the notify stage. */
export interface NotifyStageOptions extends NotifyDeps {
  /** The clock, epoch ms. */
  now: () => number;
  /** How often active alerts are re-sent to channels that want it, ms (default 60 s). */
  refreshMs?: number;
  /** Deadline of each send, ms (default 10 s). */
  timeoutMs?: number;
  /** Called when a delivery round has finished (the view may have changed). */
  onDelivered?: () => void;
  /** Where undelivered events are kept across a restart (default: memory only). */
  store?: Store;
}

/** The store key of a plan's undelivered notifications. */
export function notifyStateKey(plan: Plan): string {
  return `notify:${plan.name}`;
}

/** The plan's channels, their queue and counts. */
export class NotifyStage {
  readonly problems: NotifyView['problems'];
  private readonly outbox: Outbox;
  private readonly refreshes: boolean;
  private lastRefresh = -Infinity;
  private loaded = false;
  /** Whether the store holds a non-empty queue (so an empty one must be written once). */
  private savedSomething = false;
  /** Set when saving failed: the stage shows it. */
  private saveError: string | undefined;
  /** The latest delivery round and the save after it. */
  private delivering: Promise<void> | undefined;
  /** Events put back from the store at the first run. */
  restored = 0;

  constructor(
    private readonly plan: Plan,
    private readonly actions: ActionSource,
    private readonly options: NotifyStageOptions,
  ) {
    const { notifiers, problems } = createNotifiers(plan, options);
    this.problems = problems.map((p) => ({
      channel: p.channel,
      kind: p.kind === 'disabled' ? 'disabled' : 'invalid',
      message: p.message,
      ...(p.error.hint ? { hint: p.error.hint } : {}),
    }));
    this.outbox = new Outbox(notifiers, {
      now: options.now,
      ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    });
    this.refreshes = notifiers.some((n) => n.refresh === true);
  }

  /** True when the plan has a `notify:` section. */
  get configured(): boolean {
    return (this.plan.raw.notify ?? []).length > 0;
  }

  /**
   * Queues the events of one evaluation and starts delivering them (not awaited: see
   * `settled`). `history` is the alert history before these transitions (for `since`).
   */
  async run(
    at: number,
    transitions: readonly Transition[],
    statuses: readonly TriggerStatus[],
    history: readonly Transition[],
  ): Promise<void> {
    if (!this.loaded) await this.load();
    this.outbox.push(eventsFrom(this.plan.name, transitions, this.actions, history));
    if (this.refreshes && at - this.lastRefresh >= (this.options.refreshMs ?? 60_000)) {
      this.lastRefresh = at;
      this.outbox.push(
        activeEvents(this.plan.name, statuses, at),
        (notifier, queued) => notifier.refresh === true && queued === 0,
      );
    }
    if (this.outbox.queued > 0) {
      // Kept before the first try: a crash mid-delivery loses nothing.
      await this.save();
      this.delivering = this.outbox
        .flush()
        .then(() => this.save())
        .then(() => this.options.onDelivered?.());
    }
  }

  /** Puts back what a previous run left undelivered (once, at the first run). */
  private async load(): Promise<void> {
    this.loaded = true;
    const store = this.options.store;
    if (!store) return;
    try {
      this.restored = this.outbox.restore(await store.loadState(notifyStateKey(this.plan)));
      this.savedSomething = this.restored > 0;
    } catch (err) {
      this.saveError = `cannot read undelivered notifications: ${(err as Error).message}`;
    }
  }

  /** Writes what waits (or, once, that nothing does). Never rejects. */
  private async save(): Promise<void> {
    const store = this.options.store;
    if (!store) return;
    const pending = this.outbox.pending();
    const empty = Object.keys(pending).length === 0;
    if (empty && !this.savedSomething) return;
    try {
      await store.saveState(notifyStateKey(this.plan), pending);
      this.savedSomething = !empty;
      this.saveError = undefined;
    } catch (err) {
      this.saveError = `cannot save undelivered notifications: ${(err as Error).message}`;
    }
  }

  /** Resolves when the delivery in flight (if any) has finished. */
  settled(): Promise<void> {
    return this.delivering ?? Promise.resolve();
  }

  /** The channels' counts and the entries that gave none. */
  view(): NotifyView {
    return { channels: this.outbox.view(), problems: this.problems };
  }

  /** The stage's health: err while a channel's last send failed (its events wait). */
  health(): { state: 'ok' | 'err' | 'off'; lastError?: string } {
    if (!this.configured) return { state: 'off' };
    const failing = this.outbox.view().filter((c) => c.state === 'err');
    const errors = [
      ...failing.map((c) => `${c.lastError} (${c.queued} waiting)`),
      ...(this.saveError ? [this.saveError] : []),
    ];
    return errors.length === 0 ? { state: 'ok' } : { state: 'err', lastError: errors.join('; ') };
  }
}
