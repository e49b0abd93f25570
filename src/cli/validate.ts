/**
 * `headroom validate FILES...` — loads and compiles each plan and reports every problem with
 * its file, line, column and field path. Exit 0 when all are valid, 3 otherwise.
 */
import type { Command } from 'commander';
import { asHeadroomErrors, formatError } from '../errors.ts';
import { loadPlan } from '../plan/load.ts';
import { printJson } from './output.ts';

/** Registers `validate`. */
export function registerValidate(program: Command): void {
  program
    .command('validate')
    .description('check plan files for errors (YAML, fields, units, references, cycles)')
    .argument('<files...>', 'plan files')
    .option('--json', 'print one JSON document')
    .action((files: string[], options: { json?: boolean }) => {
      const results = files.map((file) => {
        try {
          const plan = loadPlan(file);
          return {
            file,
            ok: true,
            name: plan.name,
            triggers: plan.triggers.length,
            tiers: plan.tiers.length,
            errors: [],
          };
        } catch (err) {
          return { file, ok: false, errors: asHeadroomErrors(err) };
        }
      });
      const failed = results.filter((r) => !r.ok);
      if (options.json) {
        printJson({
          ok: failed.length === 0,
          plans: results.map((r) => ({ ...r, errors: r.errors.map((e) => e.toJSON()) })),
        });
      } else {
        for (const r of results) {
          if (r.ok)
            process.stdout.write(
              `ok    ${r.file} (${r.name}: ${r.triggers} triggers, ${r.tiers} tiers)\n`,
            );
          else for (const e of r.errors) process.stderr.write(`${formatError(e)}\n`);
        }
        if (failed.length > 0)
          process.stderr.write(`${failed.length} of ${results.length} plans have errors\n`);
      }
      process.exitCode = failed.length === 0 ? 0 : (failed[0]!.errors[0]?.exitCode ?? 3);
    });
}
