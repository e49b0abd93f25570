/**
 * The autoscale contract: a policy is pure. It is given what the metrics said (an
 * `Observation`, which may be late or missing), its own previous state and the time, and it
 * answers with the replicas it wants and why. The simulator and the serve loop call it the same
 * way, so what a policy does in a replay is what it does in production.
 *
 *   decide(observation, state, now) → { replicas, reason, state }
 */

/** What the metrics said about one worker pool at one moment. Rates are per second. */
export interface Observation {
  /** When the metrics were read, epoch ms (may lag `now`, as real scrapes do). */
  at: number;
  /** False when the read failed: the other fields are then absent and must not be trusted. */
  ok: boolean;
  /** Jobs waiting, not yet started (the queue length / backlog). */
  queueLength?: number;
  /** Jobs being worked on now. */
  inService?: number;
  /** Arrivals per second over the last observation window. */
  arrivalRatePerSec?: number;
  /** Completions per second over the last observation window. */
  completionRatePerSec?: number;
  /** Age of the oldest waiting job, seconds (when the queue reports it). */
  oldestWaitSec?: number;
  /**
   * Values of other metrics a policy scales on, by the plan's metric name (`api_cpu`,
   * `sms_waiting`). `hpa` and `step` read their metric here, or `queueLength` when the metric
   * is `queue_length`.
   */
  metrics?: Record<string, number>;
  /** Replicas running and taking work. */
  readyReplicas: number;
  /** Replicas asked for: ready plus starting (the actuator's current value). */
  currentReplicas: number;
}

/** A policy's answer. */
export interface Decision {
  /** Replicas wanted, an integer within the pool's bounds. */
  replicas: number;
  /** One line a person can read: which rule, which numbers. */
  reason: string;
}

/** A policy's answer with its next state. */
export interface DecisionWithState<S> extends Decision {
  /** The state to pass to the next call. Plain JSON, so it can be saved in the store. */
  state: S;
}

/** A scaling policy: pure, no clock, no I/O. */
export interface Policy<S = unknown> {
  /** Its name as the plan and the CLI write it (`hpa`, `step`, `target-latency`, …). */
  readonly name: string;
  /** The state before the first call. */
  initialState(): S;
  /** One decision. `now` is epoch ms. */
  decide(observation: Observation, state: S, now: number): DecisionWithState<S>;
}

/** A comparison in a step rule: `> 500`, `< 50`. */
export interface Threshold {
  op: '>' | '>=' | '<' | '<=';
  value: number;
}

/** One step rule: while `metric op value` has held for `forMs`, change replicas by `change`. */
export interface StepRule {
  when: Threshold;
  /** Replicas to add (positive) or remove (negative). */
  change: number;
  /** How long the condition must hold first, ms (0: at once). */
  forMs: number;
}

/** A wait objective: a percentile of the queue wait, or its mean, in seconds. */
export type WaitTarget = { quantile: number; waitSec: number } | { meanWaitSec: number };

/** The metric a policy reads: `queue_length` (the observation's queue) or a plan metric. */
export type ScaleMetricName = string;

/** What each policy is configured with (the plan's `autoscale:` entry, compiled). */
export type PolicySpec =
  /** Always this many replicas (a fixed pool; the baseline of "do nothing"). */
  | { kind: 'fixed'; replicas: number }
  /** The Kubernetes HPA on AverageValue targets: the metric's value per replica. */
  | {
      kind: 'hpa';
      metrics: { metric: ScaleMetricName; target: number }[];
      /**
       * The HPA's `behavior.scaleUp.stabilizationWindowSeconds`, in ms: a scale-up takes the
       * lowest recommendation of this window (default 0: no scale-up stabilization).
       */
      scaleUpStabilizationMs?: number;
    }
  /** Threshold steps on one metric, as roadmaps write them, with cooldowns. */
  | {
      kind: 'step';
      metric: ScaleMetricName;
      steps: StepRule[];
      /** After any change, no scale-up for this long, ms. */
      cooldownMs: number;
      /** After any change, no scale-down for this long, ms (default: cooldownMs). */
      scaleDownCooldownMs?: number;
    }
  /** The fewest replicas that keep the wait objective (Erlang C) and drain the backlog in it. */
  | {
      kind: 'target-latency';
      slo: WaitTarget;
      /** Mean service time per job, s, when known; else estimated from completions. */
      serviceTimeSec?: number;
    }
  /** target-latency on the arrival rate forecast over start-up + one interval. */
  | {
      kind: 'predictive';
      slo: WaitTarget;
      serviceTimeSec?: number;
      /** Worker start-up delay, ms. */
      startupMs: number;
      /** How often decide is called, ms. */
      intervalMs: number;
    }
  /**
   * Rate-clairvoyant yardstick (simulation only): knows each minute's arrival count in
   * advance, not the job sizes; takes the fewest replicas Erlang C says keep the SLO at the
   * highest rate of this minute and the next.
   */
  | {
      kind: 'oracle';
      slo: WaitTarget;
      serviceTimeSec: number;
      /** Arrivals in each minute of the trace, from `startMs`. */
      arrivalsPerMinute: readonly number[];
      startMs: number;
    };

/** Safety rails around any policy; every field has a default (see `safety.ts`). */
export interface SafetyOptions {
  min: number;
  max: number;
  /** A scale-down takes the highest recommendation of this window, ms (HPA: 300 s). */
  scaleDownStabilizationMs?: number;
  /** At most this many replicas added per `rateWindowMs` (default: no limit). */
  maxScaleUpStep?: number;
  /** At most this many replicas removed per `rateWindowMs` (default: no limit). */
  maxScaleDownStep?: number;
  rateWindowMs?: number;
  /** At most this many replica changes in any hour (default: no limit). */
  flapBudgetPerHour?: number;
  /** After this many failed observations in a row, go to `fallbackReplicas` (KEDA). */
  fallbackAfterFailures?: number;
  fallbackReplicas?: number;
  /** Decide and report, but always answer the current replicas. */
  dryRun?: boolean;
}
