/**
 * The `command` actuator: runs a command to set the replicas, e.g. `pm2 scale sms-worker 5` or
 * `aws ecs update-service … --desired-count 5`, from an argv template:
 *
 *   argv: [pm2, scale, sms-worker, "{replicas}"]
 *
 * - No shell is involved: the program is started directly with its arguments (`spawn` without
 *   `shell`), so nothing in a value is interpreted (`;`, `$( )`, quotes, globs, redirections).
 * - Placeholders (`{replicas}`, `{pool}`, `{reason}`) fill all or part of one argument and never
 *   add, remove or split arguments; the program (`argv[0]`) cannot contain one. Unknown
 *   placeholders are rejected when the actuator is built. `{replicas}` is always a whole number.
 *   `{reason}` is put on one line, cut to 500 characters, and loses leading dashes so it can
 *   never read as an option. The values are also in the environment: `HEADROOM_POOL`,
 *   `HEADROOM_REPLICAS`, `HEADROOM_REASON`.
 * - A command that runs longer than `timeoutMs` (default 30 s) gets SIGTERM, then SIGKILL 5 s
 *   later, and the change fails. A non-zero exit fails with the tail of its stderr.
 * - `current()` runs `currentArgv` when given (its stdout must be a whole number, e.g.
 *   `[sh, -c, "pm2 jlist | jq length"]` written by the user), else answers the last value set,
 *   or `initial` before the first change.
 *
 * Changes run one at a time, in the order asked.
 */
import { spawn } from 'node:child_process';
import type { HeadroomError } from '../errors.ts';
import {
  ActuatorError,
  actuatorConfigError,
  assertReplicas,
  oneLine,
  StatusRecorder,
  tail,
  type Actuator,
  type ActuatorStatus,
} from './actuator.ts';

/** Placeholders a scaling command may use. */
export const COMMAND_PLACEHOLDERS = ['replicas', 'pool', 'reason'] as const;
/** Placeholders the `current` command may use. */
export const CURRENT_PLACEHOLDERS = ['pool'] as const;
/** Deadline of one command when none is given, ms. */
export const DEFAULT_COMMAND_TIMEOUT_MS = 30_000;
/** Time between SIGTERM and SIGKILL for a command past its deadline, ms. */
export const KILL_AFTER_MS = 5_000;

const PLACEHOLDER = /\{([A-Za-z_][A-Za-z0-9_]*)\}/g;
/** Most bytes of each output stream kept. */
const MAX_OUTPUT = 64 * 1024;

/** Options of the command actuator. */
export interface CommandActuatorOptions {
  /** The pool it scales (`autoscale.<pool>` in the plan). */
  pool: string;
  /** The argv template: the program, then its arguments, with placeholders. */
  argv: readonly string[];
  /** A command that prints the current replicas (placeholder `{pool}` only). */
  currentArgv?: readonly string[];
  /** Deadline of each run, ms (default 30 s). */
  timeoutMs?: number;
  /** Working directory of the commands (default: headroom's). */
  cwd?: string;
  /** Extra environment variables (headroom's environment is inherited). */
  env?: Record<string, string>;
  /** What `current()` answers before the first change when there is no `currentArgv`. */
  initial?: number;
  /** Where the template is in the plan, for messages (default `autoscale.<pool>.actuator`). */
  field?: string;
  /** Clock, epoch ms. */
  now?: () => number;
}

/**
 * The first problem with an argv template, or undefined: it must be a non-empty list of
 * strings, with a program free of placeholders and only the `allowed` placeholders elsewhere
 * (`null`: no placeholders at all, braces are plain text). The returned path is relative to
 * the template (`[0]`, `[3]`, or '' for the whole list).
 */
