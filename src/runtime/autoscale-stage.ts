/**
 * The loop's autoscale stage: after each cycle, every `autoscale:` pool in force (its
 * `from_tier` reached) turns what was just collected into an `Observation`, asks its policy,
 * and has its actuator carry out a change. The queue length is the pool's metric; the
 * completion rate its component's measured `usage.throughput`; the arrival rate is completions
 * plus the queue's growth since the last cycle; the service time comes from `per_replica`
 * throughput when the plan gives it. Policy state is saved in the store, so a restart resumes
 * stabilization windows and flap budgets. A failing actuator is reported, never fatal.
 */
import type { Actuator } from '../actuators/actuator.ts';
import { advisoryActuator } from '../actuators/advisory.ts';
import { createPolicy, policyFromPlan } from '../autoscale/index.ts';
import type { Observation, Policy } from '../autoscale/types.ts';
import { nodeValue } from '../capacity/evaluate.ts';
import { deployedTierIndex } from '../capacity/deployed-tier.ts';
import type { Plan } from '../plan/types.ts';
import type { Sample } from '../sources/source.ts';
import type { Store } from '../store/store.ts';
import { canonicalSamples } from './collect.ts';

/** One scaling change, or a decision that could not be carried out. */
export interface ScalingDecision {
  /** When, epoch ms. */
  at: number;
  /** Replicas before. */
  from: number;
  /** Replicas wanted. */
  to: number;
  /** The policy's reason. */
  reason: string;
  /** Set when the actuator failed. */
  error?: string;
}

/** What the API shows of one pool. */
export interface ScalingPool {
  name: string;
  policy: string;
  /** The actuator's kind (`advisory` when the plan names none: decided, not carried out). */
  actuator?: string;
  dry_run: boolean;
  /** False before the pool's `from_tier` is deployed. */
  active: boolean;
  /** Why it is not active. */
  inactive_reason?: string;
  replicas: { current?: number; desired?: number; min: number; max: number };
  last_decision?: { at: number; replicas: number; reason: string };
  /** Changes, newest last (at most `MAX_DECISIONS`). */
  decisions: ScalingDecision[];
  /** The last error (observation, policy or actuator), if the last run had one. */
  error?: string;
}

/** Decisions kept per pool. */
export const MAX_DECISIONS = 50;

/**
 * Builds the actuator a pool's `actuator:` entry describes; undefined when it names none (the
 * pool is then advisory: decided and published, not carried out).
 */
export type ActuatorFactory = (
  pool: string,
  config: Record<string, unknown> | undefined,
) => Actuator | undefined;

interface Pool {
  name: string;
  policy: Policy;
  state: unknown;
  fromTier?: number;
  intervalMs: number;
  dryRun: boolean;
  min: number;
  max: number;
  queueMetric?: string;
  /** The metric of the oldest waiting job's age, seconds (its largest series is taken). */
  oldestWaitMetric?: string;
  serviceTimeSec: number | undefined;
  actuator?: Actuator;
  actuatorError?: string;
  lastRun: number;
  lastQueue?: { at: number; value: number };
  view: ScalingPool;
}

/** The stage: one per loaded plan. */
export class AutoscaleStage {
  private readonly pools: Pool[] = [];
  private loaded = false;

