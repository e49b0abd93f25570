/**
 * The load-test contract: scenarios in k6's vocabulary (executors, stages, thresholds), the
 * targets an iteration drives (HTTP requests, queue jobs), the measurements a run produces and
 * the one JSON document `headroom loadtest --json` prints. Times inside a run are monotonic
 * milliseconds (`performance.now()`); durations in specs are milliseconds; latencies in the JSON
 * document are seconds, as everywhere in headroom, while thresholds on `http_req_duration` are
 * written in milliseconds, as in k6.
 */

/** One stage of a ramping executor: reach `target` (VUs, or iterations per `timeUnit`) over `durationMs`. */
export interface Stage {
  /** How long the stage lasts, ms. */
  durationMs: number;
  /** VUs (ramping-vus) or iterations per time unit (ramping-arrival-rate) at the stage's end. */
  target: number;
}

/** k6's executors that headroom runs. */
export type ExecutorName =
  'constant-vus' | 'ramping-vus' | 'constant-arrival-rate' | 'ramping-arrival-rate';

/** Closed loop: `vus` virtual users, each starting its next iteration when the last ends. */
export interface ConstantVusSpec {
  executor: 'constant-vus';
  /** Virtual users. */
  vus: number;
  /** Length, ms. */
  durationMs: number;
}

/** Closed loop with the number of VUs following `stages` linearly from `startVUs`. */
export interface RampingVusSpec {
  executor: 'ramping-vus';
  /** VUs at the start. */
  startVUs: number;
  /** Stages, in order. */
  stages: Stage[];
  /** How long a VU that ramps down may finish its iteration, ms (k6 default 30 s). */
  gracefulRampDownMs: number;
}

/**
 * Open loop: iterations start on schedule whatever the latency (`rate` per `timeUnitMs`); at
 * most `maxVUs` are in flight, beyond that an iteration is dropped and counted
 * (`dropped_iterations`), as in k6.
 */
export interface ConstantArrivalRateSpec {
  executor: 'constant-arrival-rate';
  /** Iterations per time unit. */
  rate: number;
  /** The time unit of `rate`, ms (k6 default 1 s). */
  timeUnitMs: number;
  /** Length, ms. */
  durationMs: number;
  /** Iterations in flight allowed before one is dropped. */
  maxVUs: number;
}

/** Open loop with the arrival rate following `stages` linearly from `startRate`. */
export interface RampingArrivalRateSpec {
  executor: 'ramping-arrival-rate';
  /** Iterations per time unit at the start. */
  startRate: number;
  /** The time unit of rates, ms (k6 default 1 s). */
  timeUnitMs: number;
  /** Stages, in order (targets are rates per time unit). */
  stages: Stage[];
  /** Iterations in flight allowed before one is dropped. */
  maxVUs: number;
}

/** Any executor's settings. */
export type ExecutorSpec =
  ConstantVusSpec | RampingVusSpec | ConstantArrivalRateSpec | RampingArrivalRateSpec;

/**
 * A breakpoint search: arrival-rate steps from `startRate`, each held `stepMs`, growing by
 * `growth` until a step fails (a threshold, too many failures or drops, or throughput that no
 * longer follows the offered rate), then halving the gap between the last step that held and the
 * first that failed until it is within `resolution` (a fraction) — bounded by `maxRate` and
 * `maxDurationMs`.
 */
export interface BreakpointSpec {
  /** First step's rate, iterations per second. */
  startRate: number;
  /** Highest rate it may offer, iterations per second. */
  maxRate: number;
  /** How long each step is held, ms. */
  stepMs: number;
  /** Factor between successive rising steps (1.5 = +50 %). */
  growth: number;
  /** Stop refining when (failed − held) / held is at most this. */
  resolution: number;
  /** The whole search may last at most this long, ms. */
  maxDurationMs: number;
  /** Iterations in flight allowed before one is dropped. */
  maxVUs: number;
}

/** A k6 metric a threshold can be set on. */
export type ThresholdMetric =
  | 'http_req_duration'
  | 'http_req_failed'
  | 'http_reqs'
  | 'iterations'
  | 'iteration_duration'
  | 'dropped_iterations';

/**
 * One parsed threshold (`http_req_duration: p(95)<300`): an aggregation of a metric, compared
 * with a number in the metric's k6 unit (ms for durations, a ratio for rates, a count or per
 * second for counters). `tags` is k6's `http_req_duration{name:listTickets}` selector.
 */
