/**
 * `headroom export prometheus-rules --plan F [--out FILE]` — the plan's triggers as a
 * Prometheus rules file (check it with `promtool check rules`).
 */
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { loadPlan } from '../plan/load.ts';
import { prometheusRules } from '../report/prometheus-rules.ts';
import { printJson } from './output.ts';

/** Registers `export` and its formats. */
export function registerExport(program: Command): void {
  const exporter = program.command('export').description("write the plan in another tool's format");
  exporter
    .command('prometheus-rules')
    .description('the triggers as a Prometheus alerting rules file')
    .requiredOption('--plan <file>', 'plan file')
    .option('--out <file>', 'write to a file instead of stdout')
    .option('--json', 'print one JSON document ({ yaml, skipped })')
    .action((options: { plan: string; out?: string; json?: boolean }) => {
      const plan = loadPlan(options.plan);
      const rules = prometheusRules(plan);
      if (options.out) writeFileSync(options.out, rules.yaml);
      if (options.json)
        printJson({ plan: plan.name, file: options.out, yaml: rules.yaml, skipped: rules.skipped });
      else if (!options.out) process.stdout.write(rules.yaml);
      for (const s of rules.skipped)
        process.stderr.write(`skipped trigger "${s.trigger}": ${s.reason}\n`);
    });
}
