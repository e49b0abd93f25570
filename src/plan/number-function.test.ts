import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileExpression, type CompiledExpression } from './expression.ts';
import { MissingInputError } from './graph.ts';
import { parsePlan } from './load.ts';
import { nodeNumberFunction, numberFunction, type NumberFunction } from './number-function.ts';
import type { Plan } from './types.ts';
import { toQuantity } from './units.ts';
import {
  describeOutcome,
  outcome,
  RandomInputs,
  sameOutcome,
} from '../testing/number-equivalence.ts';

const PLAN = `
version: 1
name: number-functions
units: [seat]
params:
  pool_size: 100 conn
  budget: 250 ms
  share: 80%
  growth: 2 GB / (1 week)
sources:
  prom: { kind: prometheus, url: "http://127.0.0.1:9" }
metrics:
  used: { from: prom, query: used, unit: B }
  total: { from: prom, query: total, unit: GiB }
  heap: { from: prom, query: heap, unit: MB }
  latency: { from: prom, query: latency, unit: ms }
  depth: { from: prom, query: depth }
  workers: { from: prom, query: workers }
  requests_total: { from: prom, query: requests_total }
  bytes_total: { from: prom, query: bytes_total, unit: B }
  cpu: { from: prom, query: cpu, unit: "%" }
  temp: { from: prom, query: temp, unit: degC }
  companies_count: { from: prom, query: companies }
  processed: { from: prom, query: processed, unit: msg/s }
  pool_replicas: { from: prom, query: replicas }
  doubled: { expr: processed * 2 }
drivers:
  companies: { metric: companies_count, value: 1200 }
  users: { value: 5000 }
components:
  disk: { kind: database, capacity: { storage: 500 GB }, usage: { storage: used } }
  pool:
    kind: database
    per_replica: { connections: pool_size }
    usage: { connections: depth }
    replicas: { metric: pool_replicas, current: 2 }
  stream: { kind: queue, capacity: { storage: 30 GB }, model: { storage: companies * 10 MB } }
  sms-worker: { kind: worker, per_replica: { throughput: 100 msg/s }, replicas: 3 }
`;

const plan: Plan = parsePlan(PLAN, 'number-functions.yaml', { env: {} });
const names = new Set(
  ['params', 'metrics', 'drivers', 'components'].flatMap((s) =>
    Object.keys((plan.raw as unknown as Record<string, object | undefined>)[s] ?? {}),
  ),
);
const sourceMetrics = new Set(Object.keys(plan.metrics).filter((m) => plan.metrics[m]!.source));

function expression(text: string): CompiledExpression {
  return compileExpression(text, plan.units, names, sourceMetrics);
}

/** The mathjs path: what triggers evaluate to without number functions. */
function mathjs(expr: CompiledExpression): NumberFunction {
  return (metrics) => toQuantity(plan.units, plan.graph.evaluateExpr(expr, { metrics })).value;
}

function inputsOf(expr: CompiledExpression): string[] {
  return plan.graph.inputsOf(plan.graph.dependencies(expr));
}

/** Compiles `text`, which must have a number function, and checks it against mathjs. */
function compiled(text: string, trials = 300): NumberFunction {
  const expr = expression(text);
  const fn = numberFunction(plan.graph, expr);
  assert.ok(fn, `"${text}" should compile to a number function`);
  const exact = mathjs(expr);
  const keys = inputsOf(expr);
  const random = new RandomInputs(text.length * 7919);
  for (let i = 0; i < trials; i++) {
    const inputs = random.next(keys);
    const [got, want] = [outcome(() => fn(inputs)), outcome(() => exact(inputs))];
    assert.ok(
      sameOutcome(got, want),
      `${text} with ${JSON.stringify(inputs)}: number ${describeOutcome(got)}, mathjs ${describeOutcome(want)}`,
    );
  }
  return fn;
}

/** Both paths on given inputs: the number function's outcome must be mathjs's. */
function both(text: string, inputs: Record<string, number | undefined>): number {
  const expr = expression(text);
  const fn = numberFunction(plan.graph, expr);
  assert.ok(fn, `"${text}" should compile`);
  const [got, want] = [outcome(() => fn(inputs)), outcome(() => mathjs(expr)(inputs))];
  assert.ok(sameOutcome(got, want), `${text}: ${describeOutcome(got)} vs ${describeOutcome(want)}`);
  // The number function's own value, or its own error (a MissingInputError, …).
  return fn(inputs);
}

