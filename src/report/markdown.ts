/**
 * Markdown helpers for the roadmap: tables, dates with their plausible range, counts and
 * quantities in their units, driver values and costs per driver unit.
 */
import { formatDurationMs } from '../plan/units.ts';
import { formatCount, formatDate, formatValue } from './format.ts';

/** A Markdown table (pipes in cells escaped). */
export function table(head: string[], rows: string[][]): string {
  const esc = (c: string): string => c.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  return [
    `| ${head.join(' | ')} |`,
    `|${head.map(() => '---').join('|')}|`,
    ...rows.map((row) => `| ${row.map(esc).join(' | ')} |`),
  ].join('\n');
}

/** A date, with its plausible range when it has one. */
export function when(at: number | undefined, earliest?: number, latest?: number): string {
  if (at === undefined) return 'not within the horizon';
  const day = formatDate(at);
  if (earliest === undefined && latest === undefined) return day;
  const lo = earliest === undefined ? day : formatDate(earliest);
  const hi = latest === undefined ? 'later' : formatDate(latest);
  return lo === day && hi === day ? day : `${day} (${lo} – ${hi})`;
}

/** `companies` → `company`, `users` → `user`. */
export function singular(word: string): string {
  if (word.endsWith('ies')) return `${word.slice(0, -3)}y`;
  return word.endsWith('s') && !word.endsWith('ss') ? word.slice(0, -1) : word;
}

/** A horizon for people: `2 years`, `90d`. */
export function horizonText(ms: number): string {
  const years = ms / 31_557_600_000;
  return years >= 1
    ? `${Number(years.toFixed(1))} year${years >= 1.05 ? 's' : ''}`
    : formatDurationMs(ms);
}

/** Driver values as `1,200 companies, 40 instructors`. */
export function driverText(values: Record<string, number>): string {
  return Object.entries(values)
    .map(([d, v]) => `${formatCount(Math.round(v))} ${d}`)
    .join(', ');
}

/** ` ($0.05 per company)` from cost per driver unit, or nothing. */
export function perUnit(per: Record<string, number>): string {
  const parts = Object.entries(per).map(([d, v]) => `$${v.toPrecision(3)} per ${singular(d)}`);
  return parts.length ? ` (${parts.join(', ')})` : '';
}

/** A value in its unit; plain counts with thousands separators. */
export function quantity(v: number | undefined, unit: string): string {
  return unit === '' ? formatCount(v) : formatValue(v, unit);
}
