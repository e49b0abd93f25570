/**
 * The HTTP `Target`: each iteration sends one of the scenario's requests (weighted choice)
 * through undici, with as many connections per origin as iterations may be in flight, and reads
 * the response body to its end without keeping it.
 *
 * Connections are undici `Client`s (one keep-alive connection each) kept on an idle stack: a
 * request takes an idle one and gives it back when undici is done — what a `Pool` does, minus its
 * search for a free client and its queue, which measured ~1 µs of CPU a request (of ~8). It
 * calls `Client#dispatch` with a handler of undici's raw callbacks (`onConnect`, `onHeaders`,
 * `onData`, `onComplete`, `onError`): no response object, no body stream, no header parsing
 * — the cheapest path undici has, and it still sees the body arrive, so the latency covers the
 * whole response. (undici 7 marks those callbacks deprecated in favour of `onRequestStart`/
 * `onResponse*`, which it adapts back to them through a wrapper that parses every response's
 * headers.) Handlers are pooled, and outcomes for an expected status are shared, frozen objects:
 * a successful request allocates only its promise.
 *
 * A request's deadline (`timeoutMs`, the whole exchange, as k6's `timeout`) is enforced by one
 * sweep per timeout value over requests kept in start order, not one timer per request.
 */
import { Client, type Dispatcher } from 'undici';
import type { IterationOutcome, RequestSpec, Target } from './types.ts';

/** How the target connects. */
export interface HttpTargetOptions {
  /** Connections per origin: at least the iterations that may be in flight. */
  connections: number;
}

/** The connections to one origin: idle ones on a stack, at most `max` in all. */
class Connections {
  private readonly idle: Client[] = [];
  private readonly all: Client[] = [];
  private next = 0;

  constructor(
    private readonly origin: string,
    private readonly max: number,
  ) {}

  /** An idle connection, a new one below `max`, or (past it) one in turn, which queues the request. */
  acquire(): Client {
    const idle = this.idle.pop();
    if (idle) return idle;
    if (this.all.length < this.max) {
      // Deadlines are this file's own sweep; undici's own timers are off.
      const client = new Client(this.origin, { pipelining: 1, headersTimeout: 0, bodyTimeout: 0 });
      this.all.push(client);
      return client;
    }
    this.next = (this.next + 1) % this.all.length;
    return this.all[this.next]!;
  }

  /** Gives a connection back once its exchange is over. */
  release(client: Client): void {
    if (this.idle.length < this.all.length) this.idle.push(client);
  }

  /** Closes every connection, cutting what is in flight. */
  async destroy(): Promise<void> {
    await Promise.all(this.all.map((c) => c.destroy()));
  }
}

/** One request prepared once: its dispatch options, its connections and its shared outcomes. */
interface PreparedRequest {
  readonly spec: RequestSpec;
  readonly connections: Connections;
  readonly options: Dispatcher.DispatchOptions;
  readonly deadlines: DeadlineSweep;
  readonly outcomes: Map<number, IterationOutcome>;
}

type Resolve = (outcome: IterationOutcome) => void;

/** One exchange in flight; reused once undici is done with it. */
class Exchange implements Dispatcher.DispatchHandler {
  request!: PreparedRequest;
  signal: AbortSignal | undefined;
  startedMs = 0;
  private resolve: Resolve | undefined;
  private status = 0;
  private abortFn: ((err?: Error) => void) | undefined;
  private client: Client | undefined;
  private pendingAbort: Error | undefined;

  constructor(private readonly release: (e: Exchange) => void) {}

  /** Starts the exchange; `resolve` is called exactly once. */
  start(request: PreparedRequest, signal: AbortSignal, resolve: Resolve): void {
    this.request = request;
    this.signal = signal;
    this.resolve = resolve;
    this.status = 0;
    this.abortFn = undefined;
    this.pendingAbort = undefined;
    this.startedMs = performance.now();
    request.deadlines.add(this);
    try {
      this.client = request.connections.acquire();
      this.client.dispatch(request.options, this);
    } catch (err) {
      this.onError(err as Error);
    }
  }

  /** Ends it early: `timeout` or `aborted`; the outcome is settled at once. */
  cancel(reason: 'timeout' | 'aborted'): void {
    if (this.resolve === undefined) return;
    this.settle({ ok: false, name: this.request.spec.name, error: reason });
    const err = new Error(reason);
    if (this.abortFn) this.abortFn(err);
    else this.pendingAbort = err;
  }

  onConnect(abort: (err?: Error) => void): void {
    this.abortFn = abort;
    if (this.pendingAbort) abort(this.pendingAbort);
  }

  onHeaders(statusCode: number): boolean {
    // 1xx informational responses precede the final one.
    if (statusCode >= 200) this.status = statusCode;
    return true;
  }

  onData(): boolean {
    return true;
  }

  onComplete(): void {
    if (this.resolve !== undefined) this.settle(this.outcomeFor(this.status));
    this.done();
  }

  onError(err: Error): void {
    if (this.resolve !== undefined) {
      this.settle({ ok: false, name: this.request.spec.name, error: errorClass(err) });
    }
    this.done();
  }

  /** undici is done with this exchange: its connection and the exchange itself are free again. */
  private done(): void {
    const client = this.client;
    this.client = undefined;
    if (client) this.request.connections.release(client);
    this.release(this);
  }

