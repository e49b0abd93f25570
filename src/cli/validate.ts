/**
 * `headroom validate FILES...` — loads and compiles each plan and reports every problem with
 * its file, line, column and field path. Exit 0 when all are valid, 3 otherwise. The
 * `notify:` entries are checked the way `serve` builds them: a bad field is an error, a channel
 * whose secret is not set (`${SLACK_WEBHOOK_URL:-}`) a note.
 */
import type { Command } from 'commander';
import { asHeadroomErrors, formatError } from '../errors.ts';
import { createNotifiers } from '../notify/from-plan.ts';
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
          // Nothing is sent here: building a channel opens no connection.
          const { problems } = createNotifiers(plan, { stream: { write: () => true } });
          const invalid = problems.filter((p) => p.kind === 'invalid').map((p) => p.error);
          const notes = problems.filter((p) => p.kind === 'disabled').map((p) => p.error);
          if (invalid.length > 0) return { file, ok: false, errors: invalid, notes };
          return {
            file,
            ok: true,
            notes,
            name: plan.name,
            triggers: plan.triggers.length,
            tiers: plan.tiers.length,
            errors: [],
          };
        } catch (err) {
          return { file, ok: false, errors: asHeadroomErrors(err), notes: [] };
        }
      });
      const failed = results.filter((r) => !r.ok);
      if (options.json) {
        printJson({
          ok: failed.length === 0,
          plans: results.map((r) => ({
            ...r,
            errors: r.errors.map((e) => e.toJSON()),
            notes: r.notes.map((e) => e.toJSON()),
          })),
        });
      } else {
        for (const r of results) {
          if (r.ok)
            process.stdout.write(
              `ok    ${r.file} (${r.name}: ${r.triggers} triggers, ${r.tiers} tiers)\n`,
            );
          else for (const e of r.errors) process.stderr.write(`${formatError(e)}\n`);
          for (const n of r.notes) process.stderr.write(`note: ${formatError(n)}\n`);
        }
        if (failed.length > 0)
          process.stderr.write(`${failed.length} of ${results.length} plans have errors\n`);
      }
      process.exitCode = failed.length === 0 ? 0 : (failed[0]!.errors[0]?.exitCode ?? 3);
    });
}
