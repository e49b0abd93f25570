/**
 * `headroom demo [--port 8080]` — the main job on a fresh machine with no services: a
 * simulated IRISX (the irisx plan's streams, worker pools and growing company count, time
 * compressed so a simulated day passes in a minute) feeds the real pipeline — sources → store
 * → rules → autoscale → forecast → API, /metrics and the dashboard. It starts from a month of
 * recorded history, prints the URL, reports the simulated system now and then, and on Ctrl-C
 * stops and deletes everything it wrote.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { HeadroomError } from '../errors.ts';
import { ServeLoop } from '../runtime/serve-loop.ts';
import { buildApp } from '../server/app.ts';
import { UpdateHub } from '../server/events.ts';
import { openSqliteStore } from '../store/sqlite.ts';
import { DemoClock } from '../demo/clock.ts';
import { backfill } from '../demo/backfill.ts';
import { DEMO_CHANGES, DEMO_PLAN_FILE, demoPlan } from '../demo/demo-plan.ts';
import { IrisxWorld } from '../demo/irisx-world.ts';
import { Rng } from '../simulate/rng.ts';
import { simulatedActuator } from '../demo/simulated-actuator.ts';
import { simulatedSource } from '../demo/simulated-source.ts';
import { demoSummary } from '../demo/summary.ts';
import { progress } from './progress.ts';

const DAY_MS = 86_400_000;
const HISTORY_DAYS = 30;
/** Simulated days run before the recorded month, so the streams hold a full week from the start. */
const WARMUP_DAYS = 7;

interface DemoOptions {
  host: string;
  port: string;
  speed: string;
  seed: string;
  tick: string;
  for?: string;
}

/** Registers `demo`. */
export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description(
      'run a simulated IRISX through the real pipeline and serve the dashboard (no services needed)',
    )
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--port <port>', 'port to listen on (0: any free port)', '8080')
    .option('--speed <n>', 'simulated seconds per real second (1440: a day a minute)', '1440')
    .option(
      '--seed <n>',
      'seed of the simulated system (the same seed replays the same month)',
      '1',
    )
    .option('--tick <ms>', 'real milliseconds between pipeline steps', '250')
    .option('--for <seconds>', 'stop after this many real seconds (default: until Ctrl-C)')
    .action((options: DemoOptions) => runDemo(options));
}

function positive(flag: string, text: string, integer: boolean): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n)))
    throw new HeadroomError(
      'USAGE',
      `${flag} "${text}" is not a positive ${integer ? 'integer' : 'number'}`,
      {
        hint: `write e.g. ${flag} ${flag === '--speed' ? '1440' : '1'}`,
      },
    );
  return n;
}

async function runDemo(options: DemoOptions): Promise<void> {
  const port = Number(options.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new HeadroomError('USAGE', `--port "${options.port}" is not a port`, {
      hint: 'write e.g. --port 8080, or 0 for any free port',
    });
  const speed = positive('--speed', options.speed, false);
  const seed = positive('--seed', options.seed, true);
  const tickMs = positive('--tick', options.tick, true);
  const forSec = options.for !== undefined ? positive('--for', options.for, false) : undefined;
  const log = (line: string): boolean => process.stderr.write(`${line}\n`);

  const plan = demoPlan();
  log(
    `headroom demo: a simulated IRISX runs through ${DEMO_PLAN_FILE}, ${speed}x faster than life`,
  );
  for (const change of DEMO_CHANGES) log(`  demo change: ${change}`);

  const dir = mkdtempSync(join(tmpdir(), 'headroom-demo-'));
  const cleanup = (): void => rmSync(dir, { recursive: true, force: true });
  const store = await openSqliteStore({ path: join(dir, 'demo.db') });
  const clock = new DemoClock(Date.now(), speed);
  const start = clock.now();
  const world = new IrisxWorld({
    start: start - (HISTORY_DAYS + WARMUP_DAYS) * DAY_MS,
    companies: 1360,
    companiesPerDay: 3.5,
    volumeGrowthPerDay: 0.004,
    startupMs: 90_000,
    random: (
      (rng) => () =>
        rng.uniform()
    )(new Rng(seed)),
  });
  world.advanceTo(start - HISTORY_DAYS * DAY_MS);
  const bar = progress(`recording ${HISTORY_DAYS} simulated days of history`);
  await backfill(plan, world, store, {
    from: start - HISTORY_DAYS * DAY_MS,
    to: start,
    stepMs: 15 * 60_000,
    onProgress: (f) => bar.update(Math.round(f * 100), 100),
  });
  bar.done();
  log(`recorded ${HISTORY_DAYS} days of history`);

  const hub = new UpdateHub();
  const loop = new ServeLoop({
    plan,
    store,
    now: () => clock.now(),
    tickMs,
    // Forecasts are rebuilt every 3 simulated hours (7.5 s at the default speed).
    forecastEveryMs: 3 * 3_600_000,
    sourceFactory: (_kind, context) => simulatedSource(world, context),
    actuatorFor: (pool) => simulatedActuator(world, pool),
    onStep: () => hub.notify(),
  });
  const app = await buildApp({ state: () => loop.state, updates: hub });
  let address: string;
  try {
    address = await app.listen({ host: options.host, port });
  } catch (err) {
    await store.close();
    cleanup();
    throw new HeadroomError(
      'USAGE',
      `cannot listen on ${options.host}:${port}: ${(err as Error).message}`,
      {
        hint: 'choose another --port (0: any free port), or stop what is using it',
      },
    );
  }
  loop.start();
  log(`dashboard: ${address}/   API: ${address}/api/status   metrics: ${address}/metrics`);
  log('Ctrl-C stops the demo and deletes what it wrote');
  const report = setInterval(() => log(demoSummary(loop.state, world, clock.now())), 10_000);

  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
    if (forSec !== undefined) setTimeout(resolve, forSec * 1000).unref();
  });
  log('stopping ...');
  clearInterval(report);
  await app.close();
  await loop.stop();
  await store.close();
  cleanup();
}
