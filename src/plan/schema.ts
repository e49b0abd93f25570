/**
 * The plan language: a zod schema for `headroom.yaml`. Every object is strict, so an unknown
 * field is an error with a "did you mean" hint. Quantities (`100 GB`, `30 USD/month`) and
 * expressions stay strings here; `units.ts` and `expression.ts` give them meaning when the
 * plan is compiled. `docs/plan.md` documents every field with an example.
 */
import { z } from 'zod';

/** A quantity or expression written as text or a bare number (`100 GB`, `0.7`, `users * 2 MB`). */
export const Quantity = z.union([z.string().min(1), z.number()]);

/** Names used inside expressions: letters, digits, `_` and `-`, starting with a letter. */
export const Name = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9_-]*$/, 'use letters, digits, "_" or "-", starting with a letter');

/** A duration such as `15s`, `10m`, `1h30m`, `7d`, `2w`. */
export const Duration = z.union([z.string().min(1), z.number()]);

/** A condition such as `> 70%`, `<= 200ms`, `> 50000`. */
export const ConditionText = z.string().min(1);

const Source = z.looseObject({ kind: z.string().min(1) });

const Metric = z.looseObject({
  from: z.string().optional(),
  expr: z.string().optional(),
  unit: z.string().optional(),
  description: z.string().optional(),
  labels: z.record(z.string(), z.string()).optional(),
});

const Driver = z.strictObject({
  metric: z.string().optional(),
  value: z.number().optional(),
  unit: z.string().optional(),
  growth: z.string().optional(),
  description: z.string().optional(),
});

const Replicas = z.union([
  z.number().int().nonnegative(),
  z.strictObject({
    current: z.number().int().nonnegative().optional(),
    min: z.number().int().nonnegative().optional(),
    max: z.number().int().positive().optional(),
    metric: z.string().optional(),
  }),
]);

const Cost = z.union([
  Quantity,
  z.strictObject({
    fixed: Quantity.optional(),
    min: Quantity.optional(),
    max: Quantity.optional(),
    per_replica: Quantity.optional(),
    breakdown: z.record(z.string(), Quantity).optional(),
  }),
]);

/** A capacity a load test measured (`loadtest --write` records it; `docs/plan.md#measured`). */
const Measured = z.strictObject({
  value: Quantity,
  per: z.enum(['replica', 'total']).optional(),
  replicas: z.number().int().positive().optional(),
  held: z.array(z.string().min(1)).optional(),
  at: z.string().min(1),
  scenario: z.string().min(1),
  method: z.enum(['breakpoint', 'probe']),
  formula: Quantity.optional(),
});

const Component = z.strictObject({
  kind: z.enum(['service', 'worker', 'database', 'queue', 'cache', 'storage', 'other']).optional(),
  description: z.string().optional(),
  capacity: z.record(Name, Quantity).optional(),
  per_replica: z.record(Name, Quantity).optional(),
  usage: z.record(Name, Quantity).optional(),
  model: z.record(Name, Quantity).optional(),
  replicas: Replicas.optional(),
  queue: z.string().optional(),
  priority: z.number().int().optional(),
  cost: Cost.optional(),
  measured: z.record(Name, Measured).optional(),
});

const Level = z.strictObject({
  when: ConditionText,
  action: z.string().optional(),
  lead_time: Duration.optional(),
  for: Duration.optional(),
  keep_firing_for: Duration.optional(),
});

const Trigger = z.strictObject({
  name: z.string().min(1),
  description: z.string().optional(),
  component: z.string().optional(),
  expr: z.string().min(1),
  for: Duration.optional(),
  keep_firing_for: Duration.optional(),
  warning: Level.optional(),
  critical: Level.optional(),
  labels: z.record(z.string(), z.string()).optional(),
});

const Tier = z.strictObject({
  name: z.string().min(1),
  description: z.string().optional(),
  until: z.record(z.string(), z.number()).optional(),
  deploy_when: z.string().optional(),
  duration: z.string().optional(),
  status: z.enum(['deployed', 'planned', 'in-progress']).optional(),
  cost: Cost.optional(),
  set: z.record(z.string(), Quantity).optional(),
  targets: z.record(z.string(), ConditionText).optional(),
  changes: z.array(z.string()).optional(),
});

