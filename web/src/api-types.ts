/**
 * The JSON the dashboard reads from `headroom serve`, as the server writes it. These mirror the
 * server's types (src/server/status.ts, src/server/state.ts, src/rules/types.ts,
 * src/report/roadmap-data.ts, src/capacity/*.ts) for the fields the widgets use; the web build
 * does not import server code, so a field renamed there must be renamed here too.
 */

/** A trigger's status word. */
export type StatusWord = 'ok' | 'pending' | 'warning' | 'critical' | 'unknown';

/** Health of one pipeline stage (`GET /api/status` → `stages`). */
export interface StageHealth {
  /** `ok`, `err` (its last run failed), `pending` (not run yet) or `off` (nothing to do). */
  state: 'ok' | 'err' | 'pending' | 'off';
  /** When it last ran, epoch ms. */
  lastRun?: number;
  /** How long its last run took, ms. */
  lastDurationMs?: number;
  /** The last error. */
  lastError?: string;
}

/** One error of a bad edit of the plan file. */
export interface PlanError {
  /** Stable error code (`PLAN_UNIT`). */
  code?: string;
  /** What is wrong. */
  message?: string;
  /** File, line and column. */
  file?: string;
  /** Line, 1-based. */
  line?: number;
  /** Column, 1-based. */
  column?: number;
  /** Field path (`triggers[0].warning.when`). */
  path?: string;
  /** What to do. */
  hint?: string;
}

/** `GET /api/status` (also the `status` event of `/api/events`). */
export interface StatusDoc {
  /** Plan name. */
  plan: string;
  /** Latest evaluation, ISO time (null before the first). */
  at: string | null;
  /** Overall status. */
  status: 'ok' | 'warning' | 'critical' | 'unknown';
  /** When serving started, ISO time. */
  started_at: string;
  /** Pipeline stages. */
  stages: Partial<Record<string, StageHealth>>;
  /** Each source's kind and health. */
  sources: Record<string, { kind: string; state: string; lastError?: string }>;
  /** Trigger counts by status. */
  triggers: Record<StatusWord, number>;
  /** When the plan was (re)loaded, ISO time. */
  loaded_at: string | null;
  /** Errors of a bad edit that was not applied. */
  plan_errors: PlanError[];
  /** Notification channels (null when the plan has no `notify:`; absent from older servers). */
  notify?: NotifyDoc | null;
}

/** `GET /api/notify` (also `/api/status` → `notify`; src/server/status.ts). */
export interface NotifyDoc {
  /** The working channels, in plan order. */
  channels: {
    channel: string;
    kind: string;
    severities?: ('warning' | 'critical')[];
    /** ok, or err while its events wait for it. */
    state: 'ok' | 'err';
    sent: number;
    failed: number;
    dropped: number;
    queued: number;
    last_sent_at?: string;
    last_error?: string;
    last_error_at?: string;
  }[];
  /** Entries that gave no channel. */
  problems: { channel: string; kind: 'disabled' | 'invalid'; message: string; hint?: string }[];
}

/** A pending or firing alert instance of a trigger. */
export interface InstanceStatus {
  /** Level. */
  severity: 'warning' | 'critical';
  /** Labels of the instance. */
  labels: Record<string, string>;
  /** pending or firing. */
  state: 'pending' | 'firing';
  /** Latest value, base units. */
  value: number;
  /** When it became pending, epoch ms. */
  activeAt: number;
  /** When it fired, epoch ms. */
  firedAt?: number;
  /** The level's action. */
  action?: string;
}

/** One element of `GET /api/triggers`. */
export interface TriggerStatus {
  /** Trigger name. */
  trigger: string;
  /** Worst state. */
  status: StatusWord;
  /** Severity behind a warning, critical or pending status. */
  severity?: 'warning' | 'critical';
  /** The value that explains the status, base units. */
  value?: number;
  /** Since when, epoch ms. */
  since: number;
  /** The action of the level behind the status. */
  action?: string;
  /** Why the status is unknown. */
  reason?: string;
  /** Health of the last evaluation. */
  health: 'ok' | 'err' | 'unknown';
  /** The last evaluation error. */
  lastError?: string;
  /** Pending and firing instances. */
  instances: InstanceStatus[];
}

/** One element of `GET /api/alerts` (also the `alert` event of `/api/events`). */
export interface AlertChange {
  /** Evaluation time, ISO. */
  t: string;
  /** Trigger name. */
  trigger: string;
  /** Level. */
  severity: 'warning' | 'critical';
  /** Labels of the instance. */
  labels: Record<string, string>;
  /** State before. */
  from: 'inactive' | 'pending' | 'firing';
  /** State after. */
  to: 'inactive' | 'pending' | 'firing';
  /** The alert's value, base units. */
  value: number;
  /** A warning held back by a firing critical. */
  suppressed?: boolean;
}

/** A utilization threshold of a resource. */
export interface ResourceThreshold {
  /** Trigger level, or `capacity` (100 % full). */
  severity: 'warning' | 'critical' | 'capacity';
  /** Utilization at which it is crossed, 0..1+. */
  utilization: number;
  /** The trigger that sets it. */
  trigger?: string;
  /** The roadmap's action. */
  action?: string;
}

