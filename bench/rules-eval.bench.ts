/**
 * Alert engine throughput: one evaluation cycle of 10,000 triggers (two levels each, so 20,000
 * Prometheus-style rules) over 100,001 series, against a bare loop that applies the same
 * threshold comparisons to the same values with no state machine.
 *
 * Mix: 60 % single-metric triggers, 20 % ratios of two metrics matched on labels, 10 % ratios of
 * two metrics that other triggers read too, 10 % ratios against one cluster-wide scalar.
 * Each series wobbles around its own level (uniform in 0..85 %), so about one series in five is
 * above the warning threshold (a heavy alerting load) and alerts near the thresholds go pending,
 * fire and resolve every cycle.
 */
import {
  evaluate,
  type EngineState,
  type Input,
  type LevelSpec,
  type Series,
  type TriggerSpec,
  type TriggerStatus,
} from '../src/rules/index.ts';
import { nowMs, renderTable, type BenchRow } from './table.ts';

const TRIGGERS = 10_000;
const SERIES_PER_TRIGGER = 10;
const WARMUP_CYCLES = 3;
const MEASURED_CYCLES = 7;
const INTERVAL_MS = 15_000;
const WARNING = 0.7;
const CRITICAL = 0.9;
const MB = 1024 * 1024;

const LEVELS: LevelSpec[] = [
  {
    severity: 'warning',
    condition: { op: '>', threshold: WARNING },
    forMs: 60_000,
    keepFiringForMs: 30_000,
  },
  {
    severity: 'critical',
    condition: { op: '>', threshold: CRITICAL },
    forMs: 30_000,
    keepFiringForMs: 0,
  },
];

// A deterministic generator, so every run measures the same work.
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** The workload: triggers, and every series' current utilization (0..1) by metric. */
interface Workload {
  triggers: TriggerSpec[];
  /** Per metric: the label sets and current levels (a ratio; `limit_*` metrics hold 100). */
  metrics: Map<string, Metric>;
}

/** One metric: its series' labels, their current levels (0..1), and how levels become values. */
interface Metric {
  labels: Record<string, string>[];
  level: Float64Array;
  /** Each series' long-run level: the drift pulls back towards it. */
  base: Float64Array;
  /** Value = level × scale (100 for `used`/`limit` counts, 1 for ratios). */
  scale: number;
  /** Capacities do not drift. */
  fixed: boolean;
}

function buildWorkload(): Workload {
  const rand = random(42);
  const metrics: Workload['metrics'] = new Map();
  const labels = (t: number) =>
    Array.from({ length: SERIES_PER_TRIGGER }, (_, k) => ({ queue: `q${t}`, instance: `i-${k}` }));
  const addMetric = (name: string, t: number, scale: number, fixed?: number) => {
    const base = Float64Array.from({ length: SERIES_PER_TRIGGER }, () => fixed ?? rand() * 0.85);
    const level = Float64Array.from(base);
    metrics.set(name, { labels: labels(t), level, base, scale, fixed: fixed !== undefined });
  };
  const triggers: TriggerSpec[] = [];
  const single = TRIGGERS * 0.6;
  const pairs = TRIGGERS * 0.2;
  for (let t = 0; t < single; t++) {
    const m = `usage_${t}`;
    addMetric(m, t, 1);
    triggers.push({ name: `t${t}`, inputs: [m], compute: (v) => v[m]!, levels: LEVELS });
  }
  for (let t = single; t < single + pairs; t++) {
    const [used, limit] = [`used_${t}`, `limit_${t}`];
    addMetric(used, t, 100);
    addMetric(limit, t, 100, 1);
    triggers.push({
      name: `t${t}`,
      inputs: [used, limit],
      compute: (v) => v[used]! / v[limit]!,
      levels: LEVELS,
    });
  }
  const one = Float64Array.of(1);
  metrics.set('cluster_capacity', { labels: [{}], level: one, base: one, scale: 1, fixed: true });
  for (let t = single + pairs; t < TRIGGERS; t++) {
    // Even: a projection over another trigger's used/limit pair; odd: usage over a cluster scalar.
    const p = single + (t % pairs);
    const [a, b] =
      t % 2 === 0 ? [`used_${p}`, `limit_${p}`] : [`usage_${t % single}`, 'cluster_capacity'];
    const factor = t % 2 === 0 ? 1.05 : 1;
    triggers.push({
      name: `t${t}`,
      inputs: [a, b],
      compute: (v) => (v[a]! / v[b]!) * factor,
      levels: LEVELS,
    });
  }
  return { triggers, metrics };
}