  private outcomeFor(status: number): IterationOutcome {
    const shared = this.request.outcomes.get(status);
    if (shared) return shared;
    const outcome = Object.freeze({
      ok: this.request.spec.expectStatus(status),
      name: this.request.spec.name,
      status,
    });
    this.request.outcomes.set(status, outcome);
    return outcome;
  }

  private settle(outcome: IterationOutcome): void {
    const resolve = this.resolve!;
    this.resolve = undefined;
    this.request.deadlines.delete(this);
    resolve(outcome);
  }
}

/** The requests of one timeout value, oldest first, swept for those past their deadline. */
class DeadlineSweep {
  private readonly inFlight = new Set<Exchange>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly timeoutMs: number) {}

  add(e: Exchange): void {
    this.inFlight.add(e);
    if (this.timer === undefined) {
      const everyMs = Math.min(1000, Math.max(5, this.timeoutMs / 20));
      this.timer = setInterval(() => this.sweep(performance.now()), everyMs);
      this.timer.unref();
    }
  }

  delete(e: Exchange): void {
    this.inFlight.delete(e);
  }

  /** Times out every request started `timeoutMs` or more before `nowMs`. */
  sweep(nowMs: number): void {
    for (const e of this.inFlight) {
      if (nowMs - e.startedMs < this.timeoutMs) break;
      e.cancel('timeout');
    }
  }

  /** Every request in flight. */
  all(): Exchange[] {
    return [...this.inFlight];
  }

  close(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}

/** A `Target` sending HTTP requests. */
export class HttpTarget implements Target {
  /** What it sends. */
  readonly description: string;
  private readonly requests: PreparedRequest[];
  private readonly cumulativeWeights: number[];
  private readonly origins = new Map<string, Connections>();
  private readonly sweeps = new Map<number, DeadlineSweep>();
  private readonly free: Exchange[] = [];
  private readonly watched = new WeakSet<AbortSignal>();
  private readonly releaseFn = (e: Exchange): void => {
    this.free.push(e);
  };

  constructor(specs: readonly RequestSpec[], options: HttpTargetOptions) {
    if (specs.length === 0) throw new RangeError('an HTTP target needs at least one request');
    this.requests = specs.map((spec) => this.prepare(spec, options.connections));
    let sum = 0;
    this.cumulativeWeights = specs.map((s) => (sum += s.weight));
    this.description = describeRequests(specs);
  }

  /** Sends one request; never rejects for a failure of the server. */
  iterate(signal: AbortSignal): Promise<IterationOutcome> {
    const request = this.choose();
    if (signal.aborted)
      return Promise.resolve({ ok: false, name: request.spec.name, error: 'aborted' });
    this.watch(signal);
    const exchange = this.free.pop() ?? new Exchange(this.releaseFn);
    return new Promise((resolve) => exchange.start(request, signal, resolve));
  }

  /** Closes every connection (in-flight requests are cut). */
  async close(): Promise<void> {
    for (const sweep of this.sweeps.values()) {
      for (const e of sweep.all()) e.cancel('aborted');
      sweep.close();
    }
    await Promise.all([...this.origins.values()].map((c) => c.destroy()));
  }

  private choose(): PreparedRequest {
    if (this.requests.length === 1) return this.requests[0]!;
    const x = Math.random() * this.cumulativeWeights.at(-1)!;
    const i = this.cumulativeWeights.findIndex((w) => x < w);
    return this.requests[i < 0 ? this.requests.length - 1 : i]!;
  }

  /** Aborts the requests an iteration signal started when it fires (one listener per signal). */
  private watch(signal: AbortSignal): void {
    if (this.watched.has(signal)) return;
    this.watched.add(signal);
    signal.addEventListener(
      'abort',
      () => {
        for (const sweep of this.sweeps.values()) {
          for (const e of sweep.all()) if (e.signal === signal) e.cancel('aborted');
        }
      },
      { once: true },
    );
  }

  private prepare(spec: RequestSpec, connections: number): PreparedRequest {
    const url = new URL(spec.url);
    let origin = this.origins.get(url.origin);
    if (origin === undefined) {
      origin = new Connections(url.origin, connections);
      this.origins.set(url.origin, origin);
    }
    let deadlines = this.sweeps.get(spec.timeoutMs);
    if (deadlines === undefined) {
      deadlines = new DeadlineSweep(spec.timeoutMs);
      this.sweeps.set(spec.timeoutMs, deadlines);
    }
    const options: Dispatcher.DispatchOptions = {
      origin: url.origin,
      path: `${url.pathname}${url.search}`,
      method: spec.method.toUpperCase() as Dispatcher.HttpMethod,
      headers: Object.entries(spec.headers).flat(),
      body: spec.body === undefined ? undefined : Buffer.from(spec.body),
    };
    return { spec, connections: origin, options, deadlines, outcomes: new Map() };
  }
}

/** A short description: `GET http://…` or `3 requests: GET http://… ×2, …`. */
export function describeRequests(specs: readonly RequestSpec[]): string {
  const one = (s: RequestSpec): string => `${s.method.toUpperCase()} ${s.url}`;
  if (specs.length === 1) return one(specs[0]!);
  return `${specs.length} requests: ${specs.map((s) => `${one(s)} ×${s.weight}`).join(', ')}`;
}

/** The error class of a failed request: a system code (`ECONNREFUSED`), undici's code, or the name. */
export function errorClass(err: Error): string {
  const code = (err as { code?: unknown }).code;
  const cause = (err as { cause?: { code?: unknown } }).cause?.code;
  if (typeof cause === 'string') return cause;
  return typeof code === 'string' ? code : err.name;
}
