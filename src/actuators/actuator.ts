/**
 * The `Actuator` contract: how a scaling decision reaches the world (local processes, a
 * command, Kubernetes, KEDA, a webhook, or the demo's simulated pools), plus what every kind
 * shares: its status (last change, last error), the errors it throws, and the replica check.
 */
import { HeadroomError } from '../errors.ts';

/** Carries out replica changes for one pool. */
export interface Actuator {
  /** Kind name as written in plans (`process`, `command`, `kubernetes`, …). */
  readonly kind: string;
  /** Replicas asked for now (running plus starting). */
  current(): Promise<number>;
  /** Replicas running and taking work, when the actuator can tell them apart from `current`. */
  ready?(): number;
  /** Asks for `replicas`; `reason` is the policy's, for logs and audit trails. */
  scale(replicas: number, reason: string): Promise<void>;
  /** What it last did and the last thing that went wrong. */
  status?(): ActuatorStatus;
  /** Releases what it holds (processes, servers, connections). Safe to call twice. */
  close(): Promise<void>;
}

/** One change an actuator carried out. */
export interface ActuatorScale {
  /** When it took effect, epoch ms. */
  at: number;
  /** Replicas asked for. */
  replicas: number;
  /** The policy's reason. */
  reason: string;
}

/** One failure: a change that could not be made, a read that failed, a worker that crashed. */
export interface ActuatorFailure {
  /** When, epoch ms. */
  at: number;
  /** What went wrong, in one line. */
  message: string;
}

/** What an actuator last did, for the API and logs. */
export interface ActuatorStatus {
  /** Kind name as written in plans. */
  kind: string;
  /** The pool it scales. */
  pool: string;
  /** The last change carried out. */
  lastScale?: ActuatorScale;
  /** The last failure; compare its `at` with `lastScale.at` to tell whether it is still news. */
  lastError?: ActuatorFailure;
}

/** A change or read an actuator could not carry out (the command failed, the API said 403). */
export class ActuatorError extends Error {
  /** Kind of the actuator that failed. */
  readonly kind: string;
  /** The pool it scales. */
  readonly pool: string;
  /** What to do about it, as one sentence. */
  readonly hint: string | undefined;

  constructor(
    kind: string,
    pool: string,
    message: string,
    options: { hint?: string; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ActuatorError';
    this.kind = kind;
    this.pool = pool;
    this.hint = options.hint;
  }
}

/**
 * A plan mistake in an actuator's fields (PLAN_SCHEMA), located at `path`
 * (`autoscale.sms-worker.actuator.argv[0]`) and pointing at the kind's section of the docs.
 */
export function actuatorConfigError(
  kind: string,
  path: string,
  message: string,
  hint?: string,
): HeadroomError {
  return new HeadroomError('PLAN_SCHEMA', `${path}: ${message}`, {
    path,
    hint: hint ?? `see the "${kind}" actuator in docs/actuators.md`,
  });
}

/** Keeps an actuator's status: the last change and the last failure. */
export class StatusRecorder {
  private lastScale: ActuatorScale | undefined;
  private lastError: ActuatorFailure | undefined;

  constructor(
    private readonly kind: string,
    private readonly pool: string,
    private readonly now: () => number = Date.now,
  ) {}

  /** Records a change that took effect. */
  scaled(replicas: number, reason: string): void {
    this.lastScale = { at: this.now(), replicas, reason };
  }

  /** Records a failure and returns it as an `ActuatorError` (to throw). */
  failed(error: unknown): ActuatorError {
    const wrapped =
      error instanceof ActuatorError
        ? error
        : new ActuatorError(this.kind, this.pool, errorMessage(error), { cause: error });
    this.lastError = { at: this.now(), message: wrapped.message };
    return wrapped;
  }

  /** The status as the API shows it. */
  snapshot(): ActuatorStatus {
    return {
      kind: this.kind,
      pool: this.pool,
      ...(this.lastScale ? { lastScale: { ...this.lastScale } } : {}),
      ...(this.lastError ? { lastError: { ...this.lastError } } : {}),
    };
  }
}

/** Most replicas any actuator accepts: a guard against a runaway policy or a typo. */
export const MAX_REPLICAS = 10_000;

/** Throws unless `replicas` is a whole number in [0, MAX_REPLICAS]. */
export function assertReplicas(kind: string, pool: string, replicas: number): void {
  if (!Number.isSafeInteger(replicas) || replicas < 0 || replicas > MAX_REPLICAS) {
    throw new ActuatorError(
      kind,
      pool,
      `${kind} actuator of ${pool}: replicas must be a whole number from 0 to ${MAX_REPLICAS}, got ${String(replicas)}`,
    );
  }
}

/** Most characters of a reason passed on to a command, a webhook or a log. */
export const MAX_REASON_LENGTH = 500;

/** The reason on one line: control characters become spaces, at most MAX_REASON_LENGTH long. */
export function oneLine(reason: string, max = MAX_REASON_LENGTH): string {
  // eslint-disable-next-line no-control-regex
  const flat = reason.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** The message of anything thrown. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The last `maxChars` of `text`, starting at a line break when there is one. */
export function tail(text: string, maxChars = 800): string {
  const trimmed = text.trimEnd();
  if (trimmed.length <= maxChars) return trimmed;
  const cut = trimmed.slice(-maxChars);
  const newline = cut.indexOf('\n');
  return `…${newline >= 0 && newline < cut.length - 1 ? cut.slice(newline + 1) : cut}`;
}