// Fresh input vectors for one cycle, as the runtime builds them; levels wobble around their base.
function nextInputs(workload: Workload, rand: () => number): Record<string, Input> {
  const inputs: Record<string, Input> = {};
  for (const [name, metric] of workload.metrics) {
    const vector: Series[] = new Array(metric.labels.length);
    for (let k = 0; k < metric.labels.length; k++) {
      if (!metric.fixed) {
        const wobble = 0.7 * (metric.level[k]! - metric.base[k]!) + (rand() - 0.5) * 0.1;
        metric.level[k] = Math.min(1, Math.max(0, metric.base[k]! + wobble));
      }
      vector[k] = { labels: metric.labels[k]!, value: metric.level[k]! * metric.scale };
    }
    inputs[name] = vector;
  }
  return inputs;
}

function seriesCount(inputs: Record<string, Input>): number {
  let n = 0;
  for (const input of Object.values(inputs)) if (Array.isArray(input)) n += input.length;
  return n;
}

// The baseline: the same comparisons on the same values, no state machine.
function bareLoop(inputs: Record<string, Input>): number {
  let hits = 0;
  for (const input of Object.values(inputs)) {
    if (!Array.isArray(input)) continue;
    for (const series of input as Series[]) {
      if (series.value > WARNING) hits++;
      if (series.value > CRITICAL) hits++;
    }
  }
  return hits;
}

function countActive(statuses: readonly TriggerStatus[]): { warning: number; critical: number } {
  const active = { warning: 0, critical: 0 };
  for (const status of statuses) for (const i of status.instances) active[i.severity]++;
  return active;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** What the measured cycles showed. */
interface Measured {
  engineMs: number[];
  baseMs: number[];
  /** Largest RSS growth across one evaluate / one bare loop, in bytes. */
  engineRss: number;
  baseRss: number;
  transitions: number;
  active: { warning: number; critical: number };
  series: number;
  /** Peak RSS of the process before the first evaluation, in bytes. */
  rssBeforeEngine: number;
}

const maxRss = (): number => process.resourceUsage().maxRSS * 1024;

function measure(workload: Workload): Measured {
  const rand = random(7);
  const m: Measured = {
    ...{ engineMs: [], baseMs: [], engineRss: 0, baseRss: 0, transitions: 0 },
    ...{ active: { warning: 0, critical: 0 }, series: 0, rssBeforeEngine: 0 },
  };
  let previous: EngineState | undefined;
  let now = Date.UTC(2025, 0, 1);
  for (let cycle = 0; cycle < WARMUP_CYCLES + MEASURED_CYCLES; cycle++) {
    const inputs = nextInputs(workload, rand);
    m.series = seriesCount(inputs);
    if (cycle === 0) m.rssBeforeEngine = maxRss();
    const rss0 = process.memoryUsage().rss;
    let start = nowMs();
    if (bareLoop(inputs) < 0) throw new Error('unreachable');
    const baseMs = nowMs() - start;
    const rss1 = process.memoryUsage().rss;
    start = nowMs();
    const result = evaluate({ triggers: workload.triggers, inputs, now, previous });
    const engineMs = nowMs() - start;
    const rss2 = process.memoryUsage().rss;
    previous = result.state;
    now += INTERVAL_MS;
    if (cycle < WARMUP_CYCLES) continue;
    m.engineMs.push(engineMs);
    m.baseMs.push(baseMs);
    m.baseRss = Math.max(m.baseRss, rss1 - rss0);
    m.engineRss = Math.max(m.engineRss, rss2 - rss1);
    m.transitions += result.transitions.length;
    m.active = countActive(result.statuses);
  }
  return m;
}

/** Runs the benchmark and returns its Markdown table. */
export async function run(): Promise<string> {
  const m = measure(buildWorkload());
  const cycleMs = median(m.engineMs);
  const peak = maxRss();
  const n = (x: number) => Math.round(x).toLocaleString('en-US');
  const rows: BenchRow[] = [
    {
      name: `one cycle, ${n(TRIGGERS)} triggers × 2 levels, ${n(m.series)} series (median of ${MEASURED_CYCLES})`,
      value: cycleMs,
      baseline: median(m.baseMs),
      unit: 'ms',
      goal: { text: '< 250 ms', met: cycleMs < 250 },
    },
    {
      name: 'RSS growth across one cycle (largest)',
      value: Math.max(0, m.engineRss) / MB,
      baseline: Math.max(0, m.baseRss) / MB,
      unit: 'MB',
      goal: { text: '< 512 MB', met: m.engineRss / MB < 512 },
    },
    {
      name: 'peak RSS of the process (baseline: before the first cycle)',
      value: peak / MB,
      baseline: m.rssBeforeEngine / MB,
      unit: 'MB',
      goal: { text: '< 512 MB', met: peak / MB < 512 },
    },
  ];
  const note =
    `${n(m.transitions / MEASURED_CYCLES)} transitions per measured cycle; at the last cycle ` +
    `${n(m.active.warning)} warning and ${n(m.active.critical)} critical alerts were pending or firing. ` +
    'Baseline: the same 2 comparisons per series, no state machine.';
  return `${renderTable('rules: alert engine evaluation cycle vs bare threshold loop', rows)}\n_${note}_\n`;
}
