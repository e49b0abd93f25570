/**
 * `headroom replay --plan F --csv S [--json]` — replays recorded samples through the plan's
 * triggers and prints every alert state change, so thresholds and `for` can be tuned on last
 * month's data before an alert ever pages anyone.
 */
import type { Command } from 'commander';
import { loadPlan } from '../plan/load.ts';
import { formatDurationMs } from '../plan/units.ts';
import { replay } from '../runtime/replay.ts';
import { parseDurationOption } from './options.ts';
import { colourStatus, formatValue, printJson, table } from './output.ts';
import { progress } from './progress.ts';
import { readPlanSamples } from './live.ts';

/** Registers `replay`. */
export function registerReplay(program: Command): void {
  program
    .command('replay')
    .description("replay recorded samples through the plan's triggers and print every state change")
    .requiredOption('--plan <file>', 'plan file')
    .requiredOption(
      '--csv <file>',
      'samples: first column the time, the others named after plan metrics',
    )
    .option('--interval <duration>', "evaluation interval (default: the plan's)")
    .option('--lookback <duration>', 'how long a sample stays current', '5m')
    .option('--json', 'print one JSON document')
    .action(
      (options: {
        plan: string;
        csv: string;
        interval?: string;
        lookback: string;
        json?: boolean;
      }) => {
        const plan = loadPlan(options.plan);
        const series = readPlanSamples(plan, options.csv);
        const intervalMs = options.interval
          ? parseDurationOption(options.interval, '--interval')
          : plan.intervalMs;
        const bar = options.json ? undefined : progress('replaying');
        const result = replay({
          plan,
          series,
          intervalMs,
          lookbackMs: parseDurationOption(options.lookback, '--lookback'),
          onStep: bar?.update,
        });
        bar?.done();
        const transitions = result.transitions.map((t) => ({
          t: new Date(t.t).toISOString(),
          trigger: t.trigger,
          severity: t.severity,
          labels: t.labels,
          from: t.from,
          to: t.to,
          value: t.value,
        }));
        if (options.json) {
          printJson({
            plan: plan.name,
            start: new Date(result.start).toISOString(),
            end: new Date(result.end).toISOString(),
            steps: result.steps,
            interval: formatDurationMs(intervalMs),
            transitions,
          });
          return;
        }
        const units = new Map(plan.triggers.map((t) => [t.name, t.unit]));
        process.stdout.write(
          `${table(
            ['time', 'trigger', 'severity', 'labels', 'from', 'to', 'value'],
            transitions.map((t) => [
              t.t,
              t.trigger,
              t.severity,
              labelText(t.labels),
              t.from,
              colourStatus(t.to === 'firing' ? t.severity : t.to === 'pending' ? 'pending' : 'ok'),
              formatValue(t.value, units.get(t.trigger) ?? ''),
            ]),
          )}\n${transitions.length} state changes over ${result.steps} evaluations (${formatDurationMs(intervalMs)} apart)\n`,
        );
      },
    );
}

function labelText(labels: Record<string, string>): string {
  const entries = Object.entries(labels);
  return entries.length === 0 ? '' : `{${entries.map(([k, v]) => `${k}="${v}"`).join(',')}}`;
}