const Slo = z.strictObject({
  name: z.string().min(1),
  description: z.string().optional(),
  metric: z.string().optional(),
  expr: z.string().optional(),
  objective: ConditionText,
  labels: z.record(z.string(), z.string()).optional(),
  window: Duration.optional(),
});

const UnitCost = z.strictObject({
  price: Quantity,
  metric: z.string().optional(),
  description: z.string().optional(),
  per: z.string().optional(),
});

const Revenue = z.strictObject({
  driver: z.string().min(1),
  price: Quantity,
  healthy_coverage: z.number().positive().optional(),
  description: z.string().optional(),
});

const Step = z.strictObject({
  when: ConditionText,
  change: z.number().int(),
  for: Duration.optional(),
});

const ScaleMetric = z.strictObject({ metric: z.string().min(1), target: z.number().positive() });

const Autoscale = z.strictObject({
  policy: z.enum(['hpa', 'step', 'target-latency', 'predictive', 'fixed']),
  metric: z.string().optional(),
  oldest_wait: z.string().optional(),
  target: z.number().positive().optional(),
  metrics: z.array(ScaleMetric).min(1).optional(),
  steps: z.array(Step).optional(),
  from_tier: z.string().optional(),
  slo: z.string().optional(),
  replicas: z.number().int().nonnegative().optional(),
  min: z.number().int().nonnegative().optional(),
  max: z.number().int().positive().optional(),
  interval: Duration.optional(),
  cooldown: Duration.optional(),
  scale_down_cooldown: Duration.optional(),
  startup: Duration.optional(),
  dry_run: z.boolean().optional(),
  actuator: z.looseObject({ kind: z.string().min(1) }).optional(),
});

const Notify = z.looseObject({
  kind: z.enum(['webhook', 'slack', 'pagerduty', 'email', 'alertmanager', 'log']),
  name: z.string().optional(),
  severities: z.array(z.enum(['warning', 'critical'])).optional(),
});

const ChecklistItem = z.union([
  z.string().min(1),
  z.strictObject({
    item: z.string().min(1),
    done: z.boolean().optional(),
    loadtest: z.string().min(1).optional(),
  }),
]);

const Checklist = z.strictObject({
  name: z.string().min(1),
  tier: z.string().optional(),
  items: z.array(ChecklistItem),
});

const Scenario = z.strictObject({
  name: z.string().min(1),
  description: z.string().optional(),
  cause: z.string().optional(),
  scale: z.string().optional(),
  set: z.record(z.string(), z.number()).optional(),
  for: Duration.optional(),
  impact: z.array(z.string()).optional(),
  response: z
    .array(z.strictObject({ within: z.string().min(1), action: z.string().min(1) }))
    .optional(),
  cost: Cost.optional(),
  rto: Duration.optional(),
  rpo: Duration.optional(),
});

const Review = z.strictObject({
  every: Duration,
  what: z.string().min(1),
  owner: z.string().optional(),
});

const ChangeLogEntry = z.strictObject({
  date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'write the date as YYYY-MM-DD'),
  change: z.string().min(1),
  reason: z.string().optional(),
  impact: z.string().optional(),
});

const SourceDown = z.strictObject({
  for: Duration.optional(),
  severity: z.enum(['warning', 'critical']).optional(),
  action: z.string().optional(),
});

const LoadTestRequest = z.strictObject({
  name: z.string().min(1).optional(),
  method: z.string().min(1).optional(),
  url: z.string().min(1),
  headers: z.record(z.string(), z.string()).optional(),
  body: z.string().optional(),
  weight: z.number().optional(),
  expect_status: z
    .array(z.union([z.number().int(), z.string().min(1)]))
    .min(1)
    .optional(),
  timeout: Duration.optional(),
});

const ThresholdEntry = z.union([
  z.string().min(1),
  z.strictObject({
    threshold: z.string().min(1),
    abortOnFail: z.boolean().optional(),
    delayAbortEval: Duration.optional(),
  }),
]);

/** k6's `thresholds`: metric (with an optional `{tag:value}` filter) → expressions. */
const LoadTestThresholds = z.record(z.string().min(1), z.array(ThresholdEntry));

const LoadTestQueue = z.strictObject({
  ref: z.string().min(1),
  job: z
    .strictObject({ name: z.string().min(1).optional(), data: z.unknown().optional() })
    .optional(),
});