  constructor(
    private readonly plan: Plan,
    actuatorFor: ActuatorFactory,
    private readonly store?: Store,
  ) {
    for (const [name, entry] of Object.entries(plan.raw.autoscale ?? {})) {
      // Seconds one job takes on one replica, from the plan's `per_replica.throughput`.
      const throughput = nodeValue(plan, `components.${name}.per_replica.throughput`, {
        metrics: {},
      });
      const serviceTimeSec = throughput && throughput > 0 ? 1 / throughput : undefined;
      const compiled = policyFromPlan(plan, name, {
        serviceTimeSec,
      });
      const fromTier = entry.from_tier
        ? plan.tiers.findIndex((t) => t.name === entry.from_tier)
        : undefined;
      const { min, max } = compiled.safety;
      let actuator: Actuator | undefined;
      let actuatorError: string | undefined;
      try {
        actuator = actuatorFor(name, compiled.actuator) ?? advisoryActuator(min);
      } catch (err) {
        actuatorError = (err as Error).message;
      }
      this.pools.push({
        name,
        // Three failed reads in a row (the queue metric unknown): run the pool at its maximum,
        // as KEDA's fallback does, so a blind spell never starves a backlog.
        policy: createPolicy(compiled.spec, {
          ...compiled.safety,
          fallbackAfterFailures: 3,
          fallbackReplicas: max,
        }),
        state: undefined,
        fromTier,
        intervalMs: compiled.intervalMs,
        dryRun: compiled.dryRun,
        min,
        max,
        queueMetric: entry.metric ?? plan.raw.components?.[name]?.queue,
        ...(entry.oldest_wait !== undefined ? { oldestWaitMetric: entry.oldest_wait } : {}),
        serviceTimeSec,
        actuator,
        actuatorError,
        lastRun: -Infinity,
        view: {
          name,
          policy: compiled.spec.kind,
          dry_run: compiled.dryRun,
          ...(actuator ? { actuator: actuator.kind } : {}),
          active: false,
          replicas: { min, max },
          decisions: [],
          ...(actuatorError ? { error: actuatorError } : {}),
        },
      });
    }
  }

  /** The pools as the API shows them. */
  view(): ScalingPool[] {
    return this.pools.map((p) => p.view);
  }

  /** Runs every pool that is due, on the samples of the cycle at `at`. Never rejects. */
  async run(samples: Sample[], at: number): Promise<ScalingPool[]> {
    if (this.pools.length === 0) return [];
    await this.load();
    const canonical = canonicalSamples(this.plan, samples);
    const sums = sumByMetric(canonical);
    const maxes = maxByMetric(canonical);
    const tier = deployedTierIndex(this.plan, driverValues(this.plan, sums));
    for (const pool of this.pools) {
      if (at - pool.lastRun < pool.intervalMs) continue;
      pool.lastRun = at;
      const oldest = pool.oldestWaitMetric !== undefined ? maxes[pool.oldestWaitMetric] : undefined;
      await this.runPool(pool, sums, oldest, tier, at);
    }
    await this.save();
    return this.view();
  }

  /** Stops every actuator (local worker processes, a gRPC server). */
  async close(): Promise<void> {
    await Promise.all(this.pools.map((p) => p.actuator?.close()));
  }

  private async runPool(
    pool: Pool,
    sums: Record<string, number>,
    oldestWaitSec: number | undefined,
    tier: number,
    at: number,
  ): Promise<void> {
    if (pool.fromTier !== undefined && tier < pool.fromTier) {
      const from = this.plan.tiers[pool.fromTier]?.name;
      pool.view = { ...pool.view, active: false, inactive_reason: `in force from ${from}` };
      return;
    }
    if (!pool.actuator) {
      pool.view = { ...pool.view, active: false, inactive_reason: pool.actuatorError };
      return;
    }
    try {
      const current = await pool.actuator.current();
      const observation = this.observe(pool, sums, current, at);
      if (observation.ok && oldestWaitSec !== undefined && Number.isFinite(oldestWaitSec))
        observation.oldestWaitSec = Math.max(0, oldestWaitSec);
      const decision = pool.policy.decide(
        observation,
        pool.state ?? pool.policy.initialState(),
        at,
      );
      pool.state = decision.state;
      const changes = decision.replicas !== current && !pool.dryRun;
      let error: string | undefined;
      if (changes) {
        try {
          await pool.actuator.scale(decision.replicas, decision.reason);
        } catch (err) {
          error = `scaling to ${decision.replicas} failed: ${(err as Error).message}`;
        }
      }
      const decisions = changes
        ? [
            ...pool.view.decisions,
            {
              at,
              from: current,
              to: decision.replicas,
              reason: decision.reason,
              ...(error ? { error } : {}),
            },
          ].slice(-MAX_DECISIONS)
        : pool.view.decisions;
      pool.view = {
        name: pool.name,
        policy: pool.view.policy,
        ...(pool.actuator.kind ? { actuator: pool.actuator.kind } : {}),
        dry_run: pool.dryRun,
        active: true,
        replicas: {
          current: changes && !error ? decision.replicas : current,
          desired: decision.replicas,
          min: pool.min,
          max: pool.max,
        },
        last_decision: { at, replicas: decision.replicas, reason: decision.reason },
        decisions,
        ...(error ? { error } : {}),
      };
    } catch (err) {
      pool.view = { ...pool.view, active: true, error: (err as Error).message };
    }
  }