export interface Threshold {
  /** The metric. */
  metric: ThresholdMetric;
  /** Tag filter, e.g. `{ name: 'listTickets' }` (empty: every request). */
  tags: Record<string, string>;
  /** Aggregation: `avg`, `min`, `med`, `max`, `p(N)`, `rate`, `count`. */
  aggregation: string;
  /** Comparison operator. */
  op: '<' | '<=' | '>' | '>=' | '==' | '===' | '!=';
  /** Right-hand side, in the metric's k6 unit. */
  value: number;
  /** The expression as written after the colon (`p(95)<300`). */
  expr: string;
  /** Stop the test as soon as this threshold fails. */
  abortOnFail: boolean;
  /** Do not judge `abortOnFail` before this long into the test, ms. */
  delayAbortEvalMs: number;
  /** Where it was written (`loadtests.thresholds.http_req_duration[0]`, `--threshold`), for errors. */
  source: string;
}

/** The verdict on one threshold, as `--json` prints it. */
export interface ThresholdResult {
  /** Metric with its tag filter as written (`http_req_duration{name:listTickets}`). */
  metric: string;
  /** The expression (`p(95)<300`). */
  expr: string;
  /** True when it held. */
  ok: boolean;
  /** The measured left-hand side, in the metric's k6 unit (undefined when nothing was measured). */
  value?: number;
}

/** One HTTP request an iteration may send. */
export interface RequestSpec {
  /** Name (k6's `name` tag), used in summaries and `{name:…}` thresholds. */
  name: string;
  /** Absolute URL. */
  url: string;
  /** HTTP method. */
  method: string;
  /** Extra headers. */
  headers: Record<string, string>;
  /** Body, sent as written. */
  body?: string;
  /** Relative weight among the scenario's requests (> 0). */
  weight: number;
  /** Statuses that count as success (`http_req_failed` is false): default 200-399, as in k6. */
  expectStatus: (status: number) => boolean;
  /** Deadline of one request, ms (k6 default 60 s); a slower one fails. */
  timeoutMs: number;
}

/** What one iteration did. */
export interface IterationOutcome {
  /** True when it succeeded (a request with an expected status, a job accepted by the queue). */
  ok: boolean;
  /** Name of the request (or job) it sent. */
  name: string;
  /** HTTP status, when there was a response. */
  status?: number;
  /** Error class when it failed without a status: `timeout`, `ECONNREFUSED`, … */
  error?: string;
}

/**
 * What iterations drive: HTTP requests or queue jobs. `iterate` must not throw for a failure of
 * the system under test; it reports it in the outcome.
 */
export interface Target {
  /** Human description (`GET http://127.0.0.1:3000/tickets`, `bullmq queue emails`). */
  readonly description: string;
  /** Runs one iteration. */
  iterate(signal: AbortSignal): Promise<IterationOutcome>;
  /** Releases connections. */
  close(): Promise<void>;
}

/** Latency figures, seconds. */
export interface LatencySummary {
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  max: number;
  /** Mean, seconds. */
  avg: number;
  /** Fastest, seconds. */
  min: number;
}

/** What one stage (or breakpoint step) measured. */
export interface StageSummary {
  /** 0-based index. */
  index: number;
  /** When it began, epoch ms (wall clock, to line up with samples read from the plan's sources). */
  started_at: number;
  /** When it ended, epoch ms. */
  ended_at: number;
  /** The executor's target during it: VUs, or iterations per second. */
  target: number;
  /** `vus` or `rate`. */
  targetKind: 'vus' | 'rate';
  /** Length, seconds. */
  duration_s: number;
  /** Iterations completed in it. */
  requests: number;
  /** Achieved completions per second. */
  rate: number;
  /** Latency of the iterations that started in it. */
  latency: LatencySummary;
  /** Share of iterations that failed. */
  failed_rate: number;
  /** Iterations dropped because `maxVUs` were in flight. */
  dropped: number;
  /** Mean iterations in flight (time average). */
  concurrency: number;
  /** Breakpoint steps: whether every criterion held, and why not. */
  ok?: boolean;
  /** Why the step failed, when it did. */
  reason?: string;
}

