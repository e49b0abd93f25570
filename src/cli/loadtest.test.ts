import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { HeadroomError } from '../errors.ts';
import type { LoadTestReport } from '../loadtest/types.ts';
import { HEADROOM_BIN, runCli } from '../../test/helpers/cli.ts';
import { exitCodeFor } from './loadtest.ts';
import {
  parseMode,
  parseRateOption,
  parseStages,
  parseThresholds,
  type LoadtestCliOptions,
} from './loadtest-options.ts';

let server: Server;
let url: string;
let hits = 0;

before(async () => {
  server = createServer((req, res) => {
    hits++;
    res.end(req.url === '/fail' ? '' : 'ok');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
});

after(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

const base: LoadtestCliOptions = { method: 'GET', header: [], timeout: '60s', threshold: [] };

function configError(fn: () => unknown, mentions: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof HeadroomError);
    assert.equal(err.code, 'LOADTEST_CONFIG');
    assert.match(err.message, mentions);
    assert.ok(err.hint, 'says what to do');
    return true;
  });
}

describe('loadtest options', () => {
  it('parses rates per second, per minute and bare', () => {
    assert.equal(parseRateOption('200/s', '--rate', false), 200);
    assert.equal(parseRateOption('200', '--rate', false), 200);
    assert.equal(parseRateOption('12000/min', '--rate', false), 200);
    assert.equal(parseRateOption('0', '--rate', true), 0);
    configError(() => parseRateOption('0', '--rate', false), /--rate "0"/);
    configError(() => parseRateOption('fast', '--rate', false), /--rate "fast" is not a rate/);
    configError(() => parseRateOption('10/fortnight', '--rate', false), /--rate/);
  });

  it('parses --stages as duration:target pairs, naming the bad item', () => {
    assert.deepEqual(parseStages('30s:100, 1m:100/s,30s:0', 'rate'), [
      { durationMs: 30_000, target: 100 },
      { durationMs: 60_000, target: 100 },
      { durationMs: 30_000, target: 0 },
    ]);
    configError(() => parseStages('30s:100,oops', 'rate'), /--stages item 2 "oops"/);
    configError(() => parseStages('30s:2.5', 'vus'), /--stages item 1/);
  });

  it('chooses the executor from the flags, as k6 names them', () => {
    const cases: [Partial<LoadtestCliOptions>, string][] = [
      [{ rate: '100/s', duration: '10s' }, 'constant-arrival-rate'],
      [{ rate: '0', stages: '10s:100' }, 'ramping-arrival-rate'],
      [{ vus: '5', duration: '10s' }, 'constant-vus'],
      [{ vus: '0', stages: '10s:5,10s:0' }, 'ramping-vus'],
    ];
    for (const [o, executor] of cases) {
      const mode = parseMode({ ...base, ...o });
      assert.equal('executor' in mode && mode.executor, executor, JSON.stringify(o));
    }
    const bp = parseMode({ ...base, breakpoint: true, maxRate: '500/s' });
    assert.ok('breakpoint' in bp);
    assert.deepEqual(
      { ...bp.breakpoint },
      {
        startRate: 10,
        maxRate: 500,
        stepMs: 10_000,
        growth: 1.5,
        resolution: 0.05,
        maxDurationMs: 600_000,
        maxVUs: 500,
      },
    );
  });

  it('defaults maxVUs to a second of latency at the peak rate, 100 at least', () => {
    const mode = parseMode({ ...base, rate: '50/s', stages: '10s:2000' });
    assert.equal('maxVUs' in mode && mode.maxVUs, 2000);
    const low = parseMode({ ...base, rate: '5/s', duration: '1s' });
    assert.equal('maxVUs' in low && low.maxVUs, 100);
  });

  it('refuses contradictory or incomplete flags with the option named', () => {
    configError(
      () => parseMode({ ...base, rate: '1', vus: '1', duration: '1s' }),
      /--rate .* --vus/,
    );
    configError(() => parseMode({ ...base, rate: '1' }), /--rate needs --duration/);
    configError(
      () => parseMode({ ...base, rate: '1', duration: '1s', stages: '1s:1' }),
      /drop --duration/,
    );
    configError(() => parseMode({ ...base }), /needs --rate, --vus or --breakpoint/);
    configError(() => parseMode({ ...base, breakpoint: true, rate: '5' }), /drop --rate/);
    configError(
      () => parseMode({ ...base, rate: '1', duration: '1s', growth: '2' }),
      /--growth applies to --breakpoint/,
    );
    configError(
      () => parseMode({ ...base, breakpoint: true, growth: '1' }),
      /--growth 1 must be above 1/,
    );
    configError(() => parseMode({ ...base, vus: '2', duration: '1s', maxVus: '3' }), /--max-vus/);
    configError(() => parseMode({ ...base, rate: '1', duration: 'soon' }), /--duration "soon"/);
  });

  it('applies --abort-on-fail and --delay-abort-eval to every threshold', () => {
    const [t] = parseThresholds({
      ...base,
      threshold: ['http_req_duration: p(95)<300'],
      abortOnFail: true,
      delayAbortEval: '10s',
    });
    assert.equal(t!.abortOnFail, true);
    assert.equal(t!.delayAbortEvalMs, 10_000);
    configError(
      () => parseThresholds({ ...base, delayAbortEval: '10s' }),
      /--delay-abort-eval needs --abort-on-fail/,
    );
  });

  it('exit codes are k6’s: 0 held, 99 failed, 105 interrupted', () => {
    const r = { ok: true, interrupted: false } as LoadTestReport;
    assert.equal(exitCodeFor(r), 0);
    assert.equal(exitCodeFor({ ...r, ok: false }), 99);
    assert.equal(exitCodeFor({ ...r, ok: false, interrupted: true }), 105);
  });
});

