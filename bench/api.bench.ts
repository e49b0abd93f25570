/**
 * The serve API under load: `GET /api/status` of a plan with 1,000 components and 1,000
 * triggers, driven by autocannon with 200 connections, against a bare fastify route returning
 * the same JSON document in the same process and the same run. Then a soak of `headroom demo`
 * (10 minutes; `HEADROOM_SOAK_SECONDS` shortens it): its memory after the warm-up minute
 * against its memory at the end.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type autocannon from 'autocannon';
import Fastify from 'fastify';
import { parsePlan } from '../src/plan/load.ts';
import { ServeLoop } from '../src/runtime/serve-loop.ts';
import { buildApp } from '../src/server/app.ts';
import { openSqliteStore } from '../src/store/sqlite.ts';
import { renderTable, type BenchRow } from './table.ts';

const AUTOCANNON = fileURLToPath(
  new URL('../node_modules/autocannon/autocannon.js', import.meta.url),
);
const COMPONENTS = 1000;
const CONNECTIONS = 200;
const DURATION_S = 10;

/** A plan with `n` components, each with a resource, a load model and a two-level trigger. */
function largePlan(n: number): string {
  const lines = [
    'version: 1',
    `name: bench-${n}`,
    'interval: 15s',
    'drivers:',
    '  users: { value: 1000, growth: 5/week }',
    'components:',
  ];
  for (let i = 0; i < n; i++)
    lines.push(
      `  c${i}: { capacity: { connections: ${100 + i} conn }, model: { connections: "users * ${(0.01 + i * 0.0001).toFixed(4)} conn" } }`,
    );
  lines.push('triggers:');
  for (let i = 0; i < n; i++)
    lines.push(
      `  - { name: t${i}, expr: c${i}.connections.utilization, warning: { when: "> 70%" }, critical: { when: "> 90%" } }`,
    );
  return `${lines.join('\n')}\n`;
}

interface Load {
  p50: number;
  p99: number;
  rps: number;
  errors: number;
}

/** Drives `url` from autocannon in its own process, so the load does not share our event loop. */
async function load(url: string, seconds: number): Promise<Load> {
  const child = spawn(
    process.execPath,
    [AUTOCANNON, '--json', '-c', String(CONNECTIONS), '-d', String(seconds), url],
    { stdio: ['ignore', 'pipe', 'ignore'] },
  );
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  await new Promise((r) => child.on('close', r));
  const r = JSON.parse(out) as autocannon.Result;
  return {
    p50: r.latency.p50,
    p99: r.latency.p99,
    rps: r.requests.average,
    errors: r.errors + r.non2xx,
  };
}

async function apiRows(): Promise<BenchRow[]> {
  const dir = mkdtempSync(join(tmpdir(), 'headroom-bench-api-'));
  const plan = parsePlan(largePlan(COMPONENTS), 'bench.yaml', { env: {} });
  const store = await openSqliteStore({ path: join(dir, 'bench.db') });
  // The roadmap is not rebuilt here: /api/status serves the cycle's state.
  const loop = new ServeLoop({ plan, store, now: Date.now, forecastEveryMs: Infinity });
  await loop.step();
  const app = await buildApp({ state: () => loop.state });
  const appUrl = `${await app.listen({ host: '127.0.0.1', port: 0 })}/api/status`;
  const document = JSON.parse((await app.inject('/api/status')).body) as unknown;
  const bare = Fastify({ logger: false });
  bare.get('/api/status', async () => document);
  const bareUrl = `${await bare.listen({ host: '127.0.0.1', port: 0 })}/api/status`;
  try {
    await load(appUrl, 2);
    await load(bareUrl, 2);
    const ours = await load(appUrl, DURATION_S);
    const base = await load(bareUrl, DURATION_S);
    const ok = ours.errors === 0 && base.errors === 0;
    return [
      {
        name: `GET /api/status p50, ${COMPONENTS.toLocaleString('en-US')} components, ${CONNECTIONS} connections, ${DURATION_S} s (baseline: bare fastify route, same JSON)`,
        value: ours.p50,
        baseline: base.p50,
        unit: 'ms',
      },
      {
        name: `GET /api/status p99 (errors: ${ours.errors}, baseline ${base.errors})`,
        value: ours.p99,
        baseline: base.p99,
        unit: 'ms',
        goal: { text: 'p99 < 50 ms, no errors', met: ours.p99 < 50 && ok },
      },
      { name: 'throughput', value: ours.rps, baseline: base.rps, unit: 'req/s' },
    ];
  } finally {
    await app.close();
    await bare.close();
    await loop.stop();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function rssKb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : NaN;
}

async function soakRows(): Promise<BenchRow[]> {
  const seconds = Number(process.env.HEADROOM_SOAK_SECONDS ?? 600);
  const warmup = Math.min(60, seconds / 5);
  const child = spawn(process.execPath, ['bin/headroom.js', 'demo', '--port', '0'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const started = Date.now();
  const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
  while (!err.includes('dashboard:')) {
    if (Date.now() - started > 120_000 || child.exitCode !== null)
      throw new Error(`the demo did not start:\n${err}`);
    await sleep(200);
  }
  const url = /dashboard: (\S+)\//.exec(err)![1]!;
  await sleep(warmup * 1000);
  const first = rssKb(child.pid!);
  let peak = first;
  const until = Date.now() + (seconds - warmup) * 1000;
  let polls = 0;
  while (Date.now() < until) {
    // A dashboard's worth of reads every few seconds, as a browser tab would make.
    for (const path of ['/api/status', '/api/triggers', '/api/scaling', '/api/forecast'])
      await fetch(`${url}${path}`).then((r) => r.arrayBuffer());
    polls++;
    peak = Math.max(peak, rssKb(child.pid!));
    process.stderr.write(`\rsoak: ${Math.round((until - Date.now()) / 1000)} s left   `);
    await sleep(5000);
  }
  process.stderr.write('\n');
  const last = rssKb(child.pid!);
  child.kill('SIGINT');
  await new Promise((r) => child.on('close', r));
  const growth = last / first - 1;
  return [
    {
      name: `demo RSS at the end of a ${Math.round(seconds / 60)}-minute soak, ${polls} dashboard polls (baseline: after the ${Math.round(warmup)} s warm-up); peak ${Math.round(peak / 1024)} MB`,
      value: last / 1024,
      baseline: first / 1024,
      unit: 'MB',
      goal: { text: 'growth < 10 %', met: growth < 0.1 },
    },
  ];
}

/** Runs the API load test and the demo soak. */
export async function run(): Promise<string> {
  const api = await apiRows();
  const soak = await soakRows();
  return renderTable('API: headroom serve vs a bare fastify route; demo soak memory', [
    ...api,
    ...soak,
  ]);
}
