/**
 * Live updates: reads `/api/events` (Server-Sent Events) through `fetch`, so the bearer token
 * goes in a header as on every other request (an `EventSource` cannot send headers). While the
 * stream is down the feed polls `/api/status` instead, and reconnects with a growing delay.
 */
import type { Api } from './api.ts';
import type { AlertChange, StatusDoc } from './api-types.ts';

/** How the page gets its updates. */
export type LinkState = 'connecting' | 'live' | 'polling' | 'offline';

/** What the feed reports. */
export interface LiveHandlers {
  /** A status document (after every loop step, or from a poll). */
  onStatus(doc: StatusDoc): void;
  /** An alert state change, as it happens. */
  onAlert(change: AlertChange): void;
  /** The link changed: live stream, polling, or the server cannot be reached. */
  onLink(state: LinkState, detail: string): void;
}

/** Timings of the feed, ms. */
export interface LiveOptions {
  /** Poll interval while the stream is down. */
  pollMs: number;
  /** A stream silent this long is dead (the server sends a keep-alive every 15 s). */
  idleMs: number;
  /** First reconnect delay; doubles up to `maxBackoffMs`. */
  backoffMs: number;
  /** Longest reconnect delay. */
  maxBackoffMs: number;
}

const DEFAULTS: LiveOptions = {
  pollMs: 5_000,
  idleMs: 40_000,
  backoffMs: 1_000,
  maxBackoffMs: 30_000,
};

/** One parsed event of an event stream. */
export interface SseEvent {
  /** The `event:` field (`message` when absent). */
  event: string;
  /** The `data:` lines, joined by newlines. */
  data: string;
}

/** Splits complete events off the front of `buffer`; returns them and the unfinished rest. */
export function parseSse(buffer: string): { events: SseEvent[]; rest: string } {
  const events: SseEvent[] = [];
  const blocks = buffer.replace(/\r\n?/g, '\n').split('\n\n');
  const rest = blocks.pop() ?? '';
  for (const block of blocks) {
    let event = 'message';
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line === '' || line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'event') event = value;
      else if (field === 'data') data.push(value);
    }
    if (data.length) events.push({ event, data: data.join('\n') });
  }
  return { events, rest };
}

/** The live feed of one page. */
export class LiveFeed {
  private readonly options: LiveOptions;
  private stream: AbortController | undefined;
  private pollTimer: number | undefined;
  private reconnectTimer: number | undefined;
  private backoffMs: number;
  private stopped = false;
  private link: LinkState = 'connecting';

  constructor(
    private readonly api: Api,
    private readonly handlers: LiveHandlers,
    options: Partial<LiveOptions> = {},
  ) {
    this.options = { ...DEFAULTS, ...options };
    this.backoffMs = this.options.backoffMs;
  }

  /** Connects (and polls once at once, so the page fills without waiting for the stream). */
  start(): void {
    this.stopped = false;
    void this.poll();
    void this.connect();
  }

  /** Closes the stream and stops polling. */
  stop(): void {
    this.stopped = true;
    this.stream?.abort();
    window.clearTimeout(this.pollTimer);
    window.clearTimeout(this.reconnectTimer);
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    this.setLink('connecting', 'connecting to the live stream');
    const controller = new AbortController();
    this.stream = controller;
    let idle = window.setTimeout(() => controller.abort(), this.options.idleMs);
    let reason = 'the live stream closed';
    try {
      const response = await fetch('/api/events', {
        headers: this.api.headers({ accept: 'text/event-stream' }),
        signal: controller.signal,
        cache: 'no-store',
      });
      if (!response.ok || !response.body)
        throw new Error(`the live stream answered ${response.status}`);
      this.backoffMs = this.options.backoffMs;
      this.stopPolling();
      this.setLink('live', 'live: updated after every evaluation');
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        window.clearTimeout(idle);
        idle = window.setTimeout(() => controller.abort(), this.options.idleMs);
        const parsed = parseSse(buffer + value);
        buffer = parsed.rest;
        for (const e of parsed.events) this.dispatch(e);
      }
    } catch (err) {
      if (controller.signal.aborted && this.stopped) return;
      reason = controller.signal.aborted
        ? 'the live stream went silent'
        : err instanceof Error && err.message.startsWith('the live')
          ? err.message
          : 'the live stream cannot be reached';
    } finally {
      window.clearTimeout(idle);
    }
    if (this.stopped) return;
    this.setLink('polling', `${reason}; polling every ${this.options.pollMs / 1000} s`);
    this.schedulePoll();
    this.reconnectTimer = window.setTimeout(() => void this.connect(), this.backoffMs);
    this.backoffMs = Math.min(this.backoffMs * 2, this.options.maxBackoffMs);
  }

  private dispatch(e: SseEvent): void {
    let data: unknown;
    try {
      data = JSON.parse(e.data);
    } catch {
      return;
    }
    if (e.event === 'status') this.handlers.onStatus(data as StatusDoc);
    else if (e.event === 'alert') this.handlers.onAlert(data as AlertChange);
  }

  private async poll(): Promise<void> {
    const loaded = await this.api.get<StatusDoc>('/api/status');
    if (this.stopped || !loaded) return;
    if ('data' in loaded) {
      if (this.link === 'offline') this.setLink('polling', 'the server answers again; polling');
      this.handlers.onStatus(loaded.data);
    } else if (loaded.error.status === 0)
      this.setLink('offline', 'the headroom server cannot be reached; retrying');
    else this.setLink('offline', `/api/status: ${loaded.error.message}`);
  }

  private setLink(state: LinkState, detail: string): void {
    this.link = state;
    this.handlers.onLink(state, detail);
  }

  private schedulePoll(): void {
    window.clearTimeout(this.pollTimer);
    this.pollTimer = window.setTimeout(async () => {
      await this.poll();
      if (!this.stopped && this.pollTimer !== undefined) this.schedulePoll();
    }, this.options.pollMs);
  }

  private stopPolling(): void {
    window.clearTimeout(this.pollTimer);
    this.pollTimer = undefined;
  }
}
