import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { HeadroomError } from '../errors.ts';
import {
  parsePrometheusOptions,
  queryInstant,
  queryRange,
  validatePrometheusOptions,
} from './prometheus-api.ts';
import {
  startCannedPrometheus,
  vectorBody,
  type Canned,
  type CannedPrometheus,
} from './prometheus.fixture.ts';

const CLOCK_MS = 1_700_000_000_123;
const ok = (body: unknown): Canned => ({ body });
const success = (resultType: string, result: unknown): Canned =>
  ok({ status: 'success', data: { resultType, result } });

/** Canned answers by PromQL text. */
const CANNED: Record<string, Canned> = {
  'sum(': {
    status: 400,
    body: {
      status: 'error',
      errorType: 'bad_data',
      error: '1:5: parse error: unclosed left parenthesis',
    },
  },
  slow_query_error: {
    status: 503,
    body: {
      status: 'error',
      errorType: 'timeout',
      error: 'query timed out in expression evaluation',
    },
  },
  nan: ok(vectorBody([{ metric: {}, value: [1, 'NaN'] }])),
  inf: ok(vectorBody([{ metric: { le: 'x' }, value: [1, '+Inf'] }])),
  empty: ok(vectorBody([])),
  'up[5m]': success('matrix', [{ metric: {}, values: [[1, '1']] }]),
  '"text"': success('string', [1, 'text']),
  html: { body: '<html>Grafana</html>' },
  broken: { status: 502, body: 'Bad Gateway from proxy' },
  unauthorized: { status: 401, body: 'Unauthorized' },
  slow: { body: vectorBody([{ metric: {}, value: [1, '1'] }]), delayMs: 3000 },
  range: success('matrix', [
    {
      metric: { __name__: 'depth', queue: 'sms' },
      values: [
        [1700000000, '1'],
        [1700000015, 'NaN'],
        [1700000030, '3'],
      ],
    },
  ]),
};

let canned: CannedPrometheus;
before(async () => {
  canned = await startCannedPrometheus(CANNED);
});
after(() => canned.close());

/** Runs `query` as an instant query for plan metric `m`; the query must fail. */
async function instantError(
  query: string,
  options: Record<string, unknown> = {},
): Promise<HeadroomError> {
  const conn = parsePrometheusOptions({ url: canned.url, ...options });
  try {
    await queryInstant(conn, { query, metric: 'm' }, CLOCK_MS, AbortSignal.timeout(10_000));
  } catch (error) {
    return error as HeadroomError;
  }
  assert.fail(`query ${query} did not fail`);
}

describe('prometheus API: requests', () => {
  test('an instant query is POSTed form-encoded at the given time, with the configured headers', async () => {
    canned.seen.length = 0;
    const conn = parsePrometheusOptions({
      url: canned.url,
      headers: { Authorization: 'Bearer t0k3n' },
      timeout: '3s',
    });
    await queryInstant(conn, { query: 'up' }, CLOCK_MS, AbortSignal.timeout(5000));
    const request = canned.seen[0]!;
    assert.equal(request.method, 'POST');
    assert.equal(request.path, '/api/v1/query');
    assert.match(request.headers['content-type'] ?? '', /application\/x-www-form-urlencoded/);
    assert.equal(request.headers.authorization, 'Bearer t0k3n');
    assert.equal(request.form.get('query'), 'up');
    assert.equal(request.form.get('time'), '1700000000.123');
    assert.equal(request.form.get('timeout'), '3');
  });

  test('a path prefix in url is kept', async () => {
    canned.seen.length = 0;
    const conn = parsePrometheusOptions({ url: `${canned.url}/prometheus` });
    await queryInstant(conn, { query: 'up' }, CLOCK_MS, AbortSignal.timeout(5000));
    assert.equal(canned.seen[0]!.path, '/prometheus/api/v1/query');
  });

  test('credentials in url are sent as basic auth and never shown in messages', async () => {
    canned.seen.length = 0;
    const error = await instantError('broken', {
      url: canned.url.replace('http://', 'http://user:s3cret@'),
    });
    const basic = Buffer.from('user:s3cret').toString('base64');
    assert.equal(canned.seen[0]!.headers.authorization, `Basic ${basic}`);
    assert.doesNotMatch(error.message, /s3cret/);
    assert.match(error.message, new RegExp(`Prometheus at ${canned.url} answered HTTP 502`));
  });

  test('queryRange returns points in ms, drops __name__, and leaves NaN steps out as gaps', async () => {
    canned.seen.length = 0;
    const conn = parsePrometheusOptions({ url: canned.url });
    const range = {
      query: 'range',
      startMs: 1_700_000_000_000,
      endMs: 1_700_000_030_000,
      stepMs: 15_000,
    };
    const series = await queryRange(conn, range, AbortSignal.timeout(5000));
    assert.deepEqual(series, [
      {
        labels: { queue: 'sms' },
        points: [
          { at: 1_700_000_000_000, value: 1 },
          { at: 1_700_000_030_000, value: 3 },
        ],
      },
    ]);
    assert.equal(canned.seen[0]!.path, '/api/v1/query_range');
    assert.deepEqual(
      ['start', 'end', 'step'].map((k) => canned.seen[0]!.form.get(k)),
      ['1700000000', '1700000030', '15'],
    );
  });

  test('queryRange rejects a non-positive step before sending anything', async () => {
    canned.seen.length = 0;
    const conn = parsePrometheusOptions({ url: canned.url });
    const range = { query: 'up', startMs: 0, endMs: 1000, stepMs: 0 };
    await assert.rejects(queryRange(conn, range, AbortSignal.timeout(1000)), {
      code: 'SOURCE_CONFIG',
    });
    assert.equal(canned.seen.length, 0);
  });

  test('queryRange of something that is not a matrix is SOURCE_BAD_VALUE', async () => {
    const conn = parsePrometheusOptions({ url: canned.url });
    const range = { query: '"text"', startMs: 0, endMs: 1000, stepMs: 1000 };
    await assert.rejects(queryRange(conn, range, AbortSignal.timeout(5000)), {
      code: 'SOURCE_BAD_VALUE',
      message: /returned a string to a range query/,
    });
  });
});

