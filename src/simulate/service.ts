/**
 * Service times, as `--service-time` writes them:
 *
 *   const:2s            every job takes 2 s
 *   exp:2s              exponential with mean 2 s
 *   lognormal:4s,0.8    lognormal with mean 4 s and σ = 0.8 for the underlying normal,
 *                       so μ = ln(mean) − σ²/2
 *   column:<name>       the trace's own per-arrival column (seconds, or with a unit: 250ms)
 *
 * A bare duration (`2s`) is read as `exp:2s`, the M/M/c assumption.
 */
import { HeadroomError } from '../errors.ts';
import { parseDurationMs } from '../plan/units.ts';
import type { Rng } from './rng.ts';

/** A parsed service-time distribution. Means are seconds. */
export type ServiceSpec =
  | { kind: 'const'; meanSec: number }
  | { kind: 'exp'; meanSec: number }
  | { kind: 'lognormal'; meanSec: number; sigma: number }
  | { kind: 'column'; column: string };

const HINT = 'write const:2s, exp:2s (mean), lognormal:4s,0.8 (mean, σ) or column:<name>';

/** Parses `--service-time`; a USAGE error naming the flag otherwise. */
export function parseServiceTime(text: string, option = '--service-time'): ServiceSpec {
  const bad = (why: string): HeadroomError =>
    new HeadroomError('USAGE', `${option} "${text}": ${why}`, { hint: HINT });
  const s = text.trim();
  const colon = s.indexOf(':');
  const kind = colon < 0 ? 'exp' : s.slice(0, colon).trim().toLowerCase();
  const rest = colon < 0 ? s : s.slice(colon + 1).trim();
  const duration = (cell: string): number => {
    const ms = parseDurationMs(cell.trim());
    if (ms === undefined) throw bad(`"${cell.trim()}" is not a duration`);
    if (!(ms > 0)) throw bad('the mean must be > 0');
    return ms / 1000;
  };
  switch (kind) {
    case 'const':
    case 'exp':
      return { kind, meanSec: duration(rest) };
    case 'lognormal': {
      const parts = rest.split(',');
      if (parts.length !== 2) throw bad('lognormal takes a mean and a σ, e.g. lognormal:4s,0.8');
      const sigma = Number(parts[1]!.trim());
      if (!(Number.isFinite(sigma) && sigma >= 0 && sigma <= 5))
        throw bad(`σ "${parts[1]!.trim()}" must be a number from 0 to 5`);
      return { kind, meanSec: duration(parts[0]!), sigma };
    }
    case 'column':
      if (rest === '') throw bad('name the trace column, e.g. column:service_seconds');
      return { kind, column: rest };
    default:
      throw bad(`unknown distribution "${kind}"`);
  }
}

/** The distribution as `--service-time` writes it. */
export function formatServiceTime(spec: ServiceSpec): string {
  switch (spec.kind) {
    case 'const':
    case 'exp':
      return `${spec.kind}:${spec.meanSec}s`;
    case 'lognormal':
      return `lognormal:${spec.meanSec}s,${spec.sigma}`;
    case 'column':
      return `column:${spec.column}`;
  }
}

/**
 * Draws `n` service times in ms, one per job in arrival order. `column` takes `values`
 * (seconds, one per job) and draws nothing.
 */
export function drawServiceTimes(
  spec: ServiceSpec,
  n: number,
  rng: Rng,
  values?: Float64Array,
): Float64Array {
  const out = new Float64Array(n);
  switch (spec.kind) {
    case 'const':
      out.fill(spec.meanSec * 1000);
      break;
    case 'exp': {
      const mean = spec.meanSec * 1000;
      for (let i = 0; i < n; i++) out[i] = rng.exponential(mean);
      break;
    }
    case 'lognormal': {
      const mu = Math.log(spec.meanSec * 1000) - (spec.sigma * spec.sigma) / 2;
      for (let i = 0; i < n; i++) out[i] = Math.exp(mu + spec.sigma * rng.normal());
      break;
    }
    case 'column':
      if (!values || values.length !== n)
        throw new RangeError(`column:${spec.column} needs one value per job`);
      for (let i = 0; i < n; i++) out[i] = values[i]! * 1000;
      break;
  }
  return out;
}

/** The distribution's mean in seconds (a column's: the mean of its values). */
export function meanServiceSec(spec: ServiceSpec, values?: Float64Array): number {
  if (spec.kind !== 'column') return spec.meanSec;
  if (!values || values.length === 0) throw new RangeError(`column:${spec.column} has no values`);
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i]!;
  return sum / values.length;
}