export function templateProblem(
  argv: unknown,
  allowed: readonly string[] | null,
): { path: string; message: string } | undefined {
  if (!Array.isArray(argv) || argv.length === 0) {
    return { path: '', message: 'must be a non-empty list: the program, then its arguments' };
  }
  for (const [i, arg] of argv.entries()) {
    if (typeof arg !== 'string') {
      return { path: `[${i}]`, message: `must be a string (quote it), got ${typeof arg}` };
    }
    if (arg.includes('\0')) return { path: `[${i}]`, message: 'must not contain a NUL character' };
    if (allowed === null) {
      if (i === 0 && arg.trim() === '') {
        return { path: '[0]', message: 'the program must not be empty' };
      }
      continue;
    }
    const names = [...arg.matchAll(PLACEHOLDER)].map((m) => m[1]!);
    if (i === 0) {
      if (arg.trim() === '') return { path: '[0]', message: 'the program must not be empty' };
      if (names.length > 0) {
        return { path: '[0]', message: 'the program cannot contain a placeholder; name it' };
      }
      continue;
    }
    const unknown = names.find((n) => !allowed.includes(n));
    if (unknown !== undefined) {
      return {
        path: `[${i}]`,
        message: `unknown placeholder {${unknown}}; use ${allowed.map((n) => `{${n}}`).join(', ')}`,
      };
    }
  }
  return undefined;
}

/** Fills the placeholders of each argument; the result has exactly as many arguments. */
export function fillTemplate(
  argv: readonly string[],
  values: Readonly<Record<string, string>>,
): string[] {
  return argv.map((arg) =>
    arg.replace(PLACEHOLDER, (whole, name: string) => values[name] ?? whole),
  );
}

/** What one run of a command produced. */
export interface CommandResult {
  /** Exit code, or null when a signal ended it. */
  code: number | null;
  /** The signal that ended it, if any. */
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** True when it ran past its deadline and was stopped. */
  timedOut: boolean;
}

/** Runs `argv` without a shell; resolves when it ends, rejects only when it cannot start. */
export function runArgv(
  argv: readonly string[],
  options: { timeoutMs: number; cwd?: string; env?: NodeJS.ProcessEnv },
): Promise<CommandResult> {
  const [program, ...args] = argv;
  return new Promise((resolve, reject) => {
    const child = spawn(program!, args, {
      cwd: options.cwd,
      env: options.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      shell: false,
      windowsHide: true,
    });
    let stdout = '';
    let stderr = '';
    const keep = (text: string, chunk: Buffer): string => {
      const next = text + chunk.toString('utf8');
      return next.length > MAX_OUTPUT ? next.slice(-MAX_OUTPUT) : next;
    };
    child.stdout.on('data', (chunk: Buffer) => (stdout = keep(stdout, chunk)));
    child.stderr.on('data', (chunk: Buffer) => (stderr = keep(stderr, chunk)));
    let timedOut = false;
    let killer: NodeJS.Timeout | undefined;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGTERM');
      killer = setTimeout(() => child.kill('SIGKILL'), KILL_AFTER_MS);
    }, options.timeoutMs);
    const clear = (): void => {
      clearTimeout(timer);
      if (killer) clearTimeout(killer);
    };
    child.once('error', (err) => {
      clear();
      reject(err);
    });
    child.once('close', (code, signal) => {
      clear();
      resolve({ code, signal, stdout, stderr, timedOut });
    });
  });
}

/** The command actuator. */
export class CommandActuator implements Actuator {
  /** Kind name as written in plans. */
  readonly kind = 'command';
  private readonly argv: readonly string[];
  private readonly currentArgv: readonly string[] | undefined;
  private readonly timeoutMs: number;
  private readonly field: string;
  private readonly recorder: StatusRecorder;
  private last: number | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(private readonly options: CommandActuatorOptions) {
    this.field = options.field ?? `autoscale.${options.pool}.actuator`;
    const problem = templateProblem(options.argv, COMMAND_PLACEHOLDERS);
    if (problem) throw this.configError(`argv${problem.path}`, problem.message);
    if (options.currentArgv !== undefined) {
      const p = templateProblem(options.currentArgv, CURRENT_PLACEHOLDERS);
      if (p) throw this.configError(`current_argv${p.path}`, p.message);
    }
    this.argv = [...options.argv];
    this.currentArgv = options.currentArgv ? [...options.currentArgv] : undefined;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
    if (!(this.timeoutMs > 0)) throw this.configError('timeout', 'must be a positive duration');
    this.recorder = new StatusRecorder(this.kind, options.pool, options.now);
  }