describe('prometheus API: bad answers', () => {
  const cases: { name: string; query: string; code: string; message: RegExp }[] = [
    {
      name: 'PromQL error body',
      query: 'sum(',
      code: 'SOURCE_BAD_VALUE',
      message:
        /query "sum\(" \(metric "m"\): bad_data: 1:5: parse error: unclosed left parenthesis/,
    },
    {
      name: 'server-side timeout body',
      query: 'slow_query_error',
      code: 'SOURCE_UNAVAILABLE',
      message: /timeout: query timed out/,
    },
    {
      name: 'NaN value',
      query: 'nan',
      code: 'SOURCE_BAD_VALUE',
      message: /query "nan" \(metric "m"\) returned NaN/,
    },
    {
      name: '+Inf value names the series',
      query: 'inf',
      code: 'SOURCE_BAD_VALUE',
      message: /returned \+Inf for \{"le":"x"\}/,
    },
    {
      name: 'no series',
      query: 'empty',
      code: 'SOURCE_BAD_VALUE',
      message: /query "empty" \(metric "m"\) returned no series/,
    },
    {
      name: 'matrix where a vector was expected',
      query: 'up[5m]',
      code: 'SOURCE_BAD_VALUE',
      message: /returned a range vector/,
    },
    {
      name: 'string result',
      query: '"text"',
      code: 'SOURCE_BAD_VALUE',
      message: /returned a string/,
    },
    {
      name: 'not a Prometheus API (HTML)',
      query: 'html',
      code: 'SOURCE_BAD_VALUE',
      message: /not a Prometheus API response/,
    },
    {
      name: 'HTTP 502 from a proxy',
      query: 'broken',
      code: 'SOURCE_UNAVAILABLE',
      message: /answered HTTP 502: Bad Gateway from proxy/,
    },
    {
      name: 'HTTP 401 asks for credentials',
      query: 'unauthorized',
      code: 'SOURCE_CONFIG',
      message: /answered HTTP 401/,
    },
  ];
  for (const c of cases) {
    test(`${c.name} → ${c.code}`, async () => {
      const error = await instantError(c.query);
      assert.equal(error.code, c.code);
      assert.match(error.message, c.message);
    });
  }

  test('a query error points at the metric in the plan and says what to do', async () => {
    const error = await instantError('sum(');
    assert.equal(error.location.path, 'metrics.m.query');
    assert.match(error.hint ?? '', /fix the PromQL/);
  });

  test('a slow server times out as SOURCE_UNAVAILABLE naming the URL, after `timeout`', async () => {
    const startedMs = performance.now();
    const error = await instantError('slow', { timeout: '200ms' });
    const tookMs = performance.now() - startedMs;
    assert.equal(error.code, 'SOURCE_UNAVAILABLE');
    assert.match(
      error.message,
      new RegExp(`Prometheus at ${canned.url} did not answer within 200 ms`),
    );
    assert.ok(tookMs >= 190 && tookMs < 1000, `took ${tookMs} ms`);
  });

  test('connection refused is SOURCE_UNAVAILABLE naming the URL', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const deadUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
    await new Promise((resolve) => closed.close(resolve));
    const error = await instantError('up', { url: deadUrl });
    assert.equal(error.code, 'SOURCE_UNAVAILABLE');
    assert.match(
      error.message,
      new RegExp(`Prometheus at ${deadUrl} cannot be reached \\(ECONNREFUSED\\)`),
    );
  });
});

describe('prometheus API: options', () => {
  const cases: { name: string; options: Record<string, unknown>; path: string; message: RegExp }[] =
    [
      { name: 'missing url', options: {}, path: 'url', message: /url: http:\/\/127\.0\.0\.1:9090/ },
      {
        name: 'url that is not http',
        options: { url: 'ftp://x' },
        path: 'url',
        message: /http:\/\/ or https:\/\//,
      },
      {
        name: 'timeout that is not a duration',
        options: { url: 'http://x', timeout: '5 parsecs' },
        path: 'timeout',
        message: /5s, 250ms/,
      },
      {
        name: 'negative timeout',
        options: { url: 'http://x', timeout: -5 },
        path: 'timeout',
        message: /positive duration/,
      },
      {
        name: 'header value not a string',
        options: { url: 'http://x', headers: { 'X-Scope-OrgID': 1 } },
        path: 'headers.X-Scope-OrgID',
        message: /strings/,
      },
      {
        name: 'unknown option',
        options: { url: 'http://x', tls: true },
        path: 'tls',
        message: /unknown option "tls"/,
      },
    ];
  for (const c of cases) {
    test(`validate: ${c.name}`, () => {
      const issues = validatePrometheusOptions(c.options);
      assert.equal(issues.length, 1, JSON.stringify(issues));
      assert.equal(issues[0]!.path, c.path);
      assert.match(issues[0]!.message, c.message);
    });
  }

  test('parsePrometheusOptions throws SOURCE_CONFIG at the source option', () => {
    assert.throws(() => parsePrometheusOptions({ url: 'localhost:9090' }, 'prom'), {
      code: 'SOURCE_CONFIG',
      message: /source "prom": url: must be an http/,
    });
  });

  test('the timeout defaults to 10 s', () => {
    assert.equal(parsePrometheusOptions({ url: 'http://x' }).timeoutMs, 10_000);
  });
});
