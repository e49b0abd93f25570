/**
 * The error catalog: every error a user can meet, with a stable code, the CLI exit code and the
 * HTTP status it maps to. `docs/errors.md` lists the same codes; a test keeps the two in step.
 */

/** One catalog entry: what kind of failure it is and how it surfaces. */
export interface ErrorKind {
  /** Short summary shown as the error's title. */
  readonly title: string;
  /** Process exit code for the CLI (3 = plan error / unknown, 64 = usage, 70 = internal). */
  readonly exitCode: number;
  /** HTTP status for the API. */
  readonly httpStatus: number;
}

/** Stable error codes. Never renumber or reuse one: scripts and users match on them. */
export const ERRORS = {
  PLAN_NOT_FOUND: { title: 'plan file not found', exitCode: 3, httpStatus: 404 },
  PLAN_YAML: { title: 'malformed YAML', exitCode: 3, httpStatus: 400 },
  PLAN_SCHEMA: { title: 'invalid plan field', exitCode: 3, httpStatus: 400 },
  PLAN_UNKNOWN_FIELD: { title: 'unknown field', exitCode: 3, httpStatus: 400 },
  PLAN_UNIT: { title: 'wrong unit', exitCode: 3, httpStatus: 400 },
  PLAN_ENV: { title: 'missing environment variable', exitCode: 3, httpStatus: 400 },
  PLAN_DUPLICATE: { title: 'duplicate name', exitCode: 3, httpStatus: 400 },
  PLAN_REFERENCE: { title: 'unknown reference', exitCode: 3, httpStatus: 400 },
  PLAN_CYCLE: { title: 'cycle between formulas', exitCode: 3, httpStatus: 400 },
  PLAN_EXPRESSION: { title: 'invalid expression', exitCode: 3, httpStatus: 400 },
  TEMPLATE_UNKNOWN: { title: 'unknown template', exitCode: 64, httpStatus: 404 },
  FILE_EXISTS: { title: 'file already exists', exitCode: 64, httpStatus: 409 },
  CSV_INVALID: { title: 'invalid CSV input', exitCode: 3, httpStatus: 400 },
  USAGE: { title: 'invalid command-line usage', exitCode: 64, httpStatus: 400 },
  SOURCE_CONFIG: { title: 'invalid source configuration', exitCode: 3, httpStatus: 400 },
  SOURCE_UNAVAILABLE: { title: 'source unavailable', exitCode: 3, httpStatus: 503 },
  SOURCE_BAD_VALUE: { title: 'source returned a bad value', exitCode: 3, httpStatus: 502 },
  SOURCE_NOT_FOUND: { title: 'queue or stream not found', exitCode: 3, httpStatus: 404 },
  LOADTEST_CONFIG: { title: 'invalid load test', exitCode: 3, httpStatus: 400 },
  LOADTEST_REMOTE: { title: 'load test target outside this machine', exitCode: 3, httpStatus: 403 },
  STORE_IO: { title: 'store read/write failed', exitCode: 70, httpStatus: 500 },
  INTERNAL: { title: 'internal error', exitCode: 70, httpStatus: 500 },
} as const satisfies Record<string, ErrorKind>;

/** A stable error code from the catalog. */
export type ErrorCode = keyof typeof ERRORS;

/** Where in a user's file an error is: 1-based line and column, and the field path. */
export interface ErrorLocation {
  /** File path as the user gave it. */
  file?: string;
  /** 1-based line number. */
  line?: number;
  /** 1-based column number. */
  column?: number;
  /** Field path inside the document, e.g. `triggers[2].warning.when`. */
  path?: string;
}

/** Options for a catalogued error: where it happened, what to do, and the underlying cause. */
export interface HeadroomErrorOptions extends ErrorLocation {
  /** What the user should do about it, as one sentence. */
  hint?: string;
  /** The lower-level error, kept for debugging (never printed to users). */
  cause?: unknown;
}

/** An error with a stable catalog code, a location and a hint. Thrown for every user mistake. */
export class HeadroomError extends Error {
  /** Catalog code. */
  readonly code: ErrorCode;
  /** Where it happened. */
  readonly location: ErrorLocation;
  /** What to do about it. */
  readonly hint: string | undefined;

  constructor(code: ErrorCode, message: string, options: HeadroomErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'HeadroomError';
    this.code = code;
    const { hint, cause: _cause, ...location } = options;
    this.location = location;
    this.hint = hint;
  }

  /** Exit code for the CLI. */
  get exitCode(): number {
    return ERRORS[this.code].exitCode;
  }

  /** HTTP status for the API. */
  get httpStatus(): number {
    return ERRORS[this.code].httpStatus;
  }

  /** Plain-data form for `--json` output and API responses. */
  toJSON(): Record<string, unknown> {
    return { code: this.code, message: this.message, hint: this.hint, ...this.location };
  }
}

/** Several errors found in one pass (a plan with three mistakes reports all three). */
export class HeadroomErrors extends Error {
  /** The individual errors, in document order. */
  readonly errors: HeadroomError[];

  constructor(errors: HeadroomError[]) {
    super(errors.map((e) => e.message).join('\n'));
    this.name = 'HeadroomErrors';
    this.errors = errors;
  }

  /** Exit code for the CLI: the first error's. */
  get exitCode(): number {
    return this.errors[0]?.exitCode ?? ERRORS.INTERNAL.exitCode;
  }
}

/** `file:line:column` (whatever parts are known), or '' when nothing is. */
export function formatLocation(location: ErrorLocation): string {
  const parts = [location.file, location.line, location.column].filter((p) => p !== undefined);
  return parts.join(':');
}

/** One error as the CLI prints it: `file:line:col: CODE at path: message` + hint line. */
export function formatError(error: HeadroomError): string {
  const where = formatLocation(error.location);
  const path = error.location.path ? ` at ${error.location.path}` : '';
  const head = `${where ? `${where}: ` : ''}${error.code}${path}: ${error.message}`;
  return error.hint ? `${head}\n  hint: ${error.hint}` : head;
}

/** Flattens a thrown value into catalogued errors; anything else becomes INTERNAL. */
export function asHeadroomErrors(thrown: unknown): HeadroomError[] {
  if (thrown instanceof HeadroomErrors) return thrown.errors;
  if (thrown instanceof HeadroomError) return [thrown];
  const message = thrown instanceof Error ? thrown.message : String(thrown);
  return [new HeadroomError('INTERNAL', message, { cause: thrown })];
}