/** A capacity a load test measured (`GET /api/components` → `measured`). */
export interface MeasuredCapacity {
  /** The capacity measured, canonical units (per replica when `perReplica`). */
  value: number;
  /** True when `value` is per replica. */
  perReplica: boolean;
  /** The thresholds that held at it, as written (`http_req_duration: p(95)<300`). */
  held: string[];
  /** When it was measured, ISO 8601. */
  at: string;
  /** The scenario that measured it. */
  scenario: string;
  /** `breakpoint` or `probe`. */
  method: string;
  /** The formula value it is compared with, same basis as `value`. */
  formula?: number;
  /** measured ÷ formula. */
  factor?: number;
  /** The measurement scaled to the deployed configuration, same basis as `value`. */
  applied?: number;
}

/** One element of `GET /api/components`. */
export interface ResourceState {
  /** Which resource. */
  ref: {
    component: string;
    resource: string;
    perReplica: boolean;
    hasUsage: boolean;
    hasModel: boolean;
  };
  /** Capacity, canonical units: measured when a load test measured it, else the formula's. */
  capacity?: number;
  /** Capacity by the roadmap's formula alone (absent from older servers). */
  formulaCapacity?: number;
  /** The load test behind `capacity` (src/capacity/measured.ts `MeasuredView`). */
  measured?: MeasuredCapacity;
  /** Measured usage. */
  usage?: number;
  /** The load model's value. */
  model?: number;
  /** Usage judged: measured, else the calibrated model. */
  effectiveUsage?: number;
  /** effectiveUsage / capacity. */
  utilization?: number;
  /** Thresholds, lowest first. */
  thresholds: ResourceThreshold[];
  /** Canonical unit (`B`, `1/s`, `` for a count). */
  unit: string;
}

/** A breaking point (`GET /api/forecast` → `breaking_points`). */
export interface BreakingPoint {
  /** Component. */
  component: string;
  /** Resource. */
  resource: string;
  /** Trigger level or `capacity`. */
  severity: 'warning' | 'critical' | 'capacity';
  /** Threshold utilization. */
  threshold: number;
  /** Utilization now. */
  utilizationNow?: number;
  /** When it is crossed, epoch ms (now when already past); absent beyond the horizon. */
  at?: number;
  /** Earliest plausible crossing, epoch ms. */
  earliest?: number;
  /** Latest plausible crossing, epoch ms. */
  latest?: number;
  /** Driver values at `at`. */
  driverValues: Record<string, number>;
  /** How it was projected. */
  basis: 'model' | 'history' | 'now';
  /** The trigger behind the threshold. */
  trigger?: string;
  /** The roadmap's action. */
  action?: string;
  /** Lead time of the action, ms. */
  leadTimeMs?: number;
  /** The tier that fixes it. */
  fix?: { tier: string; deltaMonthlyUsd?: number; changes: string[] };
}

/** When one level of a trigger is projected to hold. */
export interface LevelForecast {
  /** Level. */
  severity: 'warning' | 'critical';
  /** Condition as written (`> 70%`). */
  condition: string;
  /** When, epoch ms. */
  at?: number;
  /** Earliest plausible time. */
  earliest?: number;
  /** Latest plausible time. */
  latest?: number;
  /** When to act. */
  actBy?: number;
}

/** A trigger's forecast. */
export interface TriggerForecast {
  /** Trigger name. */
  trigger: string;
  /** Value now, canonical units. */
  valueNow?: number;
  /** How it was projected. */
  basis: 'model' | 'history' | 'none';
  /** Per level. */
  levels: LevelForecast[];
}

/** A driver and its projection. */
export interface DriverProjection {
  /** Driver name (`companies`). */
  name: string;
  /** Value now. */
  now?: number;
  /** Where `now` came from. */
  source: 'metric' | 'static' | 'none';
  /** How it is projected. */
  method: 'fitted' | 'declared' | 'flat';
  /** Forecast model, when fitted. */
  model?: string;
  /** Growth per week, driver units. */
  perWeek: number;
  /** Growth per week as a fraction of now. */
  fractionPerWeek: number;
  /** Declared growth as written. */
  declared?: string;
  /** How the projection was made. */
  note: string;
  /** Point forecasts 30, 90 and 365 days ahead. */
  in30d: number;
  /** 90 days ahead. */
  in90d: number;
  /** 365 days ahead. */
  in365d: number;
}

/** `GET /api/forecast`. */
export interface ForecastDoc {
  /** Breaking points, first on top. */
  breaking_points: BreakingPoint[];
  /** Trigger forecasts. */
  triggers: TriggerForecast[];
  /** Drivers. */
  drivers: DriverProjection[];
}

/** One driver bound of a tier. */
export interface TierBound {
  /** Driver. */
  driver: string;
  /** The bound. */
  until: number;
  /** Driver value now. */
  now?: number;
  /** now / until. */
  fraction?: number;
  /** When the driver reaches the bound, epoch ms. */
  at?: number;
  /** Earliest plausible time. */
  earliest?: number;
  /** Latest plausible time. */
  latest?: number;
}

