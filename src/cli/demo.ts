/**
 * `headroom demo` — until the dashboard lands, watches `examples/local.yaml` live in the
 * terminal: the status table refreshed each interval, alert changes as they happen. Ctrl-C
 * exits cleanly.
 */
import { join } from 'node:path';
import type { Command } from 'commander';
import { loadPlan } from '../plan/load.ts';
import { Collector } from '../runtime/collect.ts';
import { Cycle } from '../runtime/cycle.ts';
import { renderCheck } from './check.ts';
import { EXAMPLES_DIR } from './init.ts';
import { parseDurationOption } from './options.ts';
import { printJson } from './output.ts';

/** Registers `demo`. */
export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('watch examples/local.yaml live in the terminal (no services needed)')
    .option('--plan <file>', 'plan to watch', join(EXAMPLES_DIR, 'local.yaml'))
    .option('--interval <duration>', "refresh interval (default: the plan's)")
    .option('--cycles <n>', 'stop after n refreshes (default: run until Ctrl-C)')
    .option('--json', 'print one JSON document per refresh (JSON lines)')
    .action(
      async (options: { plan: string; interval?: string; cycles?: string; json?: boolean }) => {
        const plan = loadPlan(options.plan);
        const intervalMs = options.interval
          ? parseDurationOption(options.interval, '--interval')
          : plan.intervalMs;
        const cycles = options.cycles === undefined ? Infinity : Number(options.cycles);
        const collector = new Collector(plan, Date.now);
        const cycle = new Cycle(plan, collector, undefined, Date.now);
        const stop = new AbortController();
        const onSignal = (): void => stop.abort();
        process.once('SIGINT', onSignal);
        process.once('SIGTERM', onSignal);
        if (!options.json)
          process.stderr.write(
            `watching ${plan.name} every ${intervalMs / 1000}s — Ctrl-C to stop\n`,
          );
        try {
          for (let i = 0; i < cycles && !stop.signal.aborted; i++) {
            const result = await cycle.run(Math.min(intervalMs, 10_000));
            if (options.json) {
              printJson({
                at: new Date(result.at).toISOString(),
                statuses: result.statuses,
                transitions: result.transitions,
              });
            } else {
              const changes = result.transitions.map(
                (t) =>
                  `  ${new Date(t.t).toISOString()} ${t.trigger} [${t.severity}] ${t.from} → ${t.to}`,
              );
              process.stdout.write(
                `${process.stdout.isTTY ? '\x1b[2J\x1b[H' : ''}${renderCheck(plan, result)}\n${changes.length ? `\nalert changes:\n${changes.join('\n')}\n` : ''}`,
              );
            }
            if (i + 1 < cycles) await sleep(intervalMs, stop.signal);
          }
        } finally {
          process.off('SIGINT', onSignal);
          process.off('SIGTERM', onSignal);
          await collector.close();
        }
      },
    );
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