describe('headroom loadtest --url', () => {
  it('--rate --duration --json: one JSON report, exit 0 when the thresholds hold', async () => {
    const r = await runCli([
      'loadtest',
      '--url',
      url,
      '--rate',
      '50/s',
      '--duration',
      '1s',
      '--threshold',
      'http_req_failed: rate<0.01',
      '--json',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout) as LoadTestReport;
    assert.equal(report.executor, 'constant-arrival-rate');
    assert.equal(report.requests, 50);
    assert.equal(report.scenario, 'cli');
    assert.deepEqual(
      report.thresholds.map((t) => t.ok),
      [true],
    );
    // Seconds, not ms: a local request takes well under one (even on a busy CI machine).
    assert.ok(report.latency.p95 < 1 && report.latency.p95 > 0, `p95 ${report.latency.p95} s`);
  });

  it('a failed threshold exits 99 and the summary marks it ✗', async () => {
    const r = await runCli([
      'loadtest',
      '--url',
      url,
      '--vus',
      '2',
      '--duration',
      '1s',
      '--threshold',
      'http_req_duration: p(95)<0.001',
      '--quiet',
    ]);
    assert.equal(r.code, 99, r.stderr);
    assert.match(r.stdout, /✗ http_req_duration: p\(95\)<0\.001/);
    assert.match(r.stdout, /http_reqs\.+: [\d,]+ {2}[\d.]+\/s/);
    assert.equal(r.stderr, '', 'quiet: no live line');
  });

  it('refuses a target outside this machine with LOADTEST_REMOTE (exit 3), sending nothing', async () => {
    const r = await runCli([
      'loadtest',
      '--url',
      'http://10.255.255.1:9/',
      '--rate',
      '1',
      '--duration',
      '1s',
    ]);
    assert.equal(r.code, 3);
    assert.match(r.stderr, /LOADTEST_REMOTE.*10\.255\.255\.1/);
    assert.match(r.stderr, /--allow-remote/);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  });

  it('every usage mistake exits 3: a bad value names its option, an unknown option too', async () => {
    const bad = await runCli(['loadtest', '--url', url, '--rate', 'lots', '--duration', '1s']);
    assert.equal(bad.code, 3);
    assert.match(bad.stderr, /LOADTEST_CONFIG: --rate "lots" is not a rate/);
    const unknown = await runCli(['loadtest', '--url', url, '--rats', '5']);
    assert.equal(unknown.code, 3);
    assert.match(unknown.stderr, /--rats/);
    const threshold = await runCli([
      'loadtest',
      '--url',
      url,
      '--rate',
      '1',
      '--duration',
      '1s',
      '--threshold',
      'latency<3',
    ]);
    assert.equal(threshold.code, 3);
    assert.match(threshold.stderr, /LOADTEST_CONFIG/);
    const other = await runCli(['validate', '--rats']);
    assert.equal(other.code, 64, 'other commands keep exit 64 for usage errors');
  });

  it('Ctrl-C stops the test cleanly: the partial report, exit 105', async () => {
    const before = hits;
    const child = spawn(
      process.execPath,
      [HEADROOM_BIN, 'loadtest', '--url', url, '--rate', '20/s', '--duration', '1m', '--json'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, NO_COLOR: '1' },
      },
    );
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    const waitFor = async (): Promise<void> => {
      while (hits - before < 10) await new Promise((r) => setTimeout(r, 50));
    };
    await waitFor();
    child.kill('SIGINT');
    const code = await new Promise<number | null>((r) => child.on('close', r));
    assert.equal(code, 105);
    const report = JSON.parse(stdout) as LoadTestReport;
    assert.equal(report.interrupted, true);
    assert.ok(report.requests >= 10 && report.duration_s < 30);
  });
});
