/**
 * `headroom demo` — until the dashboard lands, watches `examples/local.yaml` live in the
 * terminal: the status table refreshed each interval, alert changes as they happen. Needs no
 * service; Ctrl-C exits cleanly and leaves nothing behind (no store is written).
 */
import { join } from 'node:path';
import type { Command } from 'commander';
import { EXAMPLES_DIR } from './init.ts';
import { runWatch } from './watch.ts';

/** Registers `demo`. */
export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description(
      'watch this machine with examples/local.yaml, live in the terminal (no services needed)',
    )
    .option('--interval <duration>', "refresh interval (default: the plan's)")
    .option('--cycles <n>', 'stop after n refreshes (default: run until Ctrl-C)')
    .option('--json', 'print one JSON document per refresh (JSON lines)')
    .action((options: { interval?: string; cycles?: string; json?: boolean }) =>
      runWatch({ ...options, plan: join(EXAMPLES_DIR, 'local.yaml'), store: false }),
    );
}
