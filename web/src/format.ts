/**
 * How numbers, units, times and statuses read on the dashboard. Values arrive in the server's
 * canonical units (bytes, per second, seconds, ratios 0..1); a trigger's display unit is read
 * from its condition as written (`> 70%` is a ratio, `> 200ms` a duration).
 */

const number = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });
const compact = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 });
const usd = new Intl.NumberFormat('en-US', {
  style: 'currency',
  currency: 'USD',
  maximumFractionDigits: 0,
});
const usdCents = new Intl.NumberFormat('en-US', {
  style: 'currency',
  currency: 'USD',
  minimumFractionDigits: 2,
  maximumFractionDigits: 2,
});
const monthYear = new Intl.DateTimeFormat('en-US', { month: 'long', year: 'numeric' });
const dayMonthYear = new Intl.DateTimeFormat('en-US', {
  day: 'numeric',
  month: 'short',
  year: 'numeric',
});
const clock = new Intl.DateTimeFormat('en-US', {
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hour12: false,
});

/** A dash for what is not known. */
export const NONE = '—';

/** A count or rate to about three figures: 1,247; 35.4; 0.42; 1.2M past a million. */
export function count(v: number | undefined): string {
  if (v === undefined || !Number.isFinite(v)) return NONE;
  const a = Math.abs(v);
  if (a >= 1e6) return compact.format(v);
  if (a >= 100) return number.format(Math.round(v));
  if (a >= 10) return number.format(Math.round(v * 10) / 10);
  return number.format(Math.round(v * 100) / 100);
}

/** A ratio as a percentage: 0.453 → 45%, 0.0042 → 0.4%. */
export function percent(v: number | undefined): string {
  if (v === undefined || !Number.isFinite(v)) return NONE;
  const p = v * 100;
  return `${Math.abs(p) < 10 && p !== 0 ? p.toFixed(1) : Math.round(p)}%`;
}

/** Bytes in decimal units, as plans write them: 45 GB. */
export function bytes(v: number | undefined): string {
  if (v === undefined || !Number.isFinite(v)) return NONE;
  const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];
  let i = 0;
  let x = Math.abs(v);
  while (x >= 1000 && i < units.length - 1) {
    x /= 1000;
    i++;
  }
  return `${v < 0 ? '−' : ''}${x >= 100 || i === 0 ? Math.round(x) : x.toFixed(1)} ${units[i]}`;
}

/** A duration in seconds: 850 ms, 42 s, 5.5 min, 3.2 h, 12 days. */
export function seconds(v: number | undefined): string {
  if (v === undefined || !Number.isFinite(v)) return NONE;
  const a = Math.abs(v);
  if (a < 1) return `${Math.round(v * 1000)} ms`;
  if (a < 90) return `${number.format(Math.round(v * 10) / 10)} s`;
  if (a < 5400) return `${number.format(Math.round((v / 60) * 10) / 10)} min`;
  if (a < 172_800) return `${number.format(Math.round((v / 3600) * 10) / 10)} h`;
  return `${number.format(Math.round(v / 86_400))} days`;
}

/** Money per month: $4,867; under $10 with cents ($4.06). */
export function money(v: number | undefined): string {
  if (v === undefined || !Number.isFinite(v)) return NONE;
  return Math.abs(v) < 10 && v !== 0 ? usdCents.format(v) : usd.format(v);
}

/** A value in a resource's canonical unit (`B`, `1/s`, `s`, `` or a count noun). */
export function inUnit(v: number | undefined, unit: string): string {
  if (v === undefined || !Number.isFinite(v)) return NONE;
  if (unit === 'B') return bytes(v);
  if (unit === 's') return seconds(v);
  if (unit === '1/s') return `${count(v)}/s`;
  if (unit === '' || unit === '1') return count(v);
  if (unit.startsWith('1/')) return `${count(v)}/${unit.slice(2)}`;
  return `${count(v)} ${unit}`;
}

/** The display unit of a trigger, from a condition as written (`> 70%`, `> 200ms`, `> 5 GB`). */
export function unitOfCondition(condition: string | undefined): 'ratio' | 's' | 'B' | '' {
  const text = (condition ?? '').trim();
  if (/%$/.test(text)) return 'ratio';
  if (/\d\s*(ms|s|sec|second|seconds|min|minute|minutes|h|hour|hours|d|day|days)$/i.test(text))
    return 's';
  if (/\d\s*([kMGTP]i?B|B|bytes?)$/.test(text)) return 'B';
  return '';
}

/** A trigger's value in its display unit. */
export function triggerValue(v: number | undefined, unit: 'ratio' | 's' | 'B' | ''): string {
  if (unit === 'ratio') return percent(v);
  if (unit === 's') return seconds(v);
  if (unit === 'B') return bytes(v);
  return count(v);
}

/** `March 2026`. */
export function month(t: number): string {
  return monthYear.format(t);
}

/** `4 Mar 2026`. */
export function day(t: number): string {
  return dayMonthYear.format(t);
}

/** `14:03:27`. */
export function time(t: number): string {
  return clock.format(t);
}

/** `3 s ago`, `5 min ago`, `in 4 months`, relative to `now`. */
export function relative(t: number, now: number): string {
  const d = t - now;
  const a = Math.abs(d);
  const s = 1000;
  const [n, unit] =
    a < 45 * s
      ? [Math.max(0, Math.round(a / s)), 's']
      : a < 90 * 60 * s
        ? [Math.round(a / (60 * s)), 'min']
        : a < 36 * 3600 * s
          ? [Math.round(a / (3600 * s)), 'h']
          : a < 45 * 86_400 * s
            ? [Math.round(a / (86_400 * s)), a < 1.5 * 86_400 * s ? 'day' : 'days']
            : a < 548 * 86_400 * s
              ? [Math.round(a / (30.44 * 86_400 * s)), 'months']
              : [Math.round((a / (365.25 * 86_400 * s)) * 10) / 10, 'years'];
  const text = `${n} ${n === 1 && unit === 'months' ? 'month' : n === 1 && unit === 'years' ? 'year' : unit}`;
  if (a < 1500) return 'just now';
  return d < 0 ? `${text} ago` : `in ${text}`;
}

/** Growth per week: +15 companies/week, −2%/week. */
export function perWeek(v: number, noun: string): string {
  const sign = v > 0 ? '+' : v < 0 ? '−' : '±';
  return `${sign}${count(Math.abs(v))}${noun ? ` ${noun}` : ''}/week`;
}

/** A driver's name as one of it (`companies` → `company`), for "per company". */
export function singular(noun: string): string {
  if (/ies$/.test(noun)) return noun.replace(/ies$/, 'y');
  if (/(ss|us)$/.test(noun)) return noun;
  return noun.replace(/s$/, '');
}

/** A component resource as people write it: `nats.storage`. */
export function resourceName(r: { component: string; resource: string }): string {
  return `${r.component}.${r.resource}`;
}

const usdPrice = new Intl.NumberFormat('en-US', {
  style: 'currency',
  currency: 'USD',
  maximumSignificantDigits: 3,
});

/** A unit price: $0.0079, $0.00009, $13. */
export function price(v: number | undefined): string {
  if (v === undefined || !Number.isFinite(v)) return NONE;
  return Math.abs(v) < 10 ? usdPrice.format(v) : money(v);
}
