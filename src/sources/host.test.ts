import assert from 'node:assert/strict';
import { statfs } from 'node:fs/promises';
import os from 'node:os';
import { describe, test } from 'node:test';
import { HeadroomError } from '../errors.ts';
import { HOST_FIELDS, hostKind, HostSource } from './host.ts';
import { createSource } from './index.ts';
import type { MetricRequest, Sample } from './source.ts';
import { sourceContract } from './source.contract.ts';

const CLOCK_MS = 1_700_000_000_000;

function hostSource(metrics: MetricRequest[], options: Record<string, unknown> = {}): HostSource {
  return new HostSource({ name: 'me', options, metrics, now: () => CLOCK_MS });
}

function field(name: string, extra: Record<string, unknown> = {}): MetricRequest {
  return { name, select: { field: name, ...extra } };
}

function valueOf(samples: Sample[], metric: string): number {
  const sample = samples.find((s) => s.metric === metric);
  assert.ok(sample, `no sample for ${metric}`);
  return sample.value;
}

sourceContract('host', () => ({
  kind: hostKind,
  options: {},
  metrics: Object.keys(HOST_FIELDS).map((name) => field(name)),
}));

describe('host source: values', () => {
  test('cpu_utilization is a ratio between 0 and 1 on the first collect', async () => {
    const samples = await hostSource([field('cpu_utilization')]).collect(AbortSignal.timeout(5000));
    const cpu = valueOf(samples, 'cpu_utilization');
    assert.ok(cpu >= 0 && cpu <= 1, `cpu = ${cpu}`);
  });

  test('cpu_utilization after the first collect measures since then, without waiting', async () => {
    const source = hostSource([field('cpu_utilization')]);
    await source.collect(AbortSignal.timeout(5000));
    await new Promise((resolve) => setTimeout(resolve, 150));
    const startedMs = performance.now();
    const cpu = valueOf(await source.collect(AbortSignal.timeout(5000)), 'cpu_utilization');
    assert.ok(performance.now() - startedMs < 100, 'second collect waited for a new window');
    assert.ok(cpu >= 0 && cpu <= 1, `cpu = ${cpu}`);
  });

  test('memory: used + utilization agree with the total, which is os.totalmem()', async () => {
    const samples = await hostSource([
      field('memory_used_bytes'),
      field('memory_total_bytes'),
      field('memory_utilization'),
    ]).collect(AbortSignal.timeout(5000));
    const usedBytes = valueOf(samples, 'memory_used_bytes');
    const totalBytes = valueOf(samples, 'memory_total_bytes');
    assert.equal(totalBytes, os.totalmem());
    assert.ok(usedBytes > 0 && usedBytes <= totalBytes);
    // Two reads of /proc/meminfo a few µs apart: allow 1 % of drift between them.
    assert.ok(Math.abs(valueOf(samples, 'memory_utilization') - usedBytes / totalBytes) < 0.01);
  });

  test('cpus, load averages and load_per_cpu match node:os', async () => {
    const samples = await hostSource(
      ['cpus', 'load1', 'load5', 'load15', 'load_per_cpu'].map((n) => field(n)),
    ).collect(AbortSignal.timeout(5000));
    assert.equal(valueOf(samples, 'cpus'), os.cpus().length);
    for (const load of ['load1', 'load5', 'load15']) assert.ok(valueOf(samples, load) >= 0);
    const perCpu = valueOf(samples, 'load1') / os.cpus().length;
    assert.ok(Math.abs(valueOf(samples, 'load_per_cpu') - perCpu) < 0.5);
  });

  test('disk fields of / match statfs and carry the path label', async () => {
    const metrics = ['disk_used_bytes', 'disk_total_bytes', 'disk_utilization'].map((n) =>
      field(n),
    );
    const samples = await hostSource(metrics).collect(AbortSignal.timeout(5000));
    const stats = await statfs('/');
    assert.equal(valueOf(samples, 'disk_total_bytes'), stats.blocks * stats.bsize);
    const utilization = valueOf(samples, 'disk_utilization');
    assert.ok(utilization >= 0 && utilization <= 1, `disk = ${utilization}`);
    for (const s of samples) assert.deepEqual(s.labels, { path: '/' });
  });

  test('disk fields read the filesystem of the given path', async () => {
    const dir = os.tmpdir();
    const samples = await hostSource([field('disk_total_bytes', { path: dir })]).collect(
      AbortSignal.timeout(5000),
    );
    const stats = await statfs(dir);
    assert.equal(valueOf(samples, 'disk_total_bytes'), stats.blocks * stats.bsize);
    assert.deepEqual(samples[0]!.labels, { path: dir });
  });

  test('uptime_seconds is the machine uptime', async () => {
    const samples = await hostSource([field('uptime_seconds')]).collect(AbortSignal.timeout(5000));
    assert.ok(Math.abs(valueOf(samples, 'uptime_seconds') - os.uptime()) < 5);
  });
});

