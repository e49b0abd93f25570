// The http-probe source against a local node:http server whose delays and status codes the test
// controls per path, read through `headroom check --json` as a user would. Each test probes its
// own path (with a random part), so request counters never mix.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer as createHttpServer, type IncomingMessage, type Server } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { HttpProbeSource } from '../../src/sources/http-probe.ts';
import { runCli } from '../helpers/cli.ts';

const RUN = randomBytes(4).toString('hex');
/** Scheduling noise allowed on top of a served delay, in seconds. */
const SLACK_SECONDS = 0.04;

/** How a path answers its n-th request (1-based): status and delay in ms. */
type Behaviour = (n: number) => { status: number; delayMs: number };

const behaviours = new Map<string, Behaviour>();
const counts = new Map<string, number>();
const seen: IncomingMessage[] = [];
let connections = 0;
let server: Server;
let base = '';
let planDir = '';

before(async () => {
  planDir = await mkdtemp(join(tmpdir(), 'headroom-probe-it-'));
  server = createHttpServer((req, res) => {
    const path = (req.url ?? '').split('?')[0]!;
    const n = (counts.get(path) ?? 0) + 1;
    counts.set(path, n);
    seen.push(req);
    const { status, delayMs } = (behaviours.get(path) ?? (() => ({ status: 404, delayMs: 0 })))(n);
    setTimeout(() => {
      res.writeHead(status, { 'content-type': 'text/plain' });
      res.end(`answer ${n}`);
    }, delayMs).unref();
  });
  server.on('connection', () => (connections += 1));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await rm(planDir, { recursive: true, force: true });
});

/** Registers a behaviour under a fresh path and returns the path. */
function serve(name: string, behaviour: Behaviour): string {
  const path = `/${name}-${RUN}-${randomBytes(2).toString('hex')}`;
  behaviours.set(path, behaviour);
  return path;
}

const FIELDS = ['latency_p50', 'latency_p95', 'latency_p99', 'latency_mean', 'error_rate', 'up'];

interface CheckJson {
  sources: Record<string, { kind: string; state: string; last_error?: string }>;
  failures: Record<string, { code: string; message: string }>;
  samples: { metric: string; labels: Record<string, string>; value: number }[];
}

/** `headroom check --json --no-store` with one http-probe source reading every field. */
async function check(options: Record<string, unknown>): Promise<CheckJson> {
  const lines = [
    'version: 1',
    `name: probe-it-${RUN}`,
    'sources:',
    `  api: ${JSON.stringify({ kind: 'http-probe', ...options })}`,
    'metrics:',
    ...FIELDS.map((f) => `  ${f}: { from: api, field: ${f} }`),
    '',
  ];
  const file = join(planDir, `plan-${randomBytes(3).toString('hex')}.yaml`);
  await writeFile(file, lines.join('\n'));
  const result = await runCli(['check', '--plan', file, '--json', '--no-store']);
  try {
    return JSON.parse(result.stdout) as CheckJson;
  } catch {
    throw new Error(`no JSON (exit ${result.code}):\n${result.stdout}\n${result.stderr}`);
  }
}

function valueOf(json: CheckJson, metric: string): number {
  const sample = json.samples.find((s) => s.metric === metric);
  assert.ok(sample, `no sample ${metric}: ${JSON.stringify(json)}`);
  return sample.value;
}

/** Asserts `value` (seconds) is the served delay plus at most the slack. */
function assertLatency(value: number, servedMs: number, what: string): void {
  const served = servedMs / 1000;
  assert.ok(
    value >= served && value < served + SLACK_SECONDS,
    `${what} = ${value}, expected ${served}..${served + SLACK_SECONDS}`,
  );
}

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

