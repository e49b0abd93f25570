/**
 * The `headroom` command line. Each command lives in its own file and registers itself here;
 * every command takes `--json` and then prints exactly one JSON document on stdout. User
 * mistakes print located, catalogued errors (never a stack trace) and exit with their code.
 */
import { Command, CommanderError } from 'commander';
import { asHeadroomErrors, ERRORS, formatError } from '../errors.ts';

/** Registers one command (or a group) on the program. */
type Register = (program: Command) => void;

/**
 * Each command's module, imported only when that command runs (or for the whole `--help`):
 * `headroom --version` loads none, `check` not the server, the simulator or the Kubernetes
 * client. The order is the order of `--help`.
 */
export const COMMANDS: Record<string, () => Promise<Register>> = {
  init: async () => (await import('./init.ts')).registerInit,
  validate: async () => (await import('./validate.ts')).registerValidate,
  check: async () => (await import('./check.ts')).registerCheck,
  replay: async () => (await import('./replay.ts')).registerReplay,
  export: async () => (await import('./export.ts')).registerExport,
  watch: async () => (await import('./watch.ts')).registerWatch,
  forecast: async () => (await import('./forecast.ts')).registerForecast,
  whatif: async () => (await import('./whatif.ts')).registerWhatIf,
  report: async () => (await import('./report.ts')).registerReport,
  erlang: async () => (await import('./queueing.ts')).registerQueueing,
  usl: async () => (await import('./queueing.ts')).registerQueueing,
  simulate: async () => (await import('./simulate.ts')).registerSimulate,
  serve: async () => (await import('./serve.ts')).registerServe,
  demo: async () => (await import('./demo.ts')).registerDemo,
  loadtest: async () => {
    const [{ registerLoadtest }, { runPlanLoadTest }] = await Promise.all([
      import('./loadtest.ts'),
      import('./loadtest-plan.ts'),
    ]);
    return (p: Command) => registerLoadtest(p, runPlanLoadTest);
  },
};

/**
 * Builds the program with the commands `argv` needs (process.argv shape): the one it names;
 * none for a bare `--version`; every one otherwise (`--help`, no command, an unknown one — so
 * commander can list them or suggest the nearest). Without `argv`, every command.
 */
export async function buildProgram(argv?: string[]): Promise<Command> {
  const program = new Command('headroom')
    .description(
      'A living capacity plan: watch, judge, forecast and scale from your scaling roadmap.',
    )
    .version('0.1.0')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  const named = argv ? commandOf(argv) : undefined;
  const onlyVersion =
    argv !== undefined &&
    named === undefined &&
    argv.slice(2).length > 0 &&
    argv.slice(2).every((a) => a === '-V' || a === '--version');
  const wanted =
    named !== undefined && Object.hasOwn(COMMANDS, named)
      ? [named]
      : onlyVersion
        ? []
        : Object.keys(COMMANDS);
  const registers = new Set(await Promise.all(wanted.map((name) => COMMANDS[name]!())));
  for (const register of registers) register(program);
  return program;
}

/** Runs the CLI with `argv` (process.argv shape); resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  try {
    const program = await buildProgram(argv);
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
