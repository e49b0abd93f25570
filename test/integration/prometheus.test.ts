// The prometheus source against a real Prometheus (Debian's /usr/bin/prometheus, installed by
// scripts/pretest.sh) that scrapes an exposition endpoint this test serves and controls.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { HeadroomError } from '../../src/errors.ts';
import {
  parsePrometheusOptions,
  prometheusKind,
  PrometheusSource,
  queryRange,
} from '../../src/sources/prometheus.ts';
import type { Sample } from '../../src/sources/source.ts';
import { prometheusSourceFor } from '../../src/sources/prometheus.fixture.ts';
import { sourceContract } from '../../src/sources/source.contract.ts';

const PROMETHEUS_BIN = '/usr/bin/prometheus';
const JOB = 'headroom-it';
const READY_BUDGET_MS = 30_000;

/** What the exposition endpoint serves; tests change it and wait for the next scrape. */
const served = { smsDepth: 42, emailDepth: 7, jobsTotal: 1000 };

let exposition: Server | undefined;
let prometheus: ChildProcess | undefined;
let prometheusLog = '';
let dataDir: string | undefined;
let url = '';
let instance = '';
/** Epoch ms by which Prometheus had scraped the endpoint several times. */
let readyAtMs = 0;

function expositionText(): string {
  return [
    '# HELP headroom_test_queue_depth Jobs waiting, per queue.',
    '# TYPE headroom_test_queue_depth gauge',
    `headroom_test_queue_depth{queue="sms"} ${served.smsDepth}`,
    `headroom_test_queue_depth{queue="email"} ${served.emailDepth}`,
    '# HELP headroom_test_jobs_total Jobs processed.',
    '# TYPE headroom_test_jobs_total counter',
    `headroom_test_jobs_total ${served.jobsTotal}`,
    '',
  ].join('\n');
}

