/**
 * A large plan of formula triggers for the formula-evaluation bench: each trigger has its own
 * source metrics and one of ten shapes seen in real plans (a ratio of two metrics with units, a
 * backlog over workers × a literal quantity, a sum with a literal, `max(a, b) / c`, a window
 * function over a component's capacity, component utilizations through `capacity` and
 * `per_replica × replicas`, params, an aggregation). Each shape knows how to write input values
 * that make the trigger's value a given level, so the bench can drive every trigger (formula or
 * single-metric) with the same levels and compare like with like.
 */

/** One trigger shape: its plan text and how to reach a level with its inputs. */
interface Shape {
  /** Metric declarations (`name: { ... }` lines, two-space indented under `metrics:`). */
  metrics(i: number): string[];
  /** Component declarations (lines two-space indented under `components:`). */
  components(i: number): string[];
  /** The trigger's expression. */
  expr(i: number): string;
  /**
   * Canonical input values (by engine input key) that make the expression equal `level` for
   * series `k`.
   */
  inputs(i: number, level: number, k: number): Record<string, number>;
}

const GiB = 2 ** 30;
const MB = 1e6;

/** The ten shapes, in the order triggers cycle through them. */
const SHAPES: Shape[] = [
  {
    // Bytes over a limit reported in GiB.
    metrics: (i) => [
      `used_${i}: { from: prom, query: 'used{t="${i}"}', unit: B }`,
      `total_${i}: { from: prom, query: 'total{t="${i}"}', unit: GiB }`,
    ],
    components: () => [],
    expr: (i) => `used_${i} / total_${i}`,
    inputs: (i, level, k) => ({
      [`used_${i}`]: level * (8 + k) * GiB,
      [`total_${i}`]: (8 + k) * GiB,
    }),
  },
  {
    // Backlog over workers times a per-worker quantity.
    metrics: (i) => [
      `depth_${i}: { from: prom, query: 'depth{t="${i}"}' }`,
      `workers_${i}: { from: prom, query: 'workers{t="${i}"}' }`,
    ],
    components: () => [],
    expr: (i) => `depth_${i} / (workers_${i} * 50 msg)`,
    inputs: (i, level, k) => ({ [`depth_${i}`]: level * (2 + k) * 50, [`workers_${i}`]: 2 + k }),
  },
  {
    // A sum with a literal quantity over a literal quantity.
    metrics: (i) => [`heap_${i}: { from: prom, query: 'heap{t="${i}"}', unit: MB }`],
    components: () => [],
    expr: (i) => `(heap_${i} + 256 MB) / (4 GiB)`,
    inputs: (i, level) => ({ [`heap_${i}`]: level * 4 * GiB - 256 * MB }),
  },
  {
    // The larger of two rates over a limit.
    metrics: (i) => [
      `reads_${i}: { from: prom, query: 'reads{t="${i}"}', unit: op/s }`,
      `writes_${i}: { from: prom, query: 'writes{t="${i}"}', unit: op/s }`,
      `iops_${i}: { from: prom, query: 'iops{t="${i}"}', unit: op/s }`,
    ],
    components: () => [],
    expr: (i) => `max(reads_${i}, writes_${i}) / iops_${i}`,
    inputs: (i, level, k) => ({
      [`reads_${i}`]: (k % 2 === 0 ? level : level / 2) * 3000,
      [`writes_${i}`]: (k % 2 === 0 ? level / 3 : level) * 3000,
      [`iops_${i}`]: 3000,
    }),
  },
  {
    // A window function over a component's capacity (per replica × replicas).
    metrics: (i) => [`requests_${i}: { from: prom, query: 'requests_total{t="${i}"}' }`],
    components: (i) => [
      `api_${i}:`,
      '    kind: service',
      '    per_replica: { throughput: 100 req/s }',
      '    replicas: 3',
    ],
    expr: (i) => `rate(requests_${i}, 5m) / api_${i}.throughput.capacity`,
    inputs: (i, level) => ({ [`rate(requests_${i}[5m])`]: level * 300 }),
  },
  {
    // A component's utilization: live usage over a fixed capacity.
    metrics: (i) => [`qbytes_${i}: { from: prom, query: 'qbytes{t="${i}"}', unit: B }`],
    components: (i) => [
      `q_${i}:`,
      '    kind: queue',
      '    capacity: { storage: 50 GB }',
      `    usage: { storage: qbytes_${i} }`,
    ],
    expr: (i) => `q_${i}.storage.utilization`,
    inputs: (i, level) => ({ [`qbytes_${i}`]: level * 50e9 }),
  },
  {
    // A pool's utilization: per-replica capacity from a param, replicas measured.
    metrics: (i) => [
      `conns_${i}: { from: prom, query: 'conns{t="${i}"}' }`,
      `pool_replicas_${i}: { from: prom, query: 'replicas{t="${i}"}' }`,
    ],
    components: (i) => [
      `pool_${i}:`,
      '    kind: database',
      '    per_replica: { connections: pool_size }',
      `    usage: { connections: conns_${i} }`,
      `    replicas: { metric: pool_replicas_${i}, current: 2 }`,
    ],
    expr: (i) => `pool_${i}.connections.utilization`,
    inputs: (i, level, k) => ({
      [`conns_${i}`]: level * 100 * (1 + (k % 3)),
      [`pool_replicas_${i}`]: 1 + (k % 3),
    }),
  },
  {
    // A latency (reported in ms) over a param.
    metrics: (i) => [`p95_${i}: { from: prom, query: 'p95{t="${i}"}', unit: ms }`],
    components: () => [],
    expr: (i) => `p95_${i} / latency_budget`,
    inputs: (i, level) => ({ [`p95_${i}`]: level * 0.25 }),
  },
  {
    // Two metrics summed over a param times a ratio.
    metrics: (i) => [
      `inflight_${i}: { from: prom, query: 'inflight{t="${i}"}' }`,
      `queued_${i}: { from: prom, query: 'queued{t="${i}"}' }`,
    ],
    components: () => [],
    expr: (i) => `(inflight_${i} + queued_${i}) / (max_concurrency * 80%)`,
    inputs: (i, level) => ({
      [`inflight_${i}`]: level * 320 * 0.75,
      [`queued_${i}`]: level * 320 * 0.25,
    }),
  },
  {
    // An aggregation across series over consumers times a literal.
    metrics: (i) => [
      `pending_${i}: { from: prom, query: 'pending{t="${i}"}' }`,
      `consumers_${i}: { from: prom, query: 'consumers{t="${i}"}' }`,
    ],
    components: () => [],
    expr: (i) => `sum(pending_${i}) / (consumers_${i} * 200 msg)`,
    inputs: (i, level) => ({
      [`sum(pending_${i})`]: 2000,
      [`consumers_${i}`]: 10 / Math.max(level, 1e-3),
    }),
  },
];