/** One tier of the ladder. */
export interface Tier {
  /** Name. */
  name: string;
  /** Index. */
  index: number;
  /** Relative to the deployed tier. */
  position: 'past' | 'deployed' | 'next' | 'later';
  /** Monthly cost, USD. */
  monthlyCostUsd?: number;
  /** Driver bounds. */
  bounds: TierBound[];
  /** Whether its deploy condition holds now. */
  deployNow?: boolean;
  /** When its deploy condition is projected to hold. */
  deployAt?: number;
  /** What breaks first in this configuration. */
  firstToBreak?: {
    component: string;
    resource: string;
    severity: string;
    driverValues: Record<string, number>;
  };
  /** Whether that happens inside the tier's bounds. */
  breaksWithinTier?: boolean;
  /** Description as written. */
  description?: string;
  /** Status as written. */
  status?: string;
  /** Duration as written. */
  duration?: string;
  /** Changes as written. */
  changes: string[];
  /** Cost per driver unit, USD/month. */
  costPerDriverUnit: Record<string, number>;
  /** Checklist progress. */
  checklist?: { done: number; total: number };
  /** Cost difference to the deployed tier, USD/month. */
  deltaMonthlyUsd?: number;
}

/** `GET /api/tiers`. */
export interface TiersDoc {
  /** Index of the deployed tier (-1 without tiers). */
  deployed: number;
  /** The next scaling step. */
  next_step?: { tier: string; at?: number; earliest?: number; latest?: number; reason: string };
  /** The ladder. */
  tiers: Tier[];
}

/** A metered cost. */
export interface UnitCostLine {
  /** Name. */
  name: string;
  /** Metric counting the units. */
  metric?: string;
  /** USD per unit. */
  priceUsd: number;
  /** Units per month, measured. */
  monthlyVolume?: number;
  /** USD per month. */
  monthlyUsd?: number;
  /** How the volume was measured, or why it could not be. */
  note: string;
}

/** `GET /api/costs`. */
export interface CostsDoc {
  /** Tier counted. */
  tier?: string;
  /** The tier's monthly cost, USD. */
  tierMonthlyUsd?: number;
  /** Component costs. */
  components: { component: string; replicas?: number; monthlyUsd: number }[];
  /** Metered costs. */
  units: UnitCostLine[];
  /** Total, USD/month. */
  totalMonthlyUsd?: number;
  /** Total per driver unit, USD/month. */
  perDriverUnit: Record<string, number>;
  /** Revenue against cost. */
  revenue?: {
    driver: string;
    priceUsdPerMonth: number;
    units?: number;
    monthlyRevenueUsd?: number;
    breakEvenUnits?: number;
    healthyUnits?: number;
    margin?: number;
  };
}

/** One element of `GET /api/checklist`. */
export interface Checklist {
  /** Name. */
  name: string;
  /** Tier it prepares. */
  tier?: string;
  /** Items. */
  items: ChecklistItem[];
}

/** One checklist item. */
export interface ChecklistItem {
  /** As written. */
  item: string;
  /** Ticked in the plan, or by a passing run of its load test. */
  done: boolean;
  /** The load-test scenario it names. */
  loadtest?: string;
  /** That scenario's last run (null: never run); only on load-test items. */
  last_run?: LoadTestRun | null;
}

/** A load-test run (`GET /api/checklist` → `last_run`, src/server/checklist.ts). */
export interface LoadTestRun {
  /** When it ended, ISO 8601. */
  at: string;
  /** True when every threshold held. */
  ok: boolean;
  /** Achieved rate, per second. */
  rate: number;
  /** p95 latency, seconds. */
  p95: number;
  /** Share that failed. */
  failed_rate: number;
  /** Breakpoint rate, per second. */
  breakpoint_rate?: number;
  /** The last run that passed. */
  last_pass?: { at: string; rate: number; p95: number };
}

/** One pool of `GET /api/scaling` (src/runtime/autoscale-stage.ts). */
export interface ScalingPool {
  /** Pool (component) name. */
  name: string;
  /** Policy name (`hpa`, `target-latency`). */
  policy: string;
  /** True when decisions are not carried out. */
  dry_run: boolean;
  /** False before the pool's `from_tier` is deployed. */
  active?: boolean;
  /** Why it is not active. */
  inactive_reason?: string;
  /** Replicas (current and desired unknown until the first run). */
  replicas: { current?: number; desired?: number; min: number; max: number };
  /** The latest decision. */
  last_decision?: { at: string | number; replicas: number; reason: string };
  /** Recent changes, newest last. */
  decisions: { at: string | number; from: number; to: number; reason: string; error?: string }[];
  /** The last error (observation, policy or actuator). */
  error?: string;
}

/** `GET /api/scaling`. */
export interface ScalingDoc {
  /** Autoscaled pools. */
  pools: ScalingPool[];
}
