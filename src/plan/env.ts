/**
 * `${VAR}` interpolation: secrets live in the environment, never in the plan file. Supports
 * `${VAR}` and `${VAR:-default}`; `$${...}` escapes a literal `${`. Applied to every string
 * value after YAML parsing, so positions of missing variables are known.
 */
import { HeadroomError } from '../errors.ts';
import type { FieldPath, SourceMap } from './source-map.ts';

const PATTERN = /\$(\$)?\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/** Names of environment variables a value reads (so responses can redact their values). */
export function referencedEnv(text: string): string[] {
  return [...text.matchAll(PATTERN)].filter((m) => !m[1]).map((m) => m[2]!);
}

/** Interpolates every string in `value`; collects one error per missing variable. */
export function interpolateEnv(
  value: unknown,
  env: Record<string, string | undefined>,
  map: SourceMap,
  errors: HeadroomError[],
  path: FieldPath = [],
): unknown {
  if (typeof value === 'string') return interpolateString(value, env, map, errors, path);
  if (Array.isArray(value)) {
    return value.map((v, i) => interpolateEnv(v, env, map, errors, [...path, i]));
  }
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, interpolateEnv(v, env, map, errors, [...path, k])]),
    );
  }
  return value;
}

function interpolateString(
  text: string,
  env: Record<string, string | undefined>,
  map: SourceMap,
  errors: HeadroomError[],
  path: FieldPath,
): string {
  return text.replace(
    PATTERN,
    (whole, escaped: string | undefined, name: string, fallback?: string) => {
      if (escaped) return whole.slice(1);
      const found = env[name];
      if (found !== undefined && found !== '') return found;
      if (fallback !== undefined) return fallback;
      errors.push(
        new HeadroomError('PLAN_ENV', `environment variable ${name} is not set`, {
          ...map.locate(path),
          hint: `export ${name}=... before running headroom, or write \${${name}:-default} in the plan`,
        }),
      );
      return '';
    },
  );
}
