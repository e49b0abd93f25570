/**
 * Running policies on a trace: one run, or several on the same jobs (the same seed gives every
 * policy identical arrivals and service times), each summarised against the objective.
 */
import type { WaitTarget } from '../autoscale/index.ts';
import { runEngine } from './engine.ts';
import type { Jobs } from './jobs.ts';
import { simPolicy, type PolicyContext } from './policies.ts';
import { summarize, type RunResult } from './results.ts';

/** How the runs are set up besides the jobs. */
export interface RunSettings {
  slo: WaitTarget;
  min: number;
  max: number;
  startupMs: number;
  intervalMs: number;
  /** Age of the metrics a decision sees (default one interval), ms. */
  lagMs?: number;
  /** Overrides the hpa target (waiting jobs per replica). */
  hpaTarget?: number;
  /** Overrides the starting pool of every policy but `fixed:N`. */
  initialReplicas?: number;
}

/** Progress of several runs: the run's index, how many there are, its fraction done. */
export type CompareProgress = (run: number, runs: number, fraction: number) => void;

/** Runs one policy (by name: `hpa`, `fixed:4`, …) on the jobs. */
export function runPolicy(
  jobs: Jobs,
  settings: RunSettings,
  name: string,
  onProgress?: (fraction: number) => void,
  option = '--policy',
): RunResult {
  const ctx: PolicyContext = { ...settings, jobs };
  const p = simPolicy(name, ctx, option);
  const initial =
    p.spec.kind === 'fixed' || settings.initialReplicas === undefined
      ? p.initialReplicas
      : Math.min(settings.max, Math.max(settings.min, settings.initialReplicas));
  const run = runEngine({
    arrivals: jobs.arrivals,
    serviceMs: jobs.serviceMs,
    startMs: jobs.startMs,
    endMs: jobs.endMs,
    policy: p.policy,
    min: settings.min,
    max: settings.max,
    initialReplicas: initial,
    startupMs: p.startupMs,
    intervalMs: settings.intervalMs,
    lagMs: settings.lagMs ?? settings.intervalMs,
    onProgress,
  });
  return summarize(p.label, run, jobs.arrivals, jobs.startMs, settings.slo);
}

/** Runs each named policy on the same jobs, in order. */
export function comparePolicies(
  jobs: Jobs,
  settings: RunSettings,
  names: readonly string[],
  onProgress?: CompareProgress,
): RunResult[] {
  return names.map((name, i) =>
    runPolicy(jobs, settings, name, (f) => onProgress?.(i, names.length, f), '--compare'),
  );
}
