/**
 * The loop behind `headroom serve`: on the plan's interval, collect → store → evaluate →
 * notify → autoscale, and every `forecastEveryMs` rebuild the live roadmap (capacity model, forecasts, tiers, costs)
 * from the store's history. Each stage's health is recorded; a failing stage never stops the
 * loop, and the last good roadmap stays served until a new one is built.
 */
import type { Plan } from '../plan/types.ts';
import { MAX_TRANSITIONS, initialState, type ServeState } from '../server/state.ts';
import type { Store } from '../store/store.ts';
import { AutoscaleStage, type ActuatorFactory } from './autoscale-stage.ts';
import { Collector, type SourceBuilder } from './collect.ts';
import type { LineSink } from '../notify/log.ts';
import { Cycle, type CycleResult } from './cycle.ts';
import { NotifyStage } from './notify-stage.ts';
import { RoadmapThread } from './roadmap-thread.ts';

/** Options of the serve loop. */
export interface ServeLoopOptions {
  /** The plan. */
  plan: Plan;
  /** The store (history and alert state). */
  store: Store;
  /** The clock, epoch ms. */
  now: () => number;
  /** How often to rebuild the roadmap, ms (default: a minute; Infinity: never). */
  forecastEveryMs?: number;
  /** How much history the roadmap reads, ms (default: 30 days). */
  historyWindowMs?: number;
  /** How far ahead the roadmap projects, ms (default: 2 years). */
  horizonMs?: number;
  /** Called after every step, when the state has changed. */
  onStep?: () => void;
  /** Real ms between steps (default: the plan's interval; the demo compresses time). */
  tickMs?: number;
  /** Builds each source (default: the real kinds; the demo's simulated system). */
  sourceFactory?: SourceBuilder;
  /** Builds each autoscaled pool's actuator (without it, autoscale is off). */
  actuatorFor?: ActuatorFactory;
  /** Where the plan's `log` notification channel writes (default standard error). */
  notifyStream?: LineSink;
  /** How often active alerts are re-sent to Alertmanager, ms (default 60 s). */
  notifyRefreshMs?: number;
}

/** How long `stop()` waits for notifications in flight, ms. */
const NOTIFY_STOP_WAIT_MS = 5_000;

const DAY_MS = 86_400_000;

/** Runs a plan's loop and keeps its state. */
export class ServeLoop {
  /** The latest state; replaced, never mutated, so readers see a consistent snapshot. */
  state: ServeState;
  private readonly collector: Collector;
  private readonly cycle: Cycle;
  private readonly autoscale: AutoscaleStage | undefined;
  private readonly notify: NotifyStage;
  private readonly roadmaps: RoadmapThread;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private rebuilding: Promise<void> | undefined;
  private lastForecast = -Infinity;
  private stopped = false;

  constructor(private readonly options: ServeLoopOptions) {
    const { plan, store, now } = options;
    this.state = initialState(plan.name, plan.file, now());
    this.collector = new Collector(plan, now, plan.intervalMs, options.sourceFactory);
    this.cycle = new Cycle(plan, this.collector, store, now);
    this.roadmaps = new RoadmapThread(plan, store);
    this.notify = new NotifyStage(plan, this.cycle.specs, {
      now,
      store,
      ...(options.notifyStream ? { stream: options.notifyStream } : {}),
      ...(options.notifyRefreshMs !== undefined ? { refreshMs: options.notifyRefreshMs } : {}),
      onDelivered: () => {
        if (this.stopped) return;
        this.showNotify();
        options.onStep?.();
      },
    });
    this.state = { ...this.state, notify: this.notify.view() };
    if (!this.notify.configured) this.setStage('notify', { state: 'off' });
    if (options.actuatorFor && Object.keys(plan.raw.autoscale ?? {}).length > 0) {
      this.autoscale = new AutoscaleStage(plan, options.actuatorFor, store);
      this.state = { ...this.state, scaling: this.autoscale.view() };
    } else {
      this.setStage('autoscale', { state: 'off' });
    }
  }

  /** Runs one step now, then one every plan interval until `stop()`. */
  start(): void {
    const tick = (): void => {
      if (this.stopped) return;
      this.running = this.step().finally(() => {
        this.options.onStep?.();
        if (!this.stopped)
          this.timer = setTimeout(tick, this.options.tickMs ?? this.options.plan.intervalMs);
      });
    };
    tick();
  }

