import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { HeadroomError, HeadroomErrors } from '../errors.ts';
import { createSource } from './index.ts';
import { prometheusKind, PrometheusSource } from './prometheus.ts';
import {
  prometheusSourceFor,
  startCannedPrometheus,
  vectorBody,
  type Canned,
  type CannedPrometheus,
} from './prometheus.fixture.ts';
import { sourceContract } from './source.contract.ts';

const CLOCK_MS = 1_700_000_000_123;

/** Canned answers by PromQL text; other queries get a one-series vector of value 1. */
const CANNED: Record<string, Canned> = {
  queue_depth: {
    body: vectorBody([
      { metric: { __name__: 'queue_depth', queue: 'sms' }, value: [1700000000.123, '42'] },
      { metric: { __name__: 'queue_depth', queue: 'email' }, value: [1700000000.123, '7.5'] },
    ]),
  },
  'scalar(1)': {
    body: { status: 'success', data: { resultType: 'scalar', result: [1700000000.123, '1'] } },
  },
  'sum(': {
    status: 400,
    body: {
      status: 'error',
      errorType: 'bad_data',
      error: '1:5: parse error: unclosed left parenthesis',
    },
  },
  nan: { body: vectorBody([{ metric: {}, value: [1, 'NaN'] }]) },
  slow: { body: vectorBody([{ metric: {}, value: [1, '1'] }]), delayMs: 3000 },
};

let canned: CannedPrometheus;
before(async () => {
  canned = await startCannedPrometheus(CANNED);
});
after(() => canned.close());

function source(
  queries: Record<string, string>,
  options: Record<string, unknown> = {},
): PrometheusSource {
  return prometheusSourceFor(canned.url, queries, options, () => CLOCK_MS);
}

sourceContract('prometheus (canned API)', () => ({
  kind: prometheusKind,
  options: { url: canned.url },
  metrics: [
    { name: 'depth', select: { query: 'queue_depth' } },
    { name: 'one', select: { query: 'scalar(1)' } },
  ],
}));

describe('prometheus source: samples', () => {
  test('a vector gives one sample per series with its labels, __name__ dropped', async () => {
    const samples = await source({ depth: 'queue_depth' }).collect(AbortSignal.timeout(5000));
    assert.deepEqual(samples, [
      { metric: 'depth', labels: { queue: 'sms' }, value: 42, at: CLOCK_MS },
      { metric: 'depth', labels: { queue: 'email' }, value: 7.5, at: CLOCK_MS },
    ]);
  });

  test('a scalar gives one unlabelled sample', async () => {
    const samples = await source({ one: 'scalar(1)' }).collect(AbortSignal.timeout(5000));
    assert.deepEqual(samples, [{ metric: 'one', labels: {}, value: 1, at: CLOCK_MS }]);
  });

  test('every query runs at the clock time', async () => {
    canned.seen.length = 0;
    await source({ a: 'up', b: 'scalar(1)' }).collect(AbortSignal.timeout(5000));
    assert.deepEqual(
      canned.seen.map((r) => r.form.get('time')),
      ['1700000000.123', '1700000000.123'],
    );
  });

  test('an abort during a slow query rejects within 100 ms', async () => {
    const controller = new AbortController();
    const collecting = source({ m: 'slow' }).collect(controller.signal);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const startedMs = performance.now();
    controller.abort();
    await assert.rejects(collecting, { code: 'SOURCE_UNAVAILABLE', message: /was aborted/ });
    assert.ok(performance.now() - startedMs < 100);
  });

  test('close() aborts a query in flight', async () => {
    const s = source({ m: 'slow' });
    const collecting = s.collect(AbortSignal.timeout(10_000));
    await new Promise((resolve) => setTimeout(resolve, 50));
    const startedMs = performance.now();
    await s.close();
    await assert.rejects(collecting, { code: 'SOURCE_UNAVAILABLE' });
    assert.ok(performance.now() - startedMs < 100);
  });
});

