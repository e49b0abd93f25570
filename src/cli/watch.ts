/**
 * `headroom watch --plan F` — runs the plan's loop in the terminal: collect → store → evaluate
 * every interval, the status table refreshed and alert changes printed as they happen (or one
 * JSON document per cycle with `--json`). Ctrl-C stops it cleanly.
 */
import type { Command } from 'commander';
import { loadPlan } from '../plan/load.ts';
import { Collector } from '../runtime/collect.ts';
import { Cycle, type CycleResult } from '../runtime/cycle.ts';
import { openSqliteStore } from '../store/sqlite.ts';
import type { Store } from '../store/store.ts';
import { checkDocument, renderCheck } from './check.ts';
import { parseDurationOption } from './options.ts';
import { printJson } from './output.ts';

/** Options of a watch loop. */
export interface WatchOptions {
  /** Plan file. */
  plan: string;
  /** Refresh interval (default: the plan's). */
  interval?: string;
  /** Stop after this many cycles (default: until Ctrl-C). */
  cycles?: string;
  /** SQLite store path, or false for none. */
  store: string | false;
  /** One JSON document per cycle. */
  json?: boolean;
}

/** Registers `watch`. */
export function registerWatch(program: Command): void {
  program
    .command('watch')
    .description(
      "run the plan's loop in the terminal: status refreshed every interval, alert changes as they happen",
    )
    .requiredOption('--plan <file>', 'plan file')
    .option('--interval <duration>', "refresh interval (default: the plan's)")
    .option('--cycles <n>', 'stop after n refreshes (default: run until Ctrl-C)')
    .option('--store <file>', 'SQLite store for samples and alert state', '.headroom/headroom.db')
    .option('--no-store', 'keep nothing between runs')
    .option('--json', 'print one JSON document per refresh (JSON lines)')
    .action((options: WatchOptions) => runWatch(options));
}

/** Runs the loop until `cycles` are done or SIGINT/SIGTERM arrives. */
export async function runWatch(options: WatchOptions): Promise<void> {
  const plan = loadPlan(options.plan);
  const intervalMs = options.interval
    ? parseDurationOption(options.interval, '--interval')
    : plan.intervalMs;
  const cycles = options.cycles === undefined ? Infinity : Number(options.cycles);
  const store: Store | undefined = options.store
    ? await openSqliteStore({ path: options.store })
    : undefined;
  const collector = new Collector(plan, Date.now, intervalMs);
  const cycle = new Cycle(plan, collector, store, Date.now);
  const stop = new AbortController();
  const onSignal = (): void => stop.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  if (!options.json)
    process.stderr.write(`watching ${plan.name} every ${intervalMs / 1000}s — Ctrl-C to stop\n`);
  try {
    for (let i = 0; i < cycles && !stop.signal.aborted; i++) {
      // A collect may take at most the interval, so a slow source never delays the next cycle.
      const result = await cycle.run(Math.min(intervalMs, 10_000));
      if (options.json) printJson(checkDocument(plan, result));
      else process.stdout.write(screen(plan, result));
      if (i + 1 < cycles) await sleep(intervalMs, stop.signal);
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await collector.close();
    await store?.close();
  }
}

function screen(plan: Parameters<typeof renderCheck>[0], result: CycleResult): string {
  const changes = result.transitions.map(
    (t) => `  ${new Date(t.t).toISOString()} ${t.trigger} [${t.severity}] ${t.from} → ${t.to}`,
  );
  const clear = process.stdout.isTTY ? '\x1b[2J\x1b[H' : '';
  return `${clear}${renderCheck(plan, result)}\n${changes.length ? `\nalert changes:\n${changes.join('\n')}\n` : ''}`;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}
