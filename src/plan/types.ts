/**
 * The compiled plan: what the rest of headroom consumes. Quantities are numbers in canonical
 * units (bytes, seconds, USD, USD/month, 1/s, ratios), durations are milliseconds, and
 * expressions are compiled and checked.
 */
import type { CompiledExpression } from './expression.ts';
import type { FormulaGraph } from './graph.ts';
import type { RawPlan } from './schema.ts';
import type { SourceMap } from './source-map.ts';
import type { Quantity, UnitSystem } from './units.ts';
import type { MeasuredCapacity, PlanLoadTest } from '../loadtest/types.ts';

/** Comparison operator of a condition. */
export type ConditionOp = '>' | '>=' | '<' | '<=' | '==' | '!=';

/** A parsed condition (`> 70%` → `{ op: '>', threshold: 0.7 }`), threshold in canonical units. */
export interface PlanCondition {
  /** Operator. */
  op: ConditionOp;
  /** Threshold in the canonical unit of the compared value. */
  threshold: number;
  /** Canonical unit of the threshold (`` for ratios). */
  unit: string;
  /** The text as written. */
  text: string;
}

/** A metric of the plan: read from a source, or computed from other metrics (`expr`). */
export interface PlanMetric {
  /** Metric name. */
  name: string;
  /** Source name, for source metrics. */
  source?: string;
  /** Source-specific selector (the entry minus `from`, `unit`, `description`, `labels`, `expr`). */
  select: Record<string, unknown>;
  /** Compiled expression, for derived metrics. */
  expr?: CompiledExpression;
  /** Canonical unit the metric's values are in (`` when dimensionless). */
  unit: string;
  /** Factor from the unit the source reports (the plan's `unit:`) to the canonical unit. */
  scale: number;
  /** Label matchers that pick which series of the source metric this plan metric means. */
  labels: Record<string, string>;
  /** Description as written. */
  description?: string;
}

/** Growth of a driver: linear (`15/week`) or compound (`10%/month`). */
export interface PlanGrowth {
  /** Linear adds `perMs` units per millisecond; compound multiplies by (1 + rate) per period. */
  kind: 'linear' | 'compound';
  /** Linear: units per millisecond. Compound: fractional growth per `periodMs`. */
  rate: number;
  /** Period of compound growth, in milliseconds (linear: 1). */
  periodMs: number;
  /** The text as written. */
  text: string;
}

/** A business driver (companies, users) that loads are computed from. */
export interface PlanDriver {
  /** Driver name. */
  name: string;
  /** Metric that measures it live, if any. */
  metric?: string;
  /** Static current value, used when there is no metric (or it has no data yet). */
  value?: number;
  /** Declared growth, if any. */
  growth?: PlanGrowth;
  /** Description. */
  description?: string;
}

/** A compiled tier/phase of the roadmap. */
export interface PlanTier {
  /** Tier name as written (`Phase 2`). */
  name: string;
  /** Index in the plan's tier ladder (0 = first). */
  index: number;
  /** Description as written. */
  description?: string;
  /** Deployment status as written. */
  status?: 'deployed' | 'planned' | 'in-progress';
  /** Expected duration as written (`6-9 months`). */
  duration?: string;
  /** Infrastructure changes the tier brings, as written. */
  changes: string[];
  /** Upper bounds on drivers while this tier holds (`{ companies: 2000 }`). */
  until: Record<string, number>;
  /** Condition that says when to move to this tier. */
  deployWhen?: CompiledExpression;
  /** Monthly cost in USD (the midpoint when the roadmap gives a range). */
  monthlyCostUsd?: number;
  /** The roadmap's cost range in USD/month, when it gives one. */
  costRangeUsd?: [number, number];
  /** Cost breakdown in USD/month. */
  costBreakdown: Record<string, number>;
  /** Plan overrides in this tier: `component.capacity.resource` → canonical number. */
  set: Record<string, number>;
  /** Targets (SLO thresholds) in this tier. */
  targets: Record<string, PlanCondition>;
}

