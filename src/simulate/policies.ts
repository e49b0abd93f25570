/**
 * The policies `headroom simulate --policy` names, configured for a trace that comes without a
 * plan. Defaults, derived from the wait objective (budget B: its percentile's wait or its mean)
 * and the mean service time S:
 *
 * - `hpa`: the Kubernetes HPA, as KEDA drives it for a queue, on the jobs in the system (waiting
 *   plus in service: what KEDA's SQS and RabbitMQ scalers count by default, in-flight messages
 *   included) with an AverageValue target of T = 1 + W / S jobs per replica, where W is the mean
 *   wait the objective allows: its own for `wait_mean`, and for a percentile p of B seconds the
 *   mean of an exponential wait whose p-quantile is B, B / ln(1 / (1 − p)) (B / 3 for p95). Why:
 *   at the HPA's balance, replicas = λ·(W + S) / T (Little's law), which exceeds the offered
 *   load λ·S only while the mean wait is above (T − 1)·S, so the pool settles where the mean
 *   wait is W. Its own behavior otherwise (300 s scale-down stabilization, default rates).
 * - `step`: two roadmap-style rules on the queue length (waiting jobs), sized from c̄, the Erlang
 *   C pool for the trace's mean rate, and Q = max(1, B / S), the jobs one worker clears within
 *   the objective's wait B: `> c̄·Q → +max(1, ⌈c̄/4⌉)` at once, `< c̄·Q/10 for 2m →
 *   −max(1, ⌈c̄/10⌉)`, with a cooldown of max(interval, start-up) after each change, so it sees
 *   the effect of one step before the next.
 * - `target-latency` and `predictive`: the wait objective with S given (the simulation knows
 *   it); `predictive` is also told the start-up delay and the interval.
 * - `oracle`: the per-minute arrival counts in advance and S; it starts workers instantly.
 * - `fixed:N`: N replicas throughout.
 *
 * Every run starts with the pool Erlang C sizes for the first minute's rate (clamped to
 * [min, max]), as if the system had been running before the trace began; `fixed:N` starts at N.
 */
import { HeadroomError } from '../errors.ts';
import {
  createPolicy,
  sizeForWait,
  waitBudgetSec,
  type Policy,
  type PolicySpec,
  type WaitTarget,
} from '../autoscale/index.ts';
import type { Jobs } from './jobs.ts';
import { JOBS_IN_SYSTEM } from './metrics.ts';

/** The policy names `--policy` and `--compare` take (besides `fixed:N`). */
export const POLICY_NAMES = ['hpa', 'step', 'target-latency', 'predictive', 'oracle'] as const;

/** What the defaults are derived from. */
export interface PolicyContext {
  slo: WaitTarget;
  jobs: Jobs;
  startupMs: number;
  intervalMs: number;
  min: number;
  max: number;
  /** Overrides the hpa target (waiting jobs per replica). */
  hpaTarget?: number;
}

/** A policy ready to simulate. */
export interface SimPolicy {
  /** Its name as the summary shows it (`fixed:4`). */
  label: string;
  spec: PolicySpec;
  policy: Policy;
  /** Start-up delay its workers get (the oracle's start at once), ms. */
  startupMs: number;
  /** Replicas at the start. */
  initialReplicas: number;
}

/** The metric the default hpa scales on: waiting plus in-service jobs (see `metrics.ts`). */
export const JOBS_IN_SYSTEM_METRIC = JOBS_IN_SYSTEM;

/** The mean wait an objective allows: its own, or B / ln(1 / (1 − p)) for a percentile. */
export function meanWaitAllowedSec(slo: WaitTarget): number {
  return 'quantile' in slo ? slo.waitSec / Math.log(1 / (1 - slo.quantile)) : slo.meanWaitSec;
}

/** The default hpa target, jobs in the system per replica: 1 + W / S (see the module doc). */
export function defaultHpaTarget(slo: WaitTarget, serviceMeanSec: number): number {
  return 1 + meanWaitAllowedSec(slo) / serviceMeanSec;
}

