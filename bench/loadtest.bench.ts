/**
 * The load generator, through the real CLI (`headroom loadtest --json`), against a canned
 * keep-alive HTTP endpoint (a `node:net` server in its own process, so the server is never the
 * bottleneck), with the baselines in the same run:
 *
 * - Rate accuracy: achieved / offered rate at 100, 1,000 and 5,000 req/s (open loop). Goal ±1 %.
 * - Generator ceiling: closed loop, 50 connections, headroom's req/s (the runner and HTTP target
 *   the CLI uses, in one long-lived process) against autocannon's with the same connections on
 *   the same endpoint: the medians of five alternating 2-s rounds, as a shared two-core machine
 *   swings either by ±50 % from one second to the next. Goal ≥ 0.9×.
 * - Measurement overhead: p50 with one VU against `wrk -t1 -c1 --latency` (Debian's wrk; `npm run
 *   prebench` installs it). Goal < 0.2 ms added.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type autocannon from 'autocannon';
import type { LoadTestReport } from '../src/loadtest/types.ts';
import { renderTable, type BenchRow } from './table.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
const BIN = join(HERE, '..', 'bin', 'headroom.js');
const AUTOCANNON = join(HERE, '..', 'node_modules', 'autocannon', 'autocannon.js');
const CONNECTIONS = 50;
const CEILING_S = 2;
const CEILING_ROUNDS = 5;
const OVERHEAD_S = 4;
const RATES: [number, number][] = [
  [100, 6],
  [1000, 4],
  [5000, 4],
];

/** A keep-alive server that answers every request with the same 2-byte response. */
const SERVER_SOURCE = `
const net = require('node:net');
const RESPONSE = Buffer.from('HTTP/1.1 200 OK\\r\\nContent-Length: 2\\r\\nContent-Type: text/plain\\r\\nConnection: keep-alive\\r\\n\\r\\nok');
const server = net.createServer((socket) => {
  socket.setNoDelay(true);
  let pending = '';
  socket.on('data', (chunk) => {
    pending += chunk.toString('latin1');
    let n = 0;
    for (let i = pending.indexOf('\\r\\n\\r\\n'); i !== -1; i = pending.indexOf('\\r\\n\\r\\n')) {
      pending = pending.slice(i + 4);
      n++;
    }
    if (n > 0) socket.write(n === 1 ? RESPONSE : Buffer.concat(Array(n).fill(RESPONSE)));
  });
  socket.on('error', () => {});
});
server.listen(0, '127.0.0.1', () => process.stdout.write(server.address().port + '\\n'));
`;

async function startServer(): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['-e', SERVER_SOURCE], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.stdout!.once('data', (d: Buffer) => resolve(Number(d.toString().trim())));
  });
  return { url: `http://127.0.0.1:${port}/`, child };
}

function collect(child: ChildProcess): Promise<string> {
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((resolve) => child.on('close', () => resolve(out)));
}

/** `headroom loadtest --url … <args> --json --quiet`, in its own process. */
async function headroom(url: string, args: string[]): Promise<LoadTestReport> {
  const child = spawn(
    process.execPath,
    [BIN, 'loadtest', '--url', url, ...args, '--json', '--quiet'],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  return JSON.parse(await collect(child)) as LoadTestReport;
}

async function autocannonRps(url: string, seconds: number): Promise<number> {
  const child = spawn(
    process.execPath,
    [AUTOCANNON, '--json', '-c', String(CONNECTIONS), '-d', String(seconds), url],
    {
      stdio: ['ignore', 'pipe', 'ignore'],
    },
  );
  const r = JSON.parse(await collect(child)) as autocannon.Result;
  return r.requests.total / (r.duration || seconds);
}

/** wrk's p50 in ms, or why it did not run. */
function wrkP50(
  url: string,
  seconds: number,
): { ok: true; ms: number } | { ok: false; reason: string } {
  const r = spawnSync('wrk', ['-t1', '-c1', `-d${seconds}s`, '--latency', url], {
    encoding: 'utf8',
  });
  if (r.error || r.status !== 0)
    return { ok: false, reason: 'wrk missing (npm run prebench, or apt-get install wrk)' };
  const m = /^\s*50%\s+([\d.]+)(us|ms|s)\s*$/m.exec(r.stdout);
  if (!m) return { ok: false, reason: `wrk printed no p50: ${r.stdout.slice(0, 200)}` };
  const scale = { us: 0.001, ms: 1, s: 1000 }[m[2] as 'us' | 'ms' | 's'];
  return { ok: true, ms: Number(m[1]) * scale };
}

async function rateRows(url: string): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  for (const [rate, seconds] of RATES) {
    const report = await headroom(url, ['--rate', `${rate}/s`, '--duration', `${seconds}s`]);
    const ratio = report.rate / rate;
    console.error(
      `  ${rate}/s: ${report.requests} requests in ${report.duration_s.toFixed(3)} s, dropped ${report.dropped_iterations}`,
    );
    rows.push({
      name: `rate accuracy at ${rate.toLocaleString('en-US')}/s, ${seconds} s (baseline: the offered rate)`,
      value: report.rate,
      baseline: rate,
      unit: 'req/s',
      goal: { text: 'within 1 %', met: Math.abs(ratio - 1) <= 0.01 && report.failed_rate === 0 },
    });
  }
  return rows;
}