/** One severity level of a trigger. */
export interface PlanLevel {
  /** warning or critical. */
  severity: 'warning' | 'critical';
  /** When the level holds. */
  condition: PlanCondition;
  /** How long the condition must hold before firing, ms. */
  forMs: number;
  /** How long to keep firing after the condition clears, ms. */
  keepFiringForMs: number;
  /** What to do, from the roadmap. */
  action?: string;
  /** How long the action takes to carry out (alert this far ahead when forecasting), ms. */
  leadTimeMs?: number;
}

/** A compiled trigger. */
export interface PlanTrigger {
  /** Trigger name. */
  name: string;
  /** Index in the plan's `triggers` list. */
  index: number;
  /** Description. */
  description?: string;
  /** Component it belongs to, if stated. */
  component?: string;
  /** The expression. */
  expr: CompiledExpression;
  /** Canonical unit of the expression's value. */
  unit: string;
  /** Source metrics (and window keys) the expression needs, transitively. */
  inputs: string[];
  /** Levels, warning first. */
  levels: PlanLevel[];
  /** Extra labels. */
  labels: Record<string, string>;
}

/** The built-in `source-down` trigger: fires when a source has read nothing for `forMs`. */
export interface PlanSourceDown {
  /** How long a source must be down before the trigger fires, ms. */
  forMs: number;
  /** Severity of the alert. */
  severity: 'warning' | 'critical';
  /** What to do. */
  action: string;
}

/** A metered price: each unit of a metric costs `priceUsd` (SMS at $0.0079). */
export interface PlanUnitCost {
  /** Name in `unit_costs`. */
  name: string;
  /** Metric that counts the units (a counter, or a rate per second). */
  metric?: string;
  /** Price of one unit, USD. */
  priceUsd: number;
  /** What one unit is (`message`), as written. */
  per?: string;
  /** Description. */
  description?: string;
}

/** What one unit of a driver pays: the basis of break-even and margin. */
export interface PlanRevenue {
  /** Driver that pays (`instructors`). */
  driver: string;
  /** Revenue per driver unit, USD/month. */
  priceUsdPerMonth: number;
  /** Revenue over cost that counts as a healthy margin (5 = "5x cost coverage"). */
  healthyCoverage?: number;
  /** Description. */
  description?: string;
}

/** What the plan says things cost. */
export interface PlanCosts {
  /** Component costs by component: fixed per month, and per replica per month. */
  components: Record<string, { monthlyUsd?: number; perReplicaUsd?: number }>;
  /** Metered unit costs. */
  units: PlanUnitCost[];
  /** Revenue per driver unit, if the plan states it. */
  revenue?: PlanRevenue;
}

/** A compiled plan, ready for the runtime, the CLI and the reports. */
export interface Plan {
  /** File it came from. */
  file: string;
  /** Plan name. */
  name: string;
  /** Collection and evaluation interval, ms. */
  intervalMs: number;
  /** The document as written (after env interpolation and schema validation). */
  raw: RawPlan;
  /** The YAML text it was parsed from (before interpolation), so a worker thread can rebuild it. */
  text?: string;
  /** Positions of fields, for errors found after loading. */
  map: SourceMap;
  /** Units of this plan (with its own count nouns). */
  units: UnitSystem;
  /** The formula graph: evaluates any param, driver, metric or component field. */
  graph: FormulaGraph;
  /** Named constants. */
  params: Record<string, Quantity>;
  /** Metrics by name. */
  metrics: Record<string, PlanMetric>;
  /** Drivers by name. */
  drivers: Record<string, PlanDriver>;
  /** Triggers in plan order. */
  triggers: PlanTrigger[];
  /** Tiers in plan order. */
  tiers: PlanTier[];
  /** Component, unit and revenue figures for the cost model. */
  costs: PlanCosts;
  /** The built-in source-down trigger. */
  sourceDown: PlanSourceDown;
  /** Load-test scenarios from `loadtests:`, in plan order. */
  loadtests: PlanLoadTest[];
  /** Capacities measured by load tests (`components.<c>.measured`), in plan order. */
  measured: MeasuredCapacity[];
}
