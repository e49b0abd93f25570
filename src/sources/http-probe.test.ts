// Unit tests of the http-probe source: percentiles, status matching, validation, and the Source
// contract against a local HTTP server. Timings and error rates through `headroom check --json`
// are in test/integration/http-probe.test.ts.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { HeadroomError } from '../errors.ts';
import { expectedStatus, HTTP_PROBE_FIELDS, httpProbeKind, nearestRank } from './http-probe.ts';
import { createSource } from './index.ts';
import { sourceContract } from './source.contract.ts';

let server: Server;
let url = '';
before(async () => {
  server = createServer((req, res) => {
    // A slow answer lets the contract's abort tests catch a collect in flight.
    setTimeout(() => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('ok');
    }, 20).unref();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/health`;
});
after(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

sourceContract('http-probe (local server)', () => ({
  kind: httpProbeKind,
  options: { url, requests: 3 },
  metrics: Object.keys(HTTP_PROBE_FIELDS).map((field) => ({ name: field, select: { field } })),
}));

describe('http-probe: nearest-rank percentiles', () => {
  const cases: [string, number[], number, number][] = [
    ['median of 10 is the 5th', [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 50, 5],
    ['p95 of 10 is the 10th', [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 95, 10],
    ['p90 of 10 is the 9th', [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90, 9],
    ['p95 of 20 is the 19th', Array.from({ length: 20 }, (_, i) => i + 1), 95, 19],
    ['p99 of 5 is the slowest', [0.1, 0.2, 0.3, 0.4, 0.5], 99, 0.5],
    ['p50 of 5 is the 3rd', [0.1, 0.2, 0.3, 0.4, 0.5], 50, 0.3],
    ['any percentile of one value is that value', [0.42], 50, 0.42],
    ['p100 is the maximum', [1, 2, 3], 100, 3],
  ];
  for (const [name, sorted, p, expected] of cases) {
    test(name, () => assert.equal(nearestRank(sorted, p), expected));
  }
  test('no values is NaN, never 0', () => assert.ok(Number.isNaN(nearestRank([], 50))));
});

describe('http-probe: expect_status', () => {
  const cases: [string, Parameters<typeof expectedStatus>[0], number[], number[]][] = [
    ['default: 2xx and 3xx', undefined, [200, 204, 301, 399], [199, 400, 404, 500]],
    ['a class', '2xx', [200, 299], [301, 404]],
    ['a single status', 204, [204], [200, 205]],
    ['a range', '500-503', [500, 503], [499, 504]],
    ['a list of forms', [200, '404', '5xx'], [200, 404, 599], [201, 403]],
  ];
  for (const [name, spec, allowed, refused] of cases) {
    test(name, () => {
      const ok = expectedStatus(spec);
      for (const s of allowed) assert.equal(ok(s), true, `${s} should be allowed`);
      for (const s of refused) assert.equal(ok(s), false, `${s} should be refused`);
    });
  }
});

describe('http-probe: configuration', () => {
  const base = { url: 'http://127.0.0.1:8080/health' };
  const paths = (options: Record<string, unknown>, select?: Record<string, unknown>) =>
    httpProbeKind.validate({ ...base, ...options }, select).map((i) => i.path);

  test('every option in its documented form is accepted', () => {
    const options = {
      method: 'head',
      headers: { Authorization: 'Bearer x' },
      requests: 20,
      concurrency: 4,
      timeout: '2s',
      expect_status: ['2xx', 404],
    };
    assert.deepEqual(paths(options, { field: 'latency_p95' }), []);
  });

  const bad: [string, Record<string, unknown>, string][] = [
    ['a url that is not http', { url: 'ftp://x/' }, 'url'],
    ['an unknown method', { method: 'FETCH' }, 'method'],
    ['zero requests', { requests: 0 }, 'requests'],
    ['a fractional number of requests', { requests: 2.5 }, 'requests'],
    ['requests as text', { requests: '5' }, 'requests'],
    ['a bad status class', { expect_status: '2xz' }, 'expect_status'],
    ['a bad timeout', { timeout: 'fast' }, 'timeout'],
    ['an unknown option', { retries: 3 }, 'retries'],
  ];
  for (const [name, options, path] of bad) {
    test(`flags ${name} at \`${path}\``, () => {
      assert.equal(paths(options)[0]?.split('.')[0], path);
    });
  }

  test('an unknown field is named with a guess', () => {
    const [issue] = httpProbeKind.validate(base, { field: 'latency_p90' });
    assert.equal(issue?.path, 'field');
    assert.match(issue?.message ?? '', /unknown http-probe field "latency_p90" \(did you mean/);
  });

  test('createSource with a bad option throws SOURCE_CONFIG at the option', () => {
    assert.throws(
      () =>
        createSource('http-probe', {
          name: 'api',
          options: { ...base, requests: -1 },
          metrics: [{ name: 'up', select: { field: 'up' } }],
          now: Date.now,
        }),
      (e: unknown) =>
        e instanceof HeadroomError &&
        e.code === 'SOURCE_CONFIG' &&
        e.location.path === 'sources.api.requests',
    );
  });
});
