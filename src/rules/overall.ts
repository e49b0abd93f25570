/**
 * One word and one exit code for a set of trigger statuses — the Nagios plugin convention
 * monitoring tools understand: 0 ok, 1 warning, 2 critical, 3 unknown.
 */
import type { TriggerStatus } from './types.ts';

/** Exit code for a set of trigger statuses (Nagios convention). */
export function exitCodeFor(statuses: readonly TriggerStatus[]): number {
  const has = (s: string): boolean => statuses.some((t) => t.status === s);
  if (has('critical')) return 2;
  if (has('warning')) return 1;
  if (has('unknown')) return 3;
  return 0;
}

/** Overall status word for a set of trigger statuses. */
export function overallStatus(statuses: readonly TriggerStatus[]): string {
  return ['ok', 'warning', 'critical', 'unknown'][exitCodeFor(statuses)]!;
}
