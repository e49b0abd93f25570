/**
 * The loop behind `headroom serve`: on the plan's interval, collect → store → evaluate, and
 * every `forecastEveryMs` rebuild the live roadmap (capacity model, forecasts, tiers, costs)
 * from the store's history. Each stage's health is recorded; a failing stage never stops the
 * loop, and the last good roadmap stays served until a new one is built.
 */
import { buildCapacityModel } from '../capacity/index.ts';
import type { Plan } from '../plan/types.ts';
import { roadmapData } from '../report/roadmap-data.ts';
import { MAX_TRANSITIONS, initialState, type ServeState } from '../server/state.ts';
import type { Store } from '../store/store.ts';
import { Collector } from './collect.ts';
import { currentValues, sourceErrors } from './current-values.ts';
import { Cycle, type CycleResult } from './cycle.ts';
import { framesFromSeries, frameStepMs, seriesFromStore } from './history.ts';

/** Options of the serve loop. */
export interface ServeLoopOptions {
  /** The plan. */
  plan: Plan;
  /** The store (history and alert state). */
  store: Store;
  /** The clock, epoch ms. */
  now: () => number;
  /** How often to rebuild the roadmap, ms (default: a minute). */
  forecastEveryMs?: number;
  /** How much history the roadmap reads, ms (default: 30 days). */
  historyWindowMs?: number;
  /** How far ahead the roadmap projects, ms (default: 2 years). */
  horizonMs?: number;
  /** Called after every step, when the state has changed. */
  onStep?: () => void;
}

const DAY_MS = 86_400_000;

/** Runs a plan's loop and keeps its state. */
export class ServeLoop {
  /** The latest state; replaced, never mutated, so readers see a consistent snapshot. */
  state: ServeState;
  private readonly collector: Collector;
  private readonly cycle: Cycle;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private lastForecast = -Infinity;
  private stopped = false;

  constructor(private readonly options: ServeLoopOptions) {
    const { plan, store, now } = options;
    this.state = initialState(plan.name, plan.file, now());
    this.collector = new Collector(plan, now);
    this.cycle = new Cycle(plan, this.collector, store, now);
  }

  /** Runs one step now, then one every plan interval until `stop()`. */
  start(): void {
    const tick = (): void => {
      if (this.stopped) return;
      this.running = this.step().finally(() => {
        this.options.onStep?.();
        if (!this.stopped) this.timer = setTimeout(tick, this.options.plan.intervalMs);
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
    if (result.at - this.lastForecast >= (this.options.forecastEveryMs ?? 60_000)) {
      this.lastForecast = result.at;
      await this.forecast(result);
    }
  }

  private async forecast(result: CycleResult): Promise<void> {
    const { plan, store, now } = this.options;
    const started = now();
    try {
      const windowMs = this.options.historyWindowMs ?? 30 * DAY_MS;
      const stepMs = frameStepMs(plan, result.at - windowMs, result.at);
      const series = await seriesFromStore(plan, store, result.at - windowMs, result.at, stepMs);
      const frames = framesFromSeries(plan, series, { stepMs, end: result.at, canonical: true });
      const current = currentValues(plan, result.collected, frames);
      const model = buildCapacityModel({
        plan,
        now: result.at,
        current: current.metrics,
        currentWorst: current.worst,
        history: frames,
      });
      const roadmap = roadmapData(model, result.statuses, {
        producedAt: now(),
        horizonMs: this.options.horizonMs ?? 730 * DAY_MS,
        source: {
          kind: 'live',
          frames: frames.length,
          from: frames[0]?.t,
          to: result.at,
          sourceErrors: sourceErrors(result.collected),
        },
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