describe('host source: failures', () => {
  test('a missing disk path fails that metric only; the others are still returned', async () => {
    const source = hostSource([field('cpus'), field('disk_used_bytes', { path: '/no/such/dir' })]);
    const result = await source.collectDetailed(AbortSignal.timeout(5000));
    assert.deepEqual(
      result.samples.map((s) => s.metric),
      ['cpus'],
    );
    assert.equal(result.failures.length, 1);
    assert.equal(result.failures[0]!.metric, 'disk_used_bytes');
    assert.equal(result.failures[0]!.error.code, 'SOURCE_CONFIG');
    assert.match(result.failures[0]!.error.message, /\/no\/such\/dir/);
    assert.equal(result.failures[0]!.error.location.path, 'metrics.disk_used_bytes.path');
    const health = source.health();
    assert.equal(health.state, 'error');
    assert.match(health.lastError ?? '', /disk_used_bytes/);
    assert.equal(health.lastSuccessAt, undefined);
    assert.deepEqual(
      (await source.collect(AbortSignal.timeout(5000))).map((s) => s.metric),
      ['cpus'],
    );
  });

  test('collect rejects when every metric fails', async () => {
    const source = hostSource([field('disk_used_bytes', { path: '/no/such/dir' })]);
    await assert.rejects(source.collect(AbortSignal.timeout(5000)), { code: 'SOURCE_CONFIG' });
  });

  test('an abort during the first CPU window rejects within 100 ms as SOURCE_UNAVAILABLE', async () => {
    const source = hostSource([field('cpu_utilization')]);
    const controller = new AbortController();
    const collecting = source.collect(controller.signal);
    setTimeout(() => controller.abort(), 20);
    const startedMs = performance.now();
    await assert.rejects(collecting, { code: 'SOURCE_UNAVAILABLE' });
    assert.ok(performance.now() - startedMs < 120);
    assert.equal(source.health().state, 'error');
  });
});

describe('host source: configuration', () => {
  const cases: { name: string; select: Record<string, unknown>; path: string; message: RegExp }[] =
    [
      {
        name: 'unknown field lists the valid ones and suggests the closest',
        select: { field: 'cpu_util' },
        path: 'field',
        message:
          /unknown host field "cpu_util" \(did you mean "cpu_utilization"\?\); valid fields: cpu_utilization, cpus, .*uptime_seconds/,
      },
      { name: 'missing field', select: {}, path: 'field', message: /field: cpu_utilization/ },
      {
        name: 'path on a non-disk field',
        select: { field: 'load1', path: '/' },
        path: 'path',
        message: /only to disk fields/,
      },
      {
        name: 'unknown selector option',
        select: { field: 'cpus', stream: 'x' },
        path: 'stream',
        message: /unknown option "stream"/,
      },
    ];
  for (const c of cases) {
    test(`validate: ${c.name}`, () => {
      const issues = hostKind.validate({}, c.select);
      assert.equal(issues.length, 1, JSON.stringify(issues));
      assert.equal(issues[0]!.path, c.path);
      assert.match(issues[0]!.message, c.message);
    });
  }

  test('validate: the host source takes no options', () => {
    const issues = hostKind.validate({ url: 'http://x' });
    assert.deepEqual(
      issues.map((i) => i.path),
      ['url'],
    );
  });

  test('creating a source with an unknown field throws SOURCE_CONFIG at the metric', () => {
    assert.throws(
      () =>
        createSource('host', {
          name: 'me',
          options: {},
          metrics: [field('cpu_usage')],
          now: Date.now,
        }),
      (e: unknown) =>
        e instanceof HeadroomError &&
        e.code === 'SOURCE_CONFIG' &&
        e.location.path === 'metrics.cpu_usage.field' &&
        /valid fields/.test(e.message),
    );
  });
});