/** The one JSON document `headroom loadtest --json` prints (the contract). */
export interface LoadTestReport {
  /** Scenario name (`--url` runs: `cli`). */
  scenario: string;
  /** Executor (or `breakpoint`). */
  executor: ExecutorName | 'breakpoint';
  /** What was driven. */
  target: string;
  /** Iterations completed. */
  requests: number;
  /** Wall-clock length, seconds. */
  duration_s: number;
  /** Achieved completions per second. */
  rate: number;
  /** Latency over the whole run, seconds (from each iteration's scheduled start in open loop). */
  latency: LatencySummary;
  /** Share of iterations that failed. */
  failed_rate: number;
  /** Iterations dropped because `maxVUs` were in flight. */
  dropped_iterations: number;
  /** Each threshold's verdict. */
  thresholds: ThresholdResult[];
  /** True when every threshold held (and the run was not interrupted). */
  ok: boolean;
  /** True when Ctrl-C or a deadline stopped it early; the figures are partial. */
  interrupted: boolean;
  /** Set when a threshold with `abortOnFail` stopped it. */
  aborted_by?: string;
  /** Per stage (ramping executors) or per step (breakpoint). */
  stages: StageSummary[];
  /** Breakpoint runs: the highest rate at which every criterion held. */
  breakpoint?: {
    /** Iterations per second. */
    rate: number;
    /** Mean iterations in flight at that rate. */
    concurrency: number;
    /** Why the search stopped. */
    reason: string;
    /** The highest completion rate any step achieved, per second. */
    max_throughput: number;
  };
  /** Breakpoint runs: the Universal Scalability Law fitted to the steps (when they allow one). */
  usl?: {
    sigma: number;
    kappa: number;
    lambda: number;
    /** Concurrency where throughput peaks; null when it never peaks (κ = 0: it only flattens). */
    peak_concurrency: number | null;
    /** Throughput at the peak (or the ceiling λ/σ), per second; null when unbounded (σ = κ = 0). */
    peak_rate: number | null;
    r2: number;
  };
}

/** Progress of a running test, for the live line (every ~250 ms). */
export interface LiveProgress {
  /** Elapsed, ms. */
  elapsedMs: number;
  /** Planned total, ms (undefined when open-ended, e.g. a breakpoint search). */
  totalMs?: number;
  /** Completions per second over the last second or so. */
  rate: number;
  /** p95 latency over the last few seconds, seconds. */
  p95: number;
  /** Failed iterations so far. */
  failed: number;
  /** Iterations so far. */
  requests: number;
  /** In flight now. */
  inFlight: number;
  /** What the executor aims at now (VUs or rate). */
  target: number;
}

/** A number in a plan scenario: written plainly, or a plan expression evaluated at the start of the run (`3 * api_request_rate`). */
export type Amount = number | { expr: string };

/** A queue an iteration adds one job to (`--queue`, or a scenario's `queue:`). */
export interface QueueTargetSpec {
  /** What the user named: a worker component or a queue metric of the plan. */
  ref: string;
  /** The plan source that reads the queue. */
  source: string;
  /** Its kind. */
  kind: 'bullmq' | 'redis-list' | 'nats-jetstream' | 'rabbitmq';
  /** The queue's name in its system (BullMQ queue, Redis list key, JetStream stream, RabbitMQ queue). */
  name: string;
  /** The job an iteration adds: its name (BullMQ job name, Celery task name) and payload. */
  job: { name: string; data: unknown };
  /** The worker component it loads, when known (for capacity per worker). */
  component?: string;
}

/** A load-test scenario as the plan's `loadtests:` section compiles it (amounts not yet resolved). */
export interface PlanLoadTest {
  /** Scenario name (the key under `loadtests.scenarios`). */
  name: string;
  /** Description as written. */
  description?: string;
  /** k6 executor name, or `breakpoint` (a ramping-arrival-rate written with `breakpoint: true`, or `executor: breakpoint`). */
  executor: ExecutorName | 'breakpoint';
  /** Executor fields as k6 names them, amounts unresolved: vus, startVUs, rate, startRate, timeUnitMs, durationMs, maxVUs, gracefulRampDownMs, stages. */
  settings: {
    vus?: Amount;
    startVUs?: Amount;
    rate?: Amount;
    startRate?: Amount;
    timeUnitMs?: number;
    durationMs?: number;
    maxVUs?: Amount;
    gracefulRampDownMs?: number;
    stages?: { durationMs: number; target: Amount }[];
  };
  /** What an iteration sends: HTTP requests (weighted), or a queue job. */
  requests: RequestSpec[];
  /** The queue it loads instead of HTTP. */
  queue?: QueueTargetSpec;
  /** Thresholds (the section's, then the scenario's own). */
  thresholds: Threshold[];
  /** The component resource whose capacity it measures (`api.requests`), for `--write`. */
  measures?: { component: string; resource: string };
  /** Longest the run may last, ms (from the executor; a breakpoint's `maxDuration`). */
  maxDurationMs: number;
  /** Highest rate (per second) or VUs it may use: the run never exceeds what the scenario declares. */
  maxLoad: number;
}