  /** Stops the loop, waits for a step in flight, and closes the sources. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
    await this.collector.close();
    await this.autoscale?.close();
    // Deliveries in flight get a moment to finish; what a channel that is down still holds
    // is reported by the view (serve prints it), not waited for.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.notify.settled(),
      new Promise((resolve) => (timer = setTimeout(resolve, NOTIFY_STOP_WAIT_MS))),
    ]);
    clearTimeout(timer);
    // Closing the thread ends a rebuild in flight (it is abandoned, not awaited).
    await this.roadmaps.close();
    await this.rebuilding?.catch(() => undefined);
  }

  /** One step: a cycle, and the roadmap when it is due. Never rejects. */
  async step(): Promise<void> {
    const { plan, now } = this.options;
    const started = now();
    let result: CycleResult | undefined;
    try {
      result = await this.cycle.run(Math.max(1000, plan.intervalMs - 500));
    } catch (err) {
      this.setStage('evaluate', {
        state: 'err',
        lastRun: started,
        lastError: (err as Error).message,
      });
      return;
    }
    const duration = now() - started;
    const history = this.state.transitions;
    const failures = Object.keys(result.collected.failures).length;
    this.state = {
      ...this.state,
      at: result.at,
      statuses: result.statuses,
      transitions: [...this.state.transitions, ...result.transitions].slice(-MAX_TRANSITIONS),
      sources: Object.fromEntries(
        Object.entries(result.collected.sources).map(([name, s]) => [
          name,
          { kind: s.kind, state: s.health.state, lastError: s.health.lastError },
        ]),
      ),
      stages: {
        ...this.state.stages,
        collect: failures
          ? {
              state: 'err',
              lastRun: started,
              lastDurationMs: duration,
              lastError: `${failures} metric(s) could not be read`,
            }
          : { state: 'ok', lastRun: started, lastDurationMs: duration },
        store: result.storeError
          ? { state: 'err', lastRun: started, lastError: result.storeError }
          : { state: 'ok', lastRun: started },
        evaluate: { state: 'ok', lastRun: result.at },
      },
    };
    if (this.notify.configured) {
      await this.notify.run(result.at, result.transitions, result.statuses, history);
      this.showNotify(result.at);
    }
    if (this.autoscale) await this.scale(result);
    const every = this.options.forecastEveryMs ?? 60_000;
    const due = Number.isFinite(every) && result.at - this.lastForecast >= every;
    if (due && !this.rebuilding) {
      this.lastForecast = result.at;
      // In a worker thread the rebuild runs beside the next steps (alerts and scaling keep
      // their interval); one at a time, and its result is announced when it lands.
      const rebuild = this.forecast(result).finally(() => {
        this.rebuilding = undefined;
        if (!this.stopped) this.options.onStep?.();
      });
      this.rebuilding = rebuild;
      if (!this.roadmaps.threaded) await rebuild;
    }
  }

  /** Resolves when no roadmap rebuild is in flight. */
  async settled(): Promise<void> {
    await this.rebuilding;
  }

  /** Notifications undelivered (queued on a channel that is down); see `state.notify`. */
  get undelivered(): number {
    return this.notify.view().channels.reduce((n, c) => n + c.queued, 0);
  }

  private showNotify(at?: number): void {
    const health = this.notify.health();
    const lastRun = at ?? this.state.stages.notify.lastRun;
    this.state = { ...this.state, notify: this.notify.view() };
    this.setStage('notify', { ...health, ...(lastRun !== undefined ? { lastRun } : {}) });
  }

  private async scale(result: CycleResult): Promise<void> {
    const started = this.options.now();
    const scaling = await this.autoscale!.run(result.collected.samples, result.at);
    const failed = scaling.filter((p) => p.error !== undefined);
    this.state = { ...this.state, scaling };
    this.setStage(
      'autoscale',
      failed.length > 0
        ? {
            state: 'err',
            lastRun: started,
            lastError: failed.map((p) => `${p.name}: ${p.error}`).join('; '),
          }
        : { state: 'ok', lastRun: started },
    );
  }

  private async forecast(result: CycleResult): Promise<void> {
    const { now } = this.options;
    const started = now();
    try {
      const roadmap = await this.roadmaps.build({
        at: result.at,
        collected: result.collected,
        statuses: result.statuses,
        windowMs: this.options.historyWindowMs ?? 30 * DAY_MS,
        horizonMs: this.options.horizonMs ?? 730 * DAY_MS,
        producedAt: now(),
      });
      this.state = { ...this.state, roadmap };
      this.setStage('forecast', { state: 'ok', lastRun: started, lastDurationMs: now() - started });
    } catch (err) {
      this.setStage('forecast', {
        state: 'err',
        lastRun: started,
        lastError: (err as Error).message,
      });
    }
  }

  private setStage(
    stage: keyof ServeState['stages'],
    health: ServeState['stages']['collect'],
  ): void {
    this.state = { ...this.state, stages: { ...this.state.stages, [stage]: health } };
  }
}
