/**
 * `headroom init --template NAME [--out FILE] [--force]` — writes a starting plan from one of
 * the example plans (the five seed roadmaps, or `local` for this machine).
 */
import { copyFileSync, existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { HeadroomError } from '../errors.ts';
import { printJson } from './output.ts';

/** Folder holding the example plans that serve as templates. */
export const EXAMPLES_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'examples');

/** Names of the available templates. */
export function templateNames(): string[] {
  return readdirSync(EXAMPLES_DIR)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => f.slice(0, -'.yaml'.length))
    .sort();
}

/** Registers `init`. */
export function registerInit(program: Command): void {
  program
    .command('init')
    .description('write a starting plan (headroom.yaml) from a template roadmap')
    .option('--template <name>', 'irisx, honeyjar, insightdesk, cfi, roleferry or local', 'local')
    .option('--out <file>', 'where to write the plan', 'headroom.yaml')
    .option('--force', 'overwrite an existing file')
    .option('--json', 'print one JSON document')
    .action((options: { template: string; out: string; force?: boolean; json?: boolean }) => {
      const names = templateNames();
      if (!names.includes(options.template)) {
        throw new HeadroomError('TEMPLATE_UNKNOWN', `no template named "${options.template}"`, {
          hint: `choose one of: ${names.join(', ')}`,
        });
      }
      if (existsSync(options.out) && !options.force) {
        throw new HeadroomError('FILE_EXISTS', `${options.out} already exists`, {
          file: options.out,
          hint: 'pass --force to overwrite it, or --out to write elsewhere',
        });
      }
      copyFileSync(join(EXAMPLES_DIR, `${options.template}.yaml`), options.out);
      if (options.json) printJson({ ok: true, template: options.template, file: options.out });
      else {
        process.stdout.write(`wrote ${options.out} from the ${options.template} template\n`);
        process.stdout.write(
          `next: headroom validate ${options.out} && headroom check --plan ${options.out}\n`,
        );
      }
    });
}
