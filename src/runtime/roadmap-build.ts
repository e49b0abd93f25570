/**
 * Rebuilding the live roadmap from the store: the history of the last `windowMs`, the values
 * just collected, the capacity model and its forecasts, tiers and costs, and the last load-test
 * run of each scenario (for the checklist). This is the serve loop's heavy step (seconds on a
 * month of history), so it runs in a worker thread (`roadmap-thread.ts`); this function is what
 * both the thread and a direct call run.
 */
import { buildCapacityModel } from '../capacity/index.ts';
import type { ChoiceMemory } from '../forecast/index.ts';
import type { Plan } from '../plan/types.ts';
import { loadTestRuns } from '../report/loadtest-runs.ts';
import { roadmapData, type Roadmap } from '../report/roadmap-data.ts';
import type { TriggerStatus } from '../rules/types.ts';
import type { Store } from '../store/store.ts';
import type { CollectOutcome } from './collect.ts';
import { currentValues, sourceErrors } from './current-values.ts';
import { framesFromSeries, frameStepMs, seriesFromStore } from './history.ts';

/** What one rebuild needs besides the plan and the store: plain data, so it crosses threads. */
export interface RoadmapRequest {
  /** Evaluation time of the cycle, epoch ms. */
  at: number;
  /** What the cycle collected. */
  collected: CollectOutcome;
  /** Trigger statuses of the cycle. */
  statuses: TriggerStatus[];
  /** How much history to read, ms. */
  windowMs: number;
  /** How far ahead to project, ms. */
  horizonMs: number;
  /** When the roadmap is produced, epoch ms. */
  producedAt: number;
}

/**
 * Builds the live roadmap. Rebuilds of one plan that share `choices` keep each forecast's model
 * choice for a while (`forecast/choice-memory.ts`) instead of making it again every time, and
 * each makes again at most a share of the choices that fell due.
 */
export async function buildRoadmap(
  plan: Plan,
  store: Store,
  request: RoadmapRequest,
  choices?: ChoiceMemory,
): Promise<Roadmap> {
  const { at, collected, statuses, windowMs, horizonMs, producedAt } = request;
  // One rebuild is one round: it makes again only a share of the choices that fell due.
  choices?.newRound();
  const stepMs = frameStepMs(plan, at - windowMs, at);
  const series = await seriesFromStore(plan, store, at - windowMs, at, stepMs);
  const frames = framesFromSeries(plan, series, { stepMs, end: at, canonical: true });
  const current = currentValues(plan, collected, frames);
  const model = buildCapacityModel({
    plan,
    now: at,
    current: current.metrics,
    currentWorst: current.worst,
    history: frames,
    ...(choices ? { choices } : {}),
  });
  return roadmapData(model, statuses, {
    producedAt,
    horizonMs,
    loadTests: await loadTestRuns(store, plan),
    source: {
      kind: 'live',
      frames: frames.length,
      from: frames[0]?.t,
      to: at,
      sourceErrors: sourceErrors(collected),
    },
  });
}