/**
 * headroom's closed loop in one long-lived process (`runExecutor` + `HttpTarget`, as the CLI runs
 * them), one round per line on stdin, so rounds interleave with autocannon's without paying the
 * CLI's start-up each time.
 */
function ceilingDriver(url: string): { round: () => Promise<number>; close: () => void } {
  const src = (file: string): string =>
    JSON.stringify(pathToFileURL(join(HERE, '..', 'src', file)).href);
  const source = `
    import { createInterface } from 'node:readline';
    const { runExecutor } = await import(${src('loadtest/runner.ts')});
    const { HttpTarget } = await import(${src('loadtest/http-target.ts')});
    const url = ${JSON.stringify(url)};
    const spec = { name: url, url, method: 'GET', headers: {}, weight: 1, expectStatus: (s) => s < 400, timeoutMs: 60000 };
    for await (const _ of createInterface({ input: process.stdin })) {
      const target = new HttpTarget([spec], { connections: ${CONNECTIONS} });
      const report = await runExecutor({ executor: 'constant-vus', vus: ${CONNECTIONS}, durationMs: ${CEILING_S * 1000} }, target, { thresholds: [] });
      await target.close();
      process.stdout.write(report.rate + '\\n');
    }`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', source], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  return {
    round: async () => {
      child.stdin!.write('go\n');
      return Number((await lines.next()).value);
    },
    close: () => child.kill(),
  };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function ceilingRow(url: string): Promise<BenchRow> {
  const driver = ceilingDriver(url);
  try {
    await autocannonRps(url, 1); // warm-up of the server
    await driver.round(); // warm-up of headroom's JIT
    const ours: number[] = [];
    const theirs: number[] = [];
    for (let round = 0; round < CEILING_ROUNDS; round++) {
      ours.push(await driver.round());
      theirs.push(await autocannonRps(url, CEILING_S));
    }
    console.error(
      `  ceiling rounds: headroom ${ours.map(Math.round).join(', ')}; autocannon ${theirs.map(Math.round).join(', ')}`,
    );
    return {
      name: `generator ceiling, closed loop, ${CONNECTIONS} connections, median of ${CEILING_ROUNDS} alternating ${CEILING_S} s rounds (baseline: autocannon)`,
      value: median(ours),
      baseline: median(theirs),
      unit: 'req/s',
      goal: { text: '≥ 0.9× autocannon', met: median(ours) >= 0.9 * median(theirs) },
    };
  } finally {
    driver.close();
  }
}

async function overheadRow(url: string): Promise<BenchRow> {
  const report = await headroom(url, ['--vus', '1', '--duration', `${OVERHEAD_S}s`]);
  const ours = report.latency.p50 * 1000;
  const wrk = wrkP50(url, OVERHEAD_S);
  if (!wrk.ok) {
    console.error(`  wrk: ${wrk.reason}`);
    return { name: `p50, 1 VU — wrk not run: ${wrk.reason}`, value: ours, baseline: 0, unit: 'ms' };
  }
  const added = ours - wrk.ms;
  return {
    name: `p50 latency, 1 connection, ${OVERHEAD_S} s (baseline: wrk -t1 -c1 --latency); added ${added.toFixed(3)} ms`,
    value: ours,
    baseline: wrk.ms,
    unit: 'ms',
    goal: { text: '< 0.2 ms added', met: added < 0.2 },
  };
}

/** Runs the three measurements against one server process; renders the table. */
export async function run(): Promise<string> {
  const { url, child } = await startServer();
  try {
    const rows = [...(await rateRows(url)), await ceilingRow(url), await overheadRow(url)];
    return renderTable('loadtest: the load generator against a canned local endpoint', rows);
  } finally {
    child.kill();
  }
}
