/**
 * Truth of the model: for several builds of the reference system (pool sizes and query waits;
 * worker counts and job times), the saturation a 15 s probe at low load predicts (the service
 * demand law over the plan's own usage metrics) against what a breakpoint ramp then measures —
 * both through the real CLI, in the same run. Goal: within 15 %, with the bottleneck named.
 */
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  REFERENCE_PLAN,
  startReference,
  type ReferenceOptions,
} from '../test/reference-service/harness.ts';
import { renderTable, type BenchRow } from './table.ts';

const BIN = join(dirname(fileURLToPath(import.meta.url)), '..', 'bin', 'headroom.js');

interface Case {
  name: string;
  build: ReferenceOptions;
  probe: string;
  ramp: string;
  expect: string;
}

const CASES: Case[] = [
  {
    name: 'HTTP, pool 4 × 15 ms wait',
    build: { poolSize: 4, dbWaitMs: 15 },
    probe: 'probe',
    ramp: 'breakpoint',
    expect: 'db-pool.connections',
  },
  {
    name: 'HTTP, pool 8 × 25 ms wait',
    build: { poolSize: 8, dbWaitMs: 25 },
    probe: 'probe',
    ramp: 'breakpoint',
    expect: 'db-pool.connections',
  },
  {
    name: 'workers, 4 × 20 ms jobs',
    build: { api: false, workers: 4, jobMs: 20 },
    probe: 'jobs-probe',
    ramp: 'jobs-breakpoint',
    expect: 'workers.concurrency',
  },
  {
    name: 'workers, 4 × 35 ms jobs',
    build: { api: false, workers: 4, jobMs: 35 },
    probe: 'jobs-probe',
    ramp: 'jobs-breakpoint',
    expect: 'workers.concurrency',
  },
];

interface Report {
  prediction?: { rate?: number; component?: string; resource?: string };
  breakpoint?: { max_throughput: number };
  queue?: { sustained_throughput: number };
}

function cli(args: string[], env: Record<string, string>): Promise<Report> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { ...process.env, ...env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      try {
        if (code !== 0 && code !== 99) throw new Error(`headroom ${args.join(' ')} exited ${code}`);
        resolve(JSON.parse(out) as Report);
      } catch (err) {
        reject(err as Error);
      }
    });
  });
}

async function measure(c: Case): Promise<BenchRow> {
  const ref = await startReference(c.build);
  try {
    const base = ['loadtest', '--plan', REFERENCE_PLAN, '--json', '--no-store', '--quiet'];
    const probe = await cli([...base, '--scenario', c.probe], ref.env);
    const ramp = await cli([...base, '--scenario', c.ramp], ref.env);
    const predicted = probe.prediction?.rate ?? NaN;
    const named = `${probe.prediction?.component}.${probe.prediction?.resource}`;
    const measured = ramp.queue?.sustained_throughput ?? ramp.breakpoint?.max_throughput ?? NaN;
    const error = Math.abs(predicted - measured) / measured;
    return {
      name: `${c.name}: predicted (${named}) vs measured saturation`,
      value: predicted,
      baseline: measured,
      unit: '/s',
      goal: {
        text: `within 15 % (${(error * 100).toFixed(1)} %), ${c.expect}`,
        met: error <= 0.15 && named === c.expect,
      },
    };
  } finally {
    await ref.stop();
  }
}

/** Runs the truth bench. */
export async function run(): Promise<string> {
  const rows: BenchRow[] = [];
  for (const c of CASES) {
    console.error(`  truth: ${c.name} ...`);
    rows.push(await measure(c));
  }
  return renderTable(
    'Truth: saturation predicted from a low-load probe vs measured by a breakpoint ramp',
    rows,
  );
}
