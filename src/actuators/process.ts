/**
 * The `process` actuator: runs the pool's workers as local child processes of headroom, one
 * process per replica, from the user's command (argv, env, cwd; no shell).
 *
 * - Scale-up starts processes and resolves once each has started (a program that cannot be
 *   started fails the change). Each worker gets `HEADROOM_POOL` and `HEADROOM_WORKER` (its
 *   number, counting up from 1) in its environment.
 * - Scale-down stops the newest workers first: SIGTERM, then it waits for them to exit (to
 *   finish the job in hand: the drain) up to `graceMs` (default 30 s); a worker still running
 *   then gets SIGKILL and a visible warning. The change resolves once they are gone.
 * - A worker that exits on its own (a crash, or a clean exit nobody asked for) is reported
 *   with its exit code and the tail of its stderr, in the log and in `status()`; `current()`
 *   counts live workers only, so the next decision replaces it.
 * - `close()` stops every worker the same way. Should headroom exit without closing (an
 *   uncaught error, `process.exit`), the workers get SIGKILL on its way out; only a headroom
 *   killed with SIGKILL leaves them running.
 *
 * The command should be the worker itself (or `exec` it): signals go to that process, not to
 * children it forks. Changes run one at a time, in the order asked.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { HeadroomError } from '../errors.ts';
import {
  ActuatorError,
  actuatorConfigError,
  assertReplicas,
  errorMessage,
  StatusRecorder,
  tail,
  type Actuator,
  type ActuatorStatus,
} from './actuator.ts';
import { templateProblem } from './command.ts';

/** How long a stopped worker may take to exit before SIGKILL, when the plan does not say, ms. */
export const DEFAULT_GRACE_MS = 30_000;
/** Bytes of each worker's stderr kept for crash reports. */
const STDERR_TAIL = 4096;

/** Options of the process actuator. */
export interface ProcessActuatorOptions {
  /** The pool it scales (`autoscale.<pool>` in the plan). */
  pool: string;
  /** The worker command: program, then arguments (no placeholders, no shell). */
  argv: readonly string[];
  /** Extra environment variables (headroom's environment is inherited). */
  env?: Record<string, string>;
  /** Working directory of the workers (default: headroom's). */
  cwd?: string;
  /** How long a worker may drain after SIGTERM before SIGKILL, ms (default 30 s). */
  graceMs?: number;
  /** Workers' stdout and stderr: passed through to headroom's (default) or dropped. */
  output?: 'inherit' | 'ignore';
  /** Where warnings go (a worker killed, a worker crashed); default console.warn. */
  log?: (line: string) => void;
  /** Where the command is in the plan, for messages (default `autoscale.<pool>.actuator`). */
  field?: string;
  /** Clock, epoch ms. */
  now?: () => number;
}

/** One worker as `workers()` shows it. */
export interface WorkerInfo {
  /** Its number in this pool, counting up from 1. */
  id: number;
  pid: number;
  /** When it started, epoch ms. */
  startedAt: number;
  /** True once it has been asked to stop (it may still be draining). */
  stopping: boolean;
}

interface Worker {
  id: number;
  child: ChildProcess;
  startedAt: number;
  stopping: boolean;
  stderr: string;
  exited: Promise<void>;
}

/** The process actuator. */
export class ProcessActuator implements Actuator {
  /** Kind name as written in plans. */
  readonly kind = 'process';
  private readonly argv: readonly string[];
  private readonly graceMs: number;
  private readonly field: string;
  private readonly log: (line: string) => void;
  private readonly recorder: StatusRecorder;
  private readonly now: () => number;
  private readonly live = new Map<number, Worker>();
  private nextId = 1;
  private crashes = 0;
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;
  private readonly onExit = (): void => {
    for (const w of this.live.values()) w.child.kill('SIGKILL');
  };

  constructor(private readonly options: ProcessActuatorOptions) {
    this.field = options.field ?? `autoscale.${options.pool}.actuator`;
    const problem = templateProblem(options.argv, null);
    if (problem) throw this.configError(`argv${problem.path}`, problem.message);
    this.argv = [...options.argv];
    this.graceMs = options.graceMs ?? DEFAULT_GRACE_MS;
    if (!(this.graceMs >= 0)) throw this.configError('grace', 'must be a duration such as 30s');
    this.now = options.now ?? Date.now;
    this.log = options.log ?? ((line) => console.warn(line));
    this.recorder = new StatusRecorder(this.kind, options.pool, this.now);
    process.on('exit', this.onExit);
  }

  /** Workers running and not asked to stop. */
  current(): Promise<number> {
    return Promise.resolve(this.running().length);
  }

