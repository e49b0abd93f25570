// The truth of the model, proven on a real system: the reference service (fastify with a
// PostgreSQL pool of 4 connections doing a real query) and a pool of 4 BullMQ worker processes,
// scraped by a private Prometheus. A short probe at low load predicts where each saturates (the
// service demand law over the plan's own usage metrics); a breakpoint ramp then measures it. The
// prediction must be within 15 % of the measurement, and `whatif` at the measured rate must name
// the pool — not the CPU — as first to break.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../helpers/cli.ts';
import { REFERENCE_PLAN, startReference, type Reference } from '../reference-service/harness.ts';

let ref: Reference | undefined;
let dir: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'headroom-truth-'));
  ref = await startReference({ poolSize: 4, dbWaitMs: 15, workers: 4, jobMs: 20 });
});

after(async () => {
  await ref?.stop();
  rmSync(dir, { recursive: true, force: true });
});

interface Report {
  ok: boolean;
  rate: number;
  prediction?: {
    rate?: number;
    component?: string;
    resource?: string;
    resources: { component: string; resource: string; saturation_rate?: number }[];
  };
  breakpoint?: { rate: number; max_throughput: number; reason: string };
  queue?: { sustained_throughput: number };
}

async function loadtest(scenario: string, store: string[]): Promise<Report> {
  const r = await runCli(
    ['loadtest', '--plan', REFERENCE_PLAN, '--scenario', scenario, '--json', ...store],
    { env: ref!.env, timeoutMs: 240_000 },
  );
  assert.ok([0, 99].includes(r.code), `loadtest ${scenario} exited ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout) as Report;
}

function within(predicted: number, measured: number, share: number): boolean {
  return Math.abs(predicted - measured) / measured <= share;
}

describe('truth: predictions from a low-load probe come true', { timeout: 600_000 }, () => {
  it('the HTTP service: the pool saturates where the probe said, and whatif names it', async () => {
    const store = join(dir, 'http.db');
    const probe = await loadtest('probe', ['--store', store]);
    const predicted = probe.prediction!;
    assert.equal(`${predicted.component}.${predicted.resource}`, 'db-pool.connections');
    const ramp = await loadtest('breakpoint', ['--no-store']);
    const measured = ramp.breakpoint!.max_throughput;
    assert.ok(
      within(predicted.rate!, measured, 0.15),
      `predicted ${predicted.rate} req/s, measured ${measured} req/s (${ramp.breakpoint!.reason})`,
    );
    const whatif = await runCli(
      [
        'whatif',
        '--plan',
        REFERENCE_PLAN,
        '--store',
        store,
        '--window',
        '1h',
        '--set',
        `request_rate=${Math.round(measured * 1.1)}`,
        '--json',
      ],
      { env: ref!.env },
    );
    const answer = JSON.parse(whatif.stdout) as { first_to_break: { component: string } | null };
    assert.equal(answer.first_to_break?.component, 'db-pool', whatif.stdout);
  });

  it('the worker pool: its sustained throughput is what the probe predicted', async () => {
    const probe = await loadtest('jobs-probe', ['--no-store']);
    const predicted = probe.prediction!;
    assert.equal(`${predicted.component}.${predicted.resource}`, 'workers.concurrency');
    const ramp = await loadtest('jobs-breakpoint', ['--no-store']);
    const measured = ramp.queue!.sustained_throughput;
    assert.ok(
      within(predicted.rate!, measured, 0.15),
      `predicted ${predicted.rate} job/s, measured ${measured} job/s`,
    );
  });
});