  private observe(
    pool: Pool,
    sums: Record<string, number>,
    current: number,
    at: number,
  ): Observation {
    const queue = pool.queueMetric !== undefined ? sums[pool.queueMetric] : undefined;
    const completion = nodeValue(this.plan, `components.${pool.name}.usage.throughput`, {
      metrics: sums,
    });
    const ready = pool.actuator?.ready ? pool.actuator.ready() : current;
    const base = { at, readyReplicas: ready, currentReplicas: current, metrics: sums };
    if (pool.queueMetric !== undefined && queue === undefined) return { ...base, ok: false };
    let arrival: number | undefined;
    if (
      queue !== undefined &&
      completion !== undefined &&
      pool.lastQueue &&
      at > pool.lastQueue.at
    ) {
      const growth = (queue - pool.lastQueue.value) / ((at - pool.lastQueue.at) / 1000);
      arrival = Math.max(0, completion + growth);
    }
    if (queue !== undefined) pool.lastQueue = { at, value: queue };
    return {
      ...base,
      ok: true,
      ...(queue !== undefined ? { queueLength: queue } : {}),
      ...(completion !== undefined ? { completionRatePerSec: completion } : {}),
      ...(arrival !== undefined ? { arrivalRatePerSec: arrival } : {}),
      // Busy workers by Little's law: completions per second times seconds per job.
      ...(completion !== undefined && pool.serviceTimeSec !== undefined
        ? { inService: Math.min(ready, completion * pool.serviceTimeSec) }
        : {}),
    };
  }

  private key(): string {
    return `autoscale:${this.plan.name}`;
  }

  private async load(): Promise<void> {
    if (this.loaded || !this.store) return;
    this.loaded = true;
    const saved = await this.store
      .loadState<Record<string, unknown>>(this.key())
      .catch(() => undefined);
    for (const pool of this.pools)
      if (saved?.[pool.name] !== undefined) pool.state = saved[pool.name];
  }

  private async save(): Promise<void> {
    if (!this.store) return;
    const states = Object.fromEntries(this.pools.map((p) => [p.name, p.state]));
    await this.store.saveState(this.key(), states).catch(() => undefined);
  }
}

function maxByMetric(samples: Sample[]): Record<string, number> {
  const maxes: Record<string, number> = {};
  for (const s of samples) maxes[s.metric] = Math.max(maxes[s.metric] ?? -Infinity, s.value);
  return maxes;
}

function sumByMetric(samples: Sample[]): Record<string, number> {
  const sums: Record<string, number> = {};
  for (const s of samples) sums[s.metric] = (sums[s.metric] ?? 0) + s.value;
  return sums;
}

function driverValues(plan: Plan, sums: Record<string, number>): Record<string, number> {
  const values: Record<string, number> = {};
  for (const d of Object.values(plan.drivers)) {
    const v = (d.metric !== undefined ? sums[d.metric] : undefined) ?? d.value;
    if (v !== undefined) values[d.name] = v;
  }
  return values;
}