describe('http-probe through headroom check --json', () => {
  test('one request in ten answering 500 is an error rate of exactly 0.1', async () => {
    const path = serve('mixed', (n) => ({ status: n % 10 === 0 ? 500 : 200, delayMs: 30 }));
    const json = await check({ url: `${base}${path}`, requests: 20 });
    assert.equal(counts.get(path), 20);
    assert.equal(valueOf(json, 'error_rate'), 0.1);
    assert.equal(valueOf(json, 'up'), 1);
    for (const f of ['latency_p50', 'latency_p95', 'latency_p99', 'latency_mean']) {
      assertLatency(valueOf(json, f), 30, f);
    }
    assert.deepEqual(json.failures, {});
  });

  test('percentiles are nearest-rank over the requests of one collect', async () => {
    // The n-th request waits 50·n ms: 50, 100, … 500 ms (steps wider than the slack).
    const path = serve('graded', (n) => ({ status: 200, delayMs: 50 * n }));
    const json = await check({ url: `${base}${path}`, requests: 10 });
    assertLatency(valueOf(json, 'latency_p50'), 250, 'p50 (5th of 10)');
    assertLatency(valueOf(json, 'latency_p95'), 500, 'p95 (10th of 10)');
    assertLatency(valueOf(json, 'latency_p99'), 500, 'p99 (10th of 10)');
    assertLatency(valueOf(json, 'latency_mean'), 275, 'mean');
    assert.equal(valueOf(json, 'error_rate'), 0);
  });

  test('latency counts only the successful requests; failures only count as errors', async () => {
    // Fast 503s and slow 200s: a latency over all requests would be far lower.
    const path = serve('slow-ok', (n) =>
      n % 2 ? { status: 503, delayMs: 0 } : { status: 200, delayMs: 120 },
    );
    const json = await check({ url: `${base}${path}`, requests: 6 });
    assert.equal(valueOf(json, 'error_rate'), 0.5);
    assertLatency(valueOf(json, 'latency_p50'), 120, 'p50 of the successes');
  });

  test('an endpoint that always fails: up 0, error rate 1, latency SOURCE_UNAVAILABLE', async () => {
    const path = serve('down', () => ({ status: 503, delayMs: 0 }));
    const json = await check({ url: `${base}${path}` });
    assert.equal(counts.get(path), 5, 'default: 5 requests per collect');
    assert.equal(valueOf(json, 'up'), 0);
    assert.equal(valueOf(json, 'error_rate'), 1);
    assert.equal(json.failures.latency_p95?.code, 'SOURCE_UNAVAILABLE');
    assert.match(
      json.failures.latency_p95!.message,
      /no request to .* succeeded \(5 sent: 5× HTTP 503\)/,
    );
    assert.equal(json.sources.api?.state, 'error');
  });

  test('expect_status decides what succeeds', async () => {
    const path = serve('gone', () => ({ status: 404, delayMs: 0 }));
    const json = await check({ url: `${base}${path}`, requests: 3, expect_status: [200, 404] });
    assert.equal(valueOf(json, 'error_rate'), 0);
    const strict = await check({ url: `${base}${path}`, requests: 3, expect_status: '2xx' });
    assert.equal(valueOf(strict, 'error_rate'), 1);
  });

  test('a dead port: up 0, error rate 1, and the latency failure names ECONNREFUSED', async () => {
    const port = await freePort();
    const json = await check({ url: `http://127.0.0.1:${port}/health`, requests: 3 });
    assert.equal(valueOf(json, 'up'), 0);
    assert.equal(valueOf(json, 'error_rate'), 1);
    assert.equal(json.failures.latency_p50?.code, 'SOURCE_UNAVAILABLE');
    assert.match(json.failures.latency_p50!.message, /3× ECONNREFUSED/);
  });

  test('a request slower than `timeout` is an error, named as a timeout', async () => {
    const path = serve('hang', () => ({ status: 200, delayMs: 2000 }));
    const json = await check({ url: `${base}${path}`, requests: 2, timeout: '200ms' });
    assert.equal(valueOf(json, 'error_rate'), 1);
    assert.match(json.failures.latency_mean!.message, /2× timeout/);
  });
});

describe('http-probe source: requests and connections', () => {
  test('requests are sent one at a time on one kept-alive connection, with method and headers', async () => {
    const path = serve('plain', () => ({ status: 204, delayMs: 0 }));
    const source = new HttpProbeSource({
      name: 'api',
      options: {
        url: `${base.replace('http://', 'http://probe:s3cret@')}${path}`,
        method: 'head',
        headers: { 'x-probe': 'headroom' },
      },
      metrics: [{ name: 'up', select: { field: 'up' } }],
      now: Date.now,
    });
    const before = connections;
    seen.length = 0;
    try {
      assert.deepEqual(
        (await source.collect(AbortSignal.timeout(5000))).map((s) => s.value),
        [1],
      );
      assert.equal(seen.length, 5);
      assert.equal(connections - before, 1, 'one connection for five requests');
      assert.ok(seen.every((r) => r.method === 'HEAD' && r.headers['x-probe'] === 'headroom'));
      const auth = `Basic ${Buffer.from('probe:s3cret').toString('base64')}`;
      assert.ok(seen.every((r) => r.headers.authorization === auth));
    } finally {
      await source.close();
    }
  });

  test('concurrency sends requests in parallel', async () => {
    const path = serve('parallel', () => ({ status: 200, delayMs: 200 }));
    const source = new HttpProbeSource({
      name: 'api',
      options: { url: `${base}${path}`, requests: 4, concurrency: 4 },
      metrics: [{ name: 'p99', select: { field: 'latency_p99' } }],
      now: Date.now,
    });
    const startedMs = performance.now();
    await source.collect(AbortSignal.timeout(5000));
    await source.close();
    assert.ok(performance.now() - startedMs < 600, 'requests ran one after another');
  });

  test('an abort during a slow request rejects within 100 ms', async () => {
    const path = serve('abort', () => ({ status: 200, delayMs: 3000 }));
    const source = new HttpProbeSource({
      name: 'api',
      options: { url: `${base}${path}` },
      metrics: [{ name: 'up', select: { field: 'up' } }],
      now: Date.now,
    });
    const controller = new AbortController();
    const collecting = source.collect(controller.signal);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const startedMs = performance.now();
    controller.abort();
    await assert.rejects(collecting, { code: 'SOURCE_UNAVAILABLE', message: /was aborted/ });
    assert.ok(performance.now() - startedMs < 100);
    await source.close();
  });

  test('messages name the URL without credentials or query string', async () => {
    const path = serve('secret', () => ({ status: 500, delayMs: 0 }));
    const source = new HttpProbeSource({
      name: 'api',
      options: { url: `${base.replace('http://', 'http://probe:s3cret@')}${path}?token=t0ken` },
      metrics: [{ name: 'p50', select: { field: 'latency_p50' } }],
      now: Date.now,
    });
    await assert.rejects(source.collect(AbortSignal.timeout(5000)), (e: unknown) => {
      const text = JSON.stringify((e as { toJSON(): unknown }).toJSON());
      assert.match(text, new RegExp(`${base}${path}`));
      assert.doesNotMatch(text, /s3cret|t0ken/);
      return true;
    });
    await source.close();
  });
});