describe('numberFunction: equal to the mathjs path on random inputs', () => {
  const groups: Record<string, string[]> = {
    'ratios of quantities with units': ['used / total', 'used / total * 100', 'heap / used'],
    percent: ['cpu / 70%', 'cpu * 50%', '70% - cpu', 'depth / (workers * share)'],
    'worded durations (10 min)': [
      'latency / (10 min)',
      'latency > 10 min',
      'rate(requests_total, 1m) * (10 min)',
      'latency / budget',
    ],
    'GB against GiB': [
      'used / (4 GiB)',
      'used / (4 GB)',
      '(used + 1 GiB) / (1 GB)',
      'total - used',
    ],
    'window functions, per second': [
      'rate(bytes_total, 1m) / (1 MB/s)',
      'rate(requests_total, 5m)',
      'increase(requests_total, 1h) / (1000 req)',
      'delta(used, 1h) / (1 GB)',
      'sum(depth) / workers',
      'count(depth)',
      'avg(latency) / budget',
    ],
    'unary minus and plus': ['-used / total', '-(used - total) / total', '+used', '-depth'],
    powers: [
      'depth ^ 2',
      '(used / total) ^ 0.5',
      'used ^ 2 / (1 GB ^ 2)',
      '2 ^ depth',
      'depth ^ workers',
      'depth ^ -1',
    ],
    functions: [
      'sqrt(depth)',
      'sqrt(used * used) / (1 B)',
      'abs(depth - workers)',
      'abs(used - total) / total',
      'ceil(depth / 7)',
      'floor(depth / 7)',
      'round(depth / 7)',
      'round(depth / 7, 2)',
      'log(depth)',
      'exp(depth / 1000)',
      'mod(depth, 7)',
      'max(used, total) / total',
      'min(depth, workers, 10)',
      'max(cpu / 70%, latency / budget)',
      'max(depth)',
    ],
    'comparisons and logic': [
      'depth > workers',
      'depth >= workers',
      'depth == workers',
      'depth != workers',
      'used < total',
      'used <= total',
      '(depth > 10) and (workers < 5)',
      'depth > 10 or workers > 10',
      'not (depth > 10)',
      'xor(depth > 1, workers > 1)',
      'depth > 100 ? depth / workers : 0',
      'depth > 100 ? used : total',
    ],
    'params, drivers, derived metrics and component paths': [
      'disk.storage.utilization',
      'disk.storage.headroom',
      'pool.connections.utilization',
      'pool.connections.capacity',
      'stream.storage.utilization',
      'sms-worker.throughput.capacity / processed',
      'processed / (sms-worker.replicas * 10 msg/s)',
      'companies * 10 MB / (1 GB)',
      'users / companies',
      'doubled / processed',
      'growth * 1 week / (1 GB)',
      'pool_size',
    ],
    'division by zero': ['depth / workers', '1 / (depth - depth)', '-depth / (workers - workers)'],
  };
  for (const [group, texts] of Object.entries(groups)) {
    it(group, () => {
      for (const text of texts) compiled(text);
    });
  }
});

