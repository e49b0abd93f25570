/**
 * What `headroom serve` knows at any moment: the latest cycle (trigger statuses, source
 * health), recent alert changes, the health of each pipeline stage, and the latest live
 * roadmap (capacity, forecasts, tiers, costs). The loop writes it; the API reads it.
 */
import type { Roadmap } from '../report/roadmap-data.ts';
import type { ScalingPool } from '../runtime/autoscale-stage.ts';
import type { NotifyView } from '../runtime/notify-stage.ts';
import type { TriggerStatus, Transition } from '../rules/types.ts';

/** Health of one pipeline stage. */
export interface StageHealth {
  /** `ok`, `err` (its last run failed), `pending` (not run yet) or `off` (nothing to do). */
  state: 'ok' | 'err' | 'pending' | 'off';
  /** When it last ran, epoch ms. */
  lastRun?: number;
  /** How long its last run took, ms. */
  lastDurationMs?: number;
  /** The last error, if it failed. */
  lastError?: string;
}

/** The state of a served plan. */
export interface ServeState {
  /** Plan name. */
  plan: string;
  /** The plan file. */
  file: string;
  /** When serving started, epoch ms. */
  startedAt: number;
  /** The latest evaluation time, epoch ms (undefined before the first cycle). */
  at?: number;
  /** Trigger statuses of the latest cycle. */
  statuses: TriggerStatus[];
  /** Alert state changes, newest last, at most `MAX_TRANSITIONS`. */
  transitions: Transition[];
  /** Each source's kind and health. */
  sources: Record<string, { kind: string; state: string; lastError?: string }>;
  /** Pipeline stages: collect, store, evaluate, notify, autoscale, forecast. */
  stages: Record<
    'collect' | 'store' | 'evaluate' | 'notify' | 'autoscale' | 'forecast',
    StageHealth
  >;
  /** Notification channels: what each delivered, what waits, and entries that gave none. */
  notify?: NotifyView;
  /** Autoscaled pools: replicas, the latest decision and recent changes. */
  scaling?: ScalingPool[];
  /** The latest live roadmap (undefined until the first forecast). */
  roadmap?: Roadmap;
  /** When the plan was last (re)loaded, epoch ms. */
  loadedAt?: number;
  /** Errors of the last edit of the plan file, which was not applied (the running plan stays). */
  planErrors?: Record<string, unknown>[];
}

/** Alert changes kept in memory for the API. */
export const MAX_TRANSITIONS = 1000;

/** The state before the first cycle. */
export function initialState(plan: string, file: string, startedAt: number): ServeState {
  const pending: StageHealth = { state: 'pending' };
  return {
    plan,
    file,
    startedAt,
    statuses: [],
    transitions: [],
    sources: {},
    stages: {
      collect: pending,
      store: pending,
      evaluate: pending,
      notify: pending,
      autoscale: pending,
      forecast: pending,
    },
  };
}