/** A measured capacity, as `loadtest --write` records it under a component's `measured:` and the plan compiles it. */
export interface MeasuredCapacity {
  /** Component. */
  component: string;
  /** Resource (`requests`, `throughput`). */
  resource: string;
  /** The capacity measured, canonical units (1/s for rates): per replica when `perReplica`. */
  value: number;
  /** True when `value` is per replica (the resource is a `per_replica` one). */
  perReplica: boolean;
  /** Replicas running during the measurement. */
  replicas?: number;
  /** The thresholds that held at that capacity, as written (`http_req_duration: p(95)<300`). */
  held: string[];
  /** When it was measured, ISO 8601. */
  at: string;
  /** Scenario that measured it. */
  scenario: string;
  /** `breakpoint` (a ramp found it) or `probe` (predicted from a low-load run by service demand). */
  method: 'breakpoint' | 'probe';
  /** The plan's formula value for the same capacity when it was measured (same units as `value`). */
  formula?: number;
}

/** What `loadtest --plan` keeps in the plan's store after each run (state key `loadtest/<scenario>`), for checklists and the dashboard. */
export interface LoadTestRunRecord {
  /** Scenario name. */
  scenario: string;
  /** When it ended, epoch ms. */
  at: number;
  /** True when every threshold held and it was not interrupted. */
  ok: boolean;
  /** Achieved rate, per second. */
  rate: number;
  /** p95 latency, seconds. */
  p95: number;
  /** Share failed. */
  failed_rate: number;
  /** Breakpoint rate, per second, when it was a breakpoint run. */
  breakpoint_rate?: number;
  /** The last run that passed (this one when `ok`). */
  lastPass?: { at: number; rate: number; p95: number };
}

/**
 * The measurements thresholds are judged on: the whole run, a breakpoint step, or the last few
 * seconds. Durations in milliseconds, as k6's thresholds write them. `tags` selects requests by
 * k6 tag (`{ name: 'listTickets' }`); omitted, every request.
 */
export interface MetricsView {
  /** Seconds the view covers. */
  readonly durationS: number;
  /** Iterations completed (succeeded or failed). */
  count(tags?: Record<string, string>): number;
  /** Iterations that failed. */
  failed(tags?: Record<string, string>): number;
  /** Iterations dropped because `maxVUs` were in flight. */
  readonly dropped: number;
  /** Latency percentile (0..100) in ms; undefined when nothing completed. */
  percentileMs(p: number, tags?: Record<string, string>): number | undefined;
  /** Mean latency in ms; undefined when nothing completed. */
  meanMs(tags?: Record<string, string>): number | undefined;
  /** Fastest latency in ms. */
  minMs(tags?: Record<string, string>): number | undefined;
  /** Slowest latency in ms. */
  maxMs(tags?: Record<string, string>): number | undefined;
}

/** What one breakpoint step measured, as the search judges it. */
export interface StepMeasurement {
  /** Rate offered, per second. */
  offered: number;
  /** Completions per second achieved. */
  achieved: number;
  /** Mean iterations in flight. */
  concurrency: number;
  /** The step's own measurements (thresholds are judged on them). */
  view: MetricsView;
}

/** The search's next move: hold a rate for a step (after an optional pause), or stop. */
export type BreakpointMove =
  { kind: 'step'; rate: number; pauseMs: number } | { kind: 'done'; rate: number; reason: string };

/** A breakpoint search in progress: pure, fed each step's measurement. */
export interface BreakpointSearch {
  /** The first step. */
  first(): BreakpointMove;
  /** Judges the step just run and says what comes next; `elapsedMs` is since the search began. */
  next(step: StepMeasurement, elapsedMs: number): BreakpointMove;
  /** Each step's verdict so far, in order. */
  verdicts(): { offered: number; ok: boolean; reason?: string }[];
}