/**
 * One scenario, with k6's field names. The k6 fields headroom does not run (`gracefulStop`,
 * `exec`, …) are accepted here only so that compile can say so plainly.
 */
const LoadTestScenario = z.strictObject({
  executor: z.string().min(1),
  description: z.string().optional(),
  vus: Quantity.optional(),
  duration: Duration.optional(),
  startVUs: Quantity.optional(),
  stages: z.array(z.strictObject({ duration: Duration, target: Quantity })).optional(),
  gracefulRampDown: Duration.optional(),
  rate: Quantity.optional(),
  timeUnit: Duration.optional(),
  startRate: Quantity.optional(),
  preAllocatedVUs: Quantity.optional(),
  maxVUs: Quantity.optional(),
  breakpoint: z.boolean().optional(),
  step: Duration.optional(),
  growth: z.number().optional(),
  resolution: z.number().optional(),
  requests: z.array(LoadTestRequest).min(1).optional(),
  thresholds: LoadTestThresholds.optional(),
  measures: z.string().min(1).optional(),
  queue: LoadTestQueue.optional(),
  gracefulStop: z.unknown().optional(),
  exec: z.unknown().optional(),
  tags: z.unknown().optional(),
  env: z.unknown().optional(),
  startTime: z.unknown().optional(),
  iterations: z.unknown().optional(),
  maxDuration: z.unknown().optional(),
});

const LoadTests = z.strictObject({
  requests: z.array(LoadTestRequest).min(1).optional(),
  measures: z.string().min(1).optional(),
  thresholds: LoadTestThresholds.optional(),
  scenarios: z.record(Name, LoadTestScenario),
});

/** The whole plan document. */
export const PlanSchema = z.strictObject({
  version: z.literal(1),
  name: z.string().min(1),
  description: z.string().optional(),
  interval: Duration.optional(),
  units: z
    .array(z.string().regex(/^[A-Za-z][A-Za-z0-9]*$/, 'unit names are letters and digits only'))
    .optional(),
  params: z.record(Name, Quantity).optional(),
  sources: z.record(Name, Source).optional(),
  source_down: SourceDown.optional(),
  metrics: z.record(Name, Metric).optional(),
  drivers: z.record(Name, Driver).optional(),
  components: z.record(Name, Component).optional(),
  triggers: z.array(Trigger).optional(),
  tiers: z.array(Tier).optional(),
  slos: z.array(Slo).optional(),
  unit_costs: z.record(Name, UnitCost).optional(),
  revenue: Revenue.optional(),
  autoscale: z.record(z.string(), Autoscale).optional(),
  notify: z.array(Notify).optional(),
  checklist: z.array(Checklist).optional(),
  scenarios: z.array(Scenario).optional(),
  reviews: z.array(Review).optional(),
  changelog: z.array(ChangeLogEntry).optional(),
  loadtests: LoadTests.optional(),
});

/** A plan document as written, after schema validation (quantities still text). */
export type RawPlan = z.infer<typeof PlanSchema>;
/** A component as written. */
export type RawComponent = z.infer<typeof Component>;
/** A trigger as written. */
export type RawTrigger = z.infer<typeof Trigger>;
/** A tier as written. */
export type RawTier = z.infer<typeof Tier>;
/** A cost as written: one quantity, or fixed + per-replica + breakdown. */
export type RawCost = z.infer<typeof Cost>;
/** An autoscale policy as written. */
export type RawAutoscale = z.infer<typeof Autoscale>;
/** A metric as written: `from` a source with a source-specific selector, or an `expr`. */
export type RawMetric = z.infer<typeof Metric>;
/** The `loadtests:` section as written (k6's `options`, plus headroom's own fields). */
export type RawLoadTests = z.infer<typeof LoadTests>;
/** One load-test scenario as written. */
export type RawLoadTestScenario = z.infer<typeof LoadTestScenario>;
/** One HTTP request of a load test as written. */
export type RawLoadTestRequest = z.infer<typeof LoadTestRequest>;
/** k6 thresholds as written: metric → expressions. */
export type RawLoadTestThresholds = z.infer<typeof LoadTestThresholds>;
/** A measured capacity as written under `components.<c>.measured`. */
export type RawMeasured = z.infer<typeof Measured>;