  /** Starts or stops workers until `replicas` run; a scale-down waits for the drain. */
  async scale(replicas: number, reason: string): Promise<void> {
    assertReplicas(this.kind, this.options.pool, replicas);
    return this.serial(async () => {
      if (this.closed) throw this.error('the actuator is closed');
      const running = this.running();
      if (replicas > running.length) {
        for (let i = running.length; i < replicas; i++) await this.start();
      } else if (replicas < running.length) {
        const newestFirst = [...running].sort((a, b) => b.id - a.id);
        await Promise.all(newestFirst.slice(0, running.length - replicas).map((w) => this.stop(w)));
      }
      this.recorder.scaled(replicas, reason);
    });
  }

  /** Workers alive now, draining ones included, oldest first. */
  workers(): WorkerInfo[] {
    return [...this.live.values()].map((w) => ({
      id: w.id,
      pid: w.child.pid ?? 0,
      startedAt: w.startedAt,
      stopping: w.stopping,
    }));
  }

  /** Workers that exited without being asked to, since the start. */
  crashCount(): number {
    return this.crashes;
  }

  /** The last change and failure (a crash is a failure). */
  status(): ActuatorStatus {
    return this.recorder.snapshot();
  }

  /** Stops every worker (SIGTERM, the grace period, then SIGKILL). Safe to call twice. */
  async close(): Promise<void> {
    this.closed = true;
    await this.queue.catch(() => undefined);
    await Promise.all([...this.live.values()].map((w) => this.stop(w)));
    process.off('exit', this.onExit);
  }

  private running(): Worker[] {
    return [...this.live.values()].filter((w) => !w.stopping);
  }

  private serial<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Starts one worker; resolves once it runs, rejects when it cannot be started. */
  private async start(): Promise<void> {
    const id = this.nextId++;
    const [program, ...args] = this.argv;
    const inherit = (this.options.output ?? 'inherit') === 'inherit';
    const child = spawn(program!, args, {
      cwd: this.options.cwd,
      env: {
        ...process.env,
        ...this.options.env,
        HEADROOM_POOL: this.options.pool,
        HEADROOM_WORKER: String(id),
      },
      stdio: ['ignore', inherit ? 'inherit' : 'ignore', 'pipe'],
      shell: false,
      windowsHide: true,
    });
    const worker: Worker = {
      id,
      child,
      startedAt: this.now(),
      stopping: false,
      stderr: '',
      exited: Promise.resolve(),
    };
    child.stderr?.on('data', (chunk: Buffer) => {
      if (inherit) process.stderr.write(chunk);
      const next = worker.stderr + chunk.toString('utf8');
      worker.stderr = next.length > STDERR_TAIL ? next.slice(-STDERR_TAIL) : next;
    });
    const started = new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', reject);
    });
    worker.exited = new Promise<void>((resolve) => {
      child.once('exit', (code, signal) => {
        this.live.delete(id);
        if (!worker.stopping && child.pid !== undefined) this.crashed(worker, code, signal);
        resolve();
      });
    });
    try {
      await started;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw this.recorder.failed(
        this.error(
          `cannot start "${program}": ${code ?? errorMessage(err)}`,
          code === 'ENOENT'
            ? `install it, or write its full path in ${this.field}.argv[0]`
            : undefined,
          err,
        ),
      );
    }
    child.on('error', (err) => this.recorder.failed(this.error(errorMessage(err))));
    this.live.set(id, worker);
  }

  /** SIGTERM, wait up to the grace period, then SIGKILL with a warning. */
  private async stop(worker: Worker): Promise<void> {
    const { child } = worker;
    worker.stopping = true;
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([
      worker.exited.then(() => false),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), this.graceMs))),
    ]);
    clearTimeout(timer);
    if (!timedOut) return;
    const error = this.error(
      `worker ${worker.id} (pid ${child.pid}) did not exit within ${this.graceMs / 1000}s of SIGTERM; sent SIGKILL (its job in hand may be lost)`,
    );
    this.log(`warning: ${error.message}`);
    this.recorder.failed(error);
    child.kill('SIGKILL');
    await worker.exited;
  }

  private crashed(worker: Worker, code: number | null, signal: NodeJS.Signals | null): void {
    this.crashes += 1;
    const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
    const err = tail(worker.stderr, 600);
    const error = this.error(
      `worker ${worker.id} (pid ${worker.child.pid}) ${how} without being asked to stop${err ? `: ${err}` : ''}`,
    );
    this.log(`warning: ${error.message}`);
    this.recorder.failed(error);
  }

  private error(message: string, hint?: string, cause?: unknown): ActuatorError {
    return new ActuatorError(
      this.kind,
      this.options.pool,
      `process actuator of ${this.options.pool}: ${message}`,
      { ...(hint ? { hint } : {}), ...(cause !== undefined ? { cause } : {}) },
    );
  }

  private configError(path: string, message: string): HeadroomError {
    return actuatorConfigError(this.kind, `${this.field}.${path}`, message);
  }
}