/** Input keys that hold one unlabelled series (an aggregation), not one series per label set. */
export function isScalarInput(key: string): boolean {
  return key.startsWith('sum(');
}

/** How many shapes triggers cycle through. */
export const SHAPE_COUNT = SHAPES.length;

/** The expression of formula trigger `i` (for messages). */
export function formulaExpr(i: number): string {
  return SHAPES[i % SHAPES.length]!.expr(i);
}

/** Canonical inputs that make formula trigger `i` equal `level` on series `k`. */
export function formulaInputs(i: number, level: number, k: number): Record<string, number> {
  return SHAPES[i % SHAPES.length]!.inputs(i, level, k);
}

const HEADER = [
  'version: 1',
  'interval: 15s',
  'params:',
  '  pool_size: 100 conn',
  '  latency_budget: 250 ms',
  '  max_concurrency: 400 req',
  'sources:',
  '  prom: { kind: prometheus, url: "http://127.0.0.1:9" }',
];

const LEVELS = [
  '    warning: { when: "> 70%", for: 1m, keep_firing_for: 30s }',
  '    critical: { when: "> 90%", for: 30s }',
];

/** YAML of a plan with `count` formula triggers, shapes in turn, each on its own metrics. */
export function formulaPlanText(count: number): string {
  const metrics: string[] = [];
  const components: string[] = [];
  const triggers: string[] = [];
  for (let i = 0; i < count; i++) {
    const shape = SHAPES[i % SHAPES.length]!;
    metrics.push(...shape.metrics(i).map((l) => `  ${l}`));
    components.push(...shape.components(i).map((l, j) => (j === 0 ? `  ${l}` : l)));
    triggers.push(`  - name: f${i}`, `    expr: ${shape.expr(i)}`, ...LEVELS);
  }
  return [
    'name: formula-bench',
    ...HEADER,
    'metrics:',
    ...metrics,
    ...(components.length > 0 ? ['components:', ...components] : []),
    'triggers:',
    ...triggers,
    '',
  ].join('\n');
}

/** YAML of a plan with `count` single-metric triggers (`util_<i>`, a ratio). */
export function singlePlanText(count: number): string {
  const metrics: string[] = [];
  const triggers: string[] = [];
  for (let i = 0; i < count; i++) {
    metrics.push(`  util_${i}: { from: prom, query: 'util{t="${i}"}' }`);
    triggers.push(`  - name: s${i}`, `    expr: util_${i}`, ...LEVELS);
  }
  return [
    'name: single-bench',
    ...HEADER,
    'metrics:',
    ...metrics,
    'triggers:',
    ...triggers,
    '',
  ].join('\n');
}