describe('numberFunction: the edges, exactly as mathjs', () => {
  it('a NaN or absent source metric is a MissingInputError naming it', () => {
    const fn = compiled('used / total');
    assert.throws(
      () => fn({ used: NaN, total: 1 }),
      (e) => (e as MissingInputError).metric === 'used',
    );
    assert.throws(
      () => fn({ used: 1 }),
      (e) => (e as MissingInputError).metric === 'total',
    );
  });

  it('with two inputs missing, the first one read is named, as mathjs reads them', () => {
    assert.throws(() => both('heap + used', {}), /"heap"/);
    assert.throws(() => both('disk.storage.utilization + depth', {}), /"depth"/);
  });

  it('a NaN window value is a value (NaN), not a missing input', () => {
    assert.ok(Number.isNaN(both('rate(requests_total, 5m)', { 'rate(requests_total[5m])': NaN })));
    assert.throws(() => both('rate(requests_total, 5m)', {}), MissingInputError);
  });

  it('a measured driver stands at its value while its metric is missing', () => {
    assert.equal(both('users / companies', { companies_count: NaN }), 4.16666666667);
    assert.equal(both('users / companies', { companies_count: 10 }), 500);
    assert.equal(both('pool.connections.capacity', {}), 200);
  });

  it('divides by zero to ±Infinity and NaN', () => {
    assert.equal(both('depth / workers', { depth: 3, workers: 0 }), Infinity);
    assert.equal(both('-depth / workers', { depth: 3, workers: 0 }), -Infinity);
    assert.ok(Number.isNaN(both('depth / workers', { depth: 0, workers: 0 })));
  });

  it('compares within mathjs tolerance', () => {
    assert.equal(both('depth > workers', { depth: 1 + 1e-13, workers: 1 }), 0);
    assert.equal(both('depth == workers', { depth: 1 + 1e-13, workers: 1 }), 1);
    assert.equal(both('depth > workers', { depth: 1 + 1e-9, workers: 1 }), 1);
  });

  it('max and min are NaN when an argument is', () => {
    assert.ok(Number.isNaN(both('max(depth / workers, 1)', { depth: 0, workers: 0 })));
    assert.ok(Number.isNaN(both('min(1, depth / workers)', { depth: 0, workers: 0 })));
  });

  it('a negative square root or fractional power throws what mathjs throws (a Complex)', () => {
    assert.throws(() => both('sqrt(depth)', { depth: -4 }), /got 2i/);
    assert.throws(() => both('depth ^ 0.5', { depth: -4 }));
    assert.equal(both('depth ^ 0.5', { depth: 4 }), 2);
  });

  it('converts units as written: GB is 10^9 bytes, GiB 2^30, a minute 60 s, % a hundredth', () => {
    assert.equal(both('used / (4 GiB)', { used: 2 ** 31 }), 0.5);
    assert.equal(both('used / (4 GB)', { used: 2e9 }), 0.5);
    assert.equal(both('latency / (10 min)', { latency: 60 }), 0.1);
    assert.equal(both('cpu / 70%', { cpu: 0.35 }), 0.5);
    assert.equal(both('rate(bytes_total, 1m) / (1 MB/s)', { 'rate(bytes_total[1m])': 5e5 }), 0.5);
    assert.equal(both('used + 1 GiB', { used: 1 }), 2 ** 30 + 1);
    assert.equal(both('latency + 10 min', { latency: 1 }), 601);
  });

  it('rounds as toQuantity rounds (12 significant digits)', () => {
    assert.equal(both('heap / (1 MB)', { heap: 1500e6 }), 1500);
    assert.equal(both('depth / 3 * 3', { depth: 1 }), 1);
  });
});

describe('numberFunction: what keeps the mathjs path', () => {
  const cases: [why: string, text: string][] = [
    ['an offset unit (degC)', 'temp + 5 degC'],
    ['a Unit raised to a power that is an input', 'used ^ depth / (1 B)'],
    ['a function without a number form', 'hypot(depth, workers)'],
    ['a conversion', 'used to MB'],
    ['branches of different kinds', 'depth > 1 ? used : depth'],
    ['a matrix', 'max([depth, workers])'],
  ];
  for (const [why, text] of cases) {
    it(why, () => assert.equal(numberFunction(plan.graph, expression(text)), undefined));
  }
});

describe('nodeNumberFunction', () => {
  it('compiles every component field and agrees with graph.evaluate', () => {
    const random = new RandomInputs(11);
    for (const key of plan.graph.nodes.keys()) {
      if (!key.startsWith('components.')) continue;
      const fn = nodeNumberFunction(plan.graph, key);
      assert.ok(fn, `${key} should compile`);
      const keys = plan.graph.inputsOf([key]);
      for (let i = 0; i < 100; i++) {
        const inputs = random.next(keys);
        const exact = () =>
          toQuantity(plan.units, plan.graph.evaluate(key, { metrics: inputs })).value;
        const [got, want] = [outcome(() => fn(inputs)), outcome(exact)];
        assert.ok(
          sameOutcome(got, want),
          `${key}: ${describeOutcome(got)} vs ${describeOutcome(want)}`,
        );
      }
    }
  });
});
