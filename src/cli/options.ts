/**
 * Parsing of command-line option values, with errors that name the option.
 */
import { HeadroomError } from '../errors.ts';
import { parseDurationMs } from '../plan/units.ts';

/** A duration option (`10s`, `5m`) in ms; a USAGE error naming the option otherwise. */
export function parseDurationOption(text: string, option: string): number {
  const ms = parseDurationMs(text);
  if (ms === undefined || ms <= 0) {
    throw new HeadroomError('USAGE', `${option} "${text}" is not a duration`, {
      hint: `write e.g. ${option} 10s`,
    });
  }
  return ms;
}
