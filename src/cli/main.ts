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
import { registerLoadtest } from './loadtest.ts';
import { runPlanLoadTest } from './loadtest-plan.ts';
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
    (p: Command) => registerLoadtest(p, runPlanLoadTest),
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
      if (err.exitCode === 0) return 0;
      // k6's convention for `loadtest`: every usage or configuration mistake exits 3.
      return commandOf(argv) === 'loadtest'
        ? ERRORS.LOADTEST_CONFIG.exitCode
        : ERRORS.USAGE.exitCode;
    }
    return reportFailure(err, argv.includes('--json'));
  }
}

/** The subcommand named in `argv` (process.argv shape), if any. */
function commandOf(argv: string[]): string | undefined {
  return argv.slice(2).find((a) => !a.startsWith('-'));
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