describe('prometheus source: partial failures and health', () => {
  test('good queries are returned when another fails; the failure is reported and health is error', async () => {
    const s = source({ depth: 'queue_depth', bad: 'sum(' });
    assert.equal(s.health().state, 'unknown');
    const samples = await s.collect(AbortSignal.timeout(5000));
    assert.deepEqual([...new Set(samples.map((x) => x.metric))], ['depth']);
    const result = await s.collectDetailed(AbortSignal.timeout(5000));
    assert.deepEqual(
      result.failures.map((f) => [f.metric, f.error.code, f.error.location.path]),
      [['bad', 'SOURCE_BAD_VALUE', 'metrics.bad.query']],
    );
    const health = s.health();
    assert.equal(health.state, 'error');
    assert.match(health.lastError ?? '', /1 metric\(s\) failed \(bad\): .*parse error/);
    assert.equal(health.lastAttemptAt, CLOCK_MS);
    assert.equal(health.lastSuccessAt, undefined);
  });

  test('when every query fails, collect rejects with each distinct error', async () => {
    const s = source({ a: 'sum(', b: 'nan' });
    await assert.rejects(s.collect(AbortSignal.timeout(5000)), (e: unknown) => {
      assert.ok(e instanceof HeadroomErrors);
      assert.deepEqual(
        e.errors.map((x) => x.code),
        ['SOURCE_BAD_VALUE', 'SOURCE_BAD_VALUE'],
      );
      return true;
    });
    assert.equal(s.health().state, 'error');
  });

  test('a server that is down is reported once, not once per metric', async () => {
    const s = source({ a: 'up', b: 'up', c: 'up' }, { url: 'http://127.0.0.1:1' });
    await assert.rejects(s.collect(AbortSignal.timeout(5000)), (e: unknown) => {
      assert.ok(e instanceof HeadroomError, String(e));
      assert.equal(e.code, 'SOURCE_UNAVAILABLE');
      return true;
    });
  });

  test('health is ok, with lastSuccessAt, after a collect in which every query worked', async () => {
    const s = source({ depth: 'queue_depth' });
    await s.collect(AbortSignal.timeout(5000));
    assert.deepEqual(s.health(), { state: 'ok', lastSuccessAt: CLOCK_MS, lastAttemptAt: CLOCK_MS });
  });
});

describe('prometheus source: configuration', () => {
  test('validate: a metric needs a non-empty query and nothing else', () => {
    const options = { url: 'http://x' };
    const paths = (select: Record<string, unknown>) =>
      prometheusKind.validate(options, select).map((i) => i.path);
    assert.deepEqual(paths({ query: 'up' }), []);
    assert.deepEqual(paths({}), ['query']);
    assert.deepEqual(paths({ query: '' }), ['query']);
    assert.deepEqual(paths({ query: 'up', field: 'x' }), ['field']);
  });

  test('validate: option and selector problems are reported together', () => {
    const issues = prometheusKind.validate({ url: 'ftp://x' }, { query: 'up', stream: 'x' });
    assert.deepEqual(
      issues.map((i) => i.path),
      ['url', 'stream'],
    );
  });

  test('createSource with a bad url throws SOURCE_CONFIG at the option', () => {
    const context = {
      name: 'prom',
      options: { url: 'localhost:9090' },
      metrics: [],
      now: Date.now,
    };
    assert.throws(
      () => createSource('prometheus', context),
      (e: unknown) =>
        e instanceof HeadroomError &&
        e.code === 'SOURCE_CONFIG' &&
        e.location.path === 'sources.prom.url',
    );
  });

  test('createSource with a metric without query throws SOURCE_CONFIG at the metric', () => {
    const context = {
      name: 'prom',
      options: { url: 'http://x' },
      metrics: [{ name: 'm', select: { expr: 'up' } }],
      now: Date.now,
    };
    assert.throws(() => createSource('prometheus', context), {
      code: 'SOURCE_CONFIG',
      message: /metric "m"/,
    });
  });

  test('createSource with an unknown kind names it and lists the known kinds', () => {
    assert.throws(
      () => createSource('promethus', { name: 'p', options: {}, metrics: [], now: Date.now }),
      {
        code: 'SOURCE_CONFIG',
        message:
          /unknown kind "promethus" \(did you mean "prometheus"\?\); known kinds: (\S+, )*host, (\S+, )*prometheus\b/,
      },
    );
  });

  test('createSource does not mistake Object.prototype names for kinds', () => {
    assert.throws(
      () => createSource('constructor', { name: 'p', options: {}, metrics: [], now: Date.now }),
      {
        code: 'SOURCE_CONFIG',
      },
    );
  });
});