/** Builds the spec for a policy name (see the module doc); USAGE errors name `option`. */
export function policySpec(name: string, ctx: PolicyContext, option = '--policy'): PolicySpec {
  const S = ctx.jobs.serviceMeanSec;
  const fixed = /^fixed:(\d+)$/.exec(name.trim());
  if (fixed) {
    const replicas = Number(fixed[1]);
    if (replicas < ctx.min || replicas > ctx.max)
      throw new HeadroomError(
        'USAGE',
        `${option} ${name} is outside --min ${ctx.min} .. --max ${ctx.max}`,
        {
          hint: 'choose a pool size within the bounds, or widen them',
        },
      );
    return { kind: 'fixed', replicas };
  }
  switch (name.trim()) {
    case 'hpa':
      return {
        kind: 'hpa',
        metrics: [
          { metric: JOBS_IN_SYSTEM_METRIC, target: ctx.hpaTarget ?? defaultHpaTarget(ctx.slo, S) },
        ],
      };
    case 'step':
      return stepSpec(ctx);
    case 'target-latency':
      return { kind: 'target-latency', slo: ctx.slo, serviceTimeSec: S };
    case 'predictive':
      return {
        kind: 'predictive',
        slo: ctx.slo,
        serviceTimeSec: S,
        startupMs: ctx.startupMs,
        intervalMs: ctx.intervalMs,
      };
    case 'oracle':
      return {
        kind: 'oracle',
        slo: ctx.slo,
        serviceTimeSec: S,
        arrivalsPerMinute: ctx.jobs.arrivalsPerMinute,
        startMs: ctx.jobs.startMs,
      };
    default:
      throw new HeadroomError('USAGE', `${option} "${name}" is not a policy`, {
        hint: `choose ${POLICY_NAMES.join(', ')} or fixed:N (e.g. fixed:4)`,
      });
  }
}

/** The default step rules (see the module doc). */
function stepSpec(ctx: PolicyContext): PolicySpec {
  const S = ctx.jobs.serviceMeanSec;
  const T = Math.max(1, waitBudgetSec(ctx.slo) / S);
  const c = Math.max(1, erlangFor(meanRatePerSec(ctx.jobs), ctx));
  return {
    kind: 'step',
    metric: 'queue_length',
    steps: [
      { when: { op: '>', value: c * T }, change: Math.max(1, Math.ceil(c / 4)), forMs: 0 },
      {
        when: { op: '<', value: (c * T) / 10 },
        change: -Math.max(1, Math.ceil(c / 10)),
        forMs: 120_000,
      },
    ],
    cooldownMs: Math.max(ctx.intervalMs, ctx.startupMs),
  };
}

/** Mean arrivals per second over the trace. */
function meanRatePerSec(jobs: Jobs): number {
  return (jobs.arrivals.length * 1000) / Math.max(1, jobs.endMs - jobs.startMs);
}

/** Erlang C's pool for a rate, clamped to [min, max]. */
function erlangFor(ratePerSec: number, ctx: PolicyContext): number {
  const c = ratePerSec > 0 ? sizeForWait(ratePerSec, ctx.jobs.serviceMeanSec, ctx.slo).erlang : 0;
  return Math.min(ctx.max, Math.max(ctx.min, c));
}

/** A named policy with its spec, safety rails, start-up delay and starting pool. */
export function simPolicy(name: string, ctx: PolicyContext, option = '--policy'): SimPolicy {
  const spec = policySpec(name, ctx, option);
  const first = (ctx.jobs.arrivalsPerMinute[0] ?? 0) / 60;
  return {
    label: spec.kind === 'fixed' ? `fixed:${spec.replicas}` : spec.kind,
    spec,
    policy: createPolicy(spec, { min: ctx.min, max: ctx.max }),
    startupMs: spec.kind === 'oracle' ? 0 : ctx.startupMs,
    initialReplicas: spec.kind === 'fixed' ? spec.replicas : erlangFor(first, ctx),
  };
}
