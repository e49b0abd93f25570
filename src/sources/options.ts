/**
 * Option helpers shared by the source kinds: the `timeout` option (the plan's duration grammar:
 * `5s`, `250ms`, `1m`, a bare number is seconds) and turning zod issues into config issues.
 */
import { z } from 'zod';
import { HeadroomError } from '../errors.ts';
import { parseDurationMs } from '../plan/units.ts';
import type { SourceConfigIssue, SourceContext } from './source.ts';

/** Default deadline of a collect or request when the source sets no `timeout`, in ms. */
export const DEFAULT_TIMEOUT_MS = 10_000;

/** Parses `timeout` (`250ms`, `5s`, `1m`, `1.5s`, bare seconds) to ms; undefined if invalid. */
export function parseTimeoutMs(value: unknown): number | undefined {
  if (typeof value !== 'number' && typeof value !== 'string') return undefined;
  const ms = parseDurationMs(value);
  return ms !== undefined && ms > 0 ? ms : undefined;
}

/** Zod schema of the `timeout` option: a positive duration (add `.optional()`). */
export const TimeoutOption = z
  .union([z.string(), z.number()])
  .refine((t) => parseTimeoutMs(t) !== undefined, {
    error: 'must be a positive duration such as 5s, 250ms or 1m (a bare number is seconds)',
  });

/** Turns zod issues into config issues; unknown keys are named one by one, then `what` it takes. */
export function issuesOf(error: z.ZodError, what: string): SourceConfigIssue[] {
  return error.issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({ path: key, message: `unknown option "${key}"; ${what}` }))
      : [{ path: issue.path.join('.'), message: issue.message }],
  );
}

/** Throws SOURCE_CONFIG for the first issue, its path under `prefix` (`sources.x`, `metrics.y`). */
export function throwFirstIssue(issues: SourceConfigIssue[], prefix: string, kind: string): void {
  const first = issues[0];
  if (!first) return;
  const path = first.path ? `${prefix}.${first.path}` : prefix;
  throw new HeadroomError('SOURCE_CONFIG', `${path}: ${first.message}`, {
    path,
    hint: `see the "${kind}" source in docs/sources.md`,
  });
}

/** The problems `assertValidConfig` looks for: a source's options, and one metric's selector. */
export interface ConfigChecks {
  /** Problems with the source's own options. */
  options(options: Record<string, unknown>): SourceConfigIssue[];
  /** Problems with one metric's selector (given the source's options). */
  select(select: Record<string, unknown>, options: Record<string, unknown>): SourceConfigIssue[];
}

/**
 * Throws SOURCE_CONFIG for the first problem in a source's options or its metrics' selectors,
 * located at `sources.<name>.…` or `metrics.<metric>.…`: the guard for a source built from a
 * plan that skipped validation. `pathInMessage: false` leaves the path out of the message.
 */
export function assertValidConfig(
  kind: string,
  context: SourceContext,
  checks: ConfigChecks,
  pathInMessage = true,
): void {
  const problems = [
    ...checks
      .options(context.options)
      .map((i) => ({ ...i, path: `sources.${context.name}.${i.path}` })),
    ...context.metrics.flatMap((m) =>
      checks
        .select(m.select, context.options)
        .map((i) => ({ ...i, path: `metrics.${m.name}.${i.path}` })),
    ),
  ];
  const first = problems[0];
  if (!first) return;
  throw new HeadroomError(
    'SOURCE_CONFIG',
    pathInMessage ? `${first.path}: ${first.message}` : first.message,
    {
      path: first.path,
      hint: `see the "${kind}" source in docs/sources.md`,
    },
  );
}
