/**
 * The `headroom` command line. Each command lives in its own file and registers itself here;
 * every command takes `--json` and then prints exactly one JSON document on stdout. User
 * mistakes print located, catalogued errors (never a stack trace) and exit with their code.
 */
import { Command, CommanderError } from 'commander';
import { asHeadroomErrors, ERRORS, formatError } from '../errors.ts';
import { registerCheck } from './check.ts';
import { registerDemo } from './demo.ts';
import { registerExport } from './export.ts';
import { registerInit } from './init.ts';
import { registerReplay } from './replay.ts';
import { registerValidate } from './validate.ts';
import { registerWatch } from './watch.ts';
import { registerWhatIf } from './whatif.ts';
import { registerForecast } from './forecast.ts';
import { registerReport } from './report.ts';
import { registerQueueing } from './queueing.ts';
import { registerServe } from './serve.ts';
import { registerSimulate } from './simulate.ts';

/** Builds the program with every command registered. */
export function buildProgram(): Command {
  const program = new Command('headroom')
    .description(
      'A living capacity plan: watch, judge, forecast and scale from your scaling roadmap.',
    )
    .version('0.1.0')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  for (const register of [
    registerInit,
    registerValidate,
    registerCheck,
    registerReplay,
    registerExport,
    registerWatch,
    registerForecast,
    registerWhatIf,
    registerReport,
    registerQueueing,
    registerSimulate,
    registerServe,
    registerDemo,
  ]) {
    register(program);
  }
  return program;
}

/** Runs the CLI with `argv` (process.argv shape); resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      return err.exitCode === 0 ? 0 : ERRORS.USAGE.exitCode;
    }
    return reportFailure(err, argv.includes('--json'));
  }
}

/** Prints a thrown error the way users should see it; returns the exit code. */
export function reportFailure(err: unknown, json: boolean): number {
  const errors = asHeadroomErrors(err);
  if (json) {
    process.stdout.write(
      `${JSON.stringify({ ok: false, errors: errors.map((e) => e.toJSON()) }, null, 2)}\n`,
    );
  } else {
    for (const e of errors) process.stderr.write(`${formatError(e)}\n`);
    if (errors.length > 1) process.stderr.write(`${errors.length} problems found\n`);
    if (errors.some((e) => e.code === 'INTERNAL') && process.env.HEADROOM_DEBUG) {
      process.stderr.write(`${(err as Error).stack}\n`);
    }
  }
  return errors[0]?.exitCode ?? ERRORS.INTERNAL.exitCode;
}