async function freePort(): Promise<number> {
  const probe = createNetServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/** Polls `check` until it returns true; fails with `what` after `budgetMs`. */
async function waitFor(
  what: string,
  budgetMs: number,
  check: () => Promise<boolean>,
): Promise<void> {
  const deadline = Date.now() + budgetMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (prometheus?.exitCode !== null && prometheus?.exitCode !== undefined) {
      throw new Error(
        `prometheus exited (${prometheus.exitCode}) while waiting for ${what}:\n${prometheusLog}`,
      );
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}:\n${prometheusLog}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function instantValue(query: string): Promise<number | undefined> {
  const response = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(query)}`);
  const body = (await response.json()) as { data?: { result?: { value: [number, string] }[] } };
  const first = body.data?.result?.[0];
  return first ? Number(first.value[1]) : undefined;
}

async function startPrometheus(targetPort: number): Promise<void> {
  dataDir = await mkdtemp(join(tmpdir(), 'headroom-prom-'));
  const config = join(dataDir, 'prometheus.yml');
  await writeFile(
    config,
    [
      'global: { scrape_interval: 1s, evaluation_interval: 1s }',
      'scrape_configs:',
      `  - job_name: ${JOB}`,
      `    static_configs: [{ targets: ['127.0.0.1:${targetPort}'] }]`,
      '',
    ].join('\n'),
  );
  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  prometheus = spawn(
    PROMETHEUS_BIN,
    [
      `--config.file=${config}`,
      `--storage.tsdb.path=${join(dataDir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  prometheus.stderr!.on(
    'data',
    (chunk: Buffer) => (prometheusLog = (prometheusLog + chunk).slice(-4000)),
  );
  await waitFor(
    'Prometheus to be ready',
    READY_BUDGET_MS,
    async () => (await fetch(`${url}/-/ready`)).ok,
  );
}

async function cleanup(): Promise<void> {
  const child = prometheus;
  prometheus = undefined;
  if (child && child.exitCode === null) {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(killer);
  }
  if (exposition) {
    exposition.closeAllConnections();
    await new Promise((resolve) => exposition!.close(resolve));
    exposition = undefined;
  }
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
  dataDir = undefined;
}

// Last resort if the runner is killed between before and after: never leave Prometheus behind.
process.on('exit', () => prometheus?.kill('SIGKILL'));

before(async () => {
  try {
    exposition = createHttpServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
      res.end(expositionText());
    });
    await new Promise<void>((resolve) => exposition!.listen(0, '127.0.0.1', resolve));
    const targetPort = (exposition.address() as AddressInfo).port;
    instance = `127.0.0.1:${targetPort}`;
    await startPrometheus(targetPort);
    // Prometheus's discovery sends targets ~5 s after start. Wait for four scrapes, so that the
    // range test (2 s back) and the contract's clock (1.2 s back) find data in the past too.
    const scrapes = `count_over_time(headroom_test_queue_depth{queue="sms"}[1m])`;
    await waitFor(
      'four scrapes of the test endpoint',
      READY_BUDGET_MS,
      async () => ((await instantValue(scrapes)) ?? 0) >= 4,
    );
    readyAtMs = Date.now();
  } catch (error) {
    await cleanup();
    throw error;
  }
});

after(cleanup);

function source(
  queries: Record<string, string>,
  options: Record<string, unknown> = {},
): PrometheusSource {
  return prometheusSourceFor(url, queries, options);
}

async function collectOne(query: string): Promise<Sample[]> {
  return source({ m: query }).collect(AbortSignal.timeout(10_000));
}

async function failureOf(query: string): Promise<HeadroomError> {
  const result = await source({ m: query }).collectDetailed(AbortSignal.timeout(10_000));
  assert.equal(result.failures.length, 1, 'expected the query to fail');
  return result.failures[0]!.error;
}

sourceContract('prometheus (real server)', () => ({
  kind: prometheusKind,
  options: { url, timeout: '5s' },
  metrics: [
    { name: 'depth', select: { query: 'headroom_test_queue_depth' } },
    { name: 'jobs', select: { query: 'headroom_test_jobs_total' } },
    { name: 'total_depth', select: { query: 'scalar(sum(headroom_test_queue_depth))' } },
  ],
}));

describe('prometheus source against a real Prometheus', () => {
  test('an instant query returns the served gauge, one sample per series, with its labels', async () => {
    const samples = await collectOne('headroom_test_queue_depth');
    const byQueue = Object.fromEntries(samples.map((s) => [s.labels.queue, s]));
    assert.equal(samples.length, 2);
    assert.equal(byQueue.sms?.value, served.smsDepth);
    assert.equal(byQueue.email?.value, served.emailDepth);
    assert.deepEqual(byQueue.sms?.labels, { queue: 'sms', job: JOB, instance });
  });

  test('a counter is read as served, and a new value after the next scrape', async () => {
    assert.equal((await collectOne('headroom_test_jobs_total'))[0]?.value, served.jobsTotal);
    served.jobsTotal = 1600;
    await waitFor(
      'the new counter value',
      10_000,
      async () => (await collectOne('headroom_test_jobs_total'))[0]?.value === 1600,
    );
  });

  test('a scalar query gives one unlabelled sample', async () => {
    const samples = await collectOne('scalar(sum(headroom_test_queue_depth))');
    assert.deepEqual(
      samples.map((s) => [s.labels, s.value]),
      [[{}, served.smsDepth + served.emailDepth]],
    );
  });

  test('a range query returns the scraped points, one per step', async () => {
    const conn = parsePrometheusOptions({ url });
    const endMs = readyAtMs;
    const startMs = endMs - 2000;
    const series = await queryRange(
      conn,
      { query: 'headroom_test_queue_depth{queue="email"}', startMs, endMs, stepMs: 1000 },
      AbortSignal.timeout(10_000),
    );
    assert.equal(series.length, 1);
    assert.deepEqual(series[0]!.labels, { queue: 'email', job: JOB, instance });
    assert.deepEqual(
      series[0]!.points.map((p) => [p.at - startMs, p.value]),
      [
        [0, served.emailDepth],
        [1000, served.emailDepth],
        [2000, served.emailDepth],
      ],
    );
  });

  test("bad PromQL is SOURCE_BAD_VALUE with the query and Prometheus's message", async () => {
    const error = await failureOf('sum(headroom_test_queue_depth');
    assert.equal(error.code, 'SOURCE_BAD_VALUE');
    assert.match(
      error.message,
      /query "sum\(headroom_test_queue_depth" \(metric "m"\): bad_data: .*parse error/,
    );
    assert.equal(error.location.path, 'metrics.m.query');
  });

  test('a range selector where a number is expected is SOURCE_BAD_VALUE', async () => {
    const error = await failureOf('headroom_test_queue_depth[1m]');
    assert.equal(error.code, 'SOURCE_BAD_VALUE');
    assert.match(error.message, /range vector/);
  });

  test('NaN (0/0) is SOURCE_BAD_VALUE naming the query, never a 0', async () => {
    const error = await failureOf('vector(0) / 0');
    assert.equal(error.code, 'SOURCE_BAD_VALUE');
    assert.match(error.message, /query "vector\(0\) \/ 0" \(metric "m"\) returned NaN/);
  });

  test('a series that does not exist is SOURCE_BAD_VALUE, never a 0', async () => {
    const error = await failureOf('headroom_test_no_such_metric');
    assert.equal(error.code, 'SOURCE_BAD_VALUE');
    assert.match(error.message, /returned no series/);
  });

  test('a bad query does not hide the good ones', async () => {
    const s = source({ depth: 'headroom_test_queue_depth', broken: 'sum(' });
    const samples = await s.collect(AbortSignal.timeout(10_000));
    assert.deepEqual([...new Set(samples.map((x) => x.metric))], ['depth']);
    assert.equal(s.health().state, 'error');
    assert.match(s.health().lastError ?? '', /broken/);
  });

  test('a dead Prometheus port is SOURCE_UNAVAILABLE naming the URL, within a second', async () => {
    const deadUrl = `http://127.0.0.1:${await freePort()}`;
    const startedMs = performance.now();
    await assert.rejects(
      source({ m: 'up' }, { url: deadUrl }).collect(AbortSignal.timeout(10_000)),
      (e: unknown) => {
        assert.ok(e instanceof HeadroomError);
        assert.equal(e.code, 'SOURCE_UNAVAILABLE');
        assert.match(e.message, new RegExp(`Prometheus at ${deadUrl} cannot be reached`));
        return true;
      },
    );
    assert.ok(performance.now() - startedMs < 1000);
  });
});