  /** The replicas `currentArgv` prints, else the last value set (or `initial`). */
  current(): Promise<number> {
    if (!this.currentArgv) return Promise.resolve(this.last ?? this.options.initial ?? 0);
    return this.serial(async () => {
      const argv = fillTemplate(this.currentArgv!, { pool: this.options.pool });
      const result = await this.run(argv, 'current_argv', {});
      const text = result.stdout.trim();
      if (!/^\d+$/.test(text)) {
        throw this.recorder.failed(
          this.error(
            `\`${display(argv)}\` printed ${JSON.stringify(tail(text, 80))}, not a whole number of replicas`,
            `make ${this.field}.current_argv print only the number`,
          ),
        );
      }
      return Number(text);
    });
  }

  /** Runs the template with the replicas filled in; rejects when it fails or times out. */
  async scale(replicas: number, reason: string): Promise<void> {
    assertReplicas(this.kind, this.options.pool, replicas);
    return this.serial(async () => {
      if (this.closed) throw this.error('the actuator is closed');
      const why = oneLine(reason).replace(/^-+\s*/, '');
      const values = { replicas: String(replicas), pool: this.options.pool, reason: why };
      const argv = fillTemplate(this.argv, values);
      await this.run(argv, 'argv', {
        HEADROOM_POOL: this.options.pool,
        HEADROOM_REPLICAS: String(replicas),
        HEADROOM_REASON: why,
      });
      this.last = replicas;
      this.recorder.scaled(replicas, reason);
    });
  }

  /** The last change and failure. */
  status(): ActuatorStatus {
    return this.recorder.snapshot();
  }

  /** Waits for a command in progress; later changes are refused. Safe to call twice. */
  async close(): Promise<void> {
    this.closed = true;
    await this.queue.catch(() => undefined);
  }

  private serial<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async run(
    argv: string[],
    which: 'argv' | 'current_argv',
    extraEnv: Record<string, string>,
  ): Promise<CommandResult> {
    let result: CommandResult;
    try {
      result = await runArgv(argv, {
        timeoutMs: this.timeoutMs,
        cwd: this.options.cwd,
        env: { ...process.env, ...this.options.env, ...extraEnv },
      });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const hint =
        code === 'ENOENT'
          ? `install it, or write its full path in ${this.field}.${which}[0]`
          : code === 'EACCES'
            ? `make ${argv[0]} executable`
            : undefined;
      throw this.recorder.failed(
        this.error(`cannot run "${argv[0]}": ${code ?? (err as Error).message}`, hint, err),
      );
    }
    if (result.timedOut) {
      throw this.recorder.failed(
        this.error(
          `\`${display(argv)}\` did not finish within ${this.timeoutMs / 1000}s and was stopped`,
          `raise ${this.field}.timeout, or check why the command hangs`,
        ),
      );
    }
    if (result.code !== 0) {
      const how =
        result.code === null ? `was killed by ${result.signal}` : `exited with code ${result.code}`;
      const err = tail(result.stderr, 600) || tail(result.stdout, 300);
      throw this.recorder.failed(this.error(`\`${display(argv)}\` ${how}${err ? `: ${err}` : ''}`));
    }
    return result;
  }

  private error(message: string, hint?: string, cause?: unknown): ActuatorError {
    return new ActuatorError(
      this.kind,
      this.options.pool,
      `command actuator of ${this.options.pool}: ${message}`,
      { ...(hint ? { hint } : {}), ...(cause !== undefined ? { cause } : {}) },
    );
  }

  private configError(path: string, message: string): HeadroomError {
    return actuatorConfigError(this.kind, `${this.field}.${path}`, message);
  }
}

/** An argv as a person would read it in a message (arguments with spaces quoted). */
export function display(argv: readonly string[]): string {
  return argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : JSON.stringify(a))).join(' ');
}
