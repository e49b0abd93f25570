/**
 * Formatting values for people, shared by the CLI tables and the Markdown report: canonical
 * units in (bytes, seconds, USD/month, ratios), `45.2 GB`, `72.5%`, `$92/month` out.
 */

const BYTE_UNITS = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'];

/** Formats a value in a canonical unit for people: `45.2 GB`, `72.5%`, `1.2 s`, `$92/month`. */
export function formatValue(value: number | undefined, unit: string): string {
  if (value === undefined || Number.isNaN(value)) return '—';
  if (!Number.isFinite(value)) return value > 0 ? '+Inf' : '-Inf';
  switch (unit) {
    case 'B': {
      let v = value;
      let i = 0;
      while (Math.abs(v) >= 1000 && i < BYTE_UNITS.length - 1) {
        v /= 1000;
        i++;
      }
      return `${round(v)} ${BYTE_UNITS[i]}`;
    }
    case 's':
      return Math.abs(value) < 1 ? `${round(value * 1000)} ms` : `${round(value)} s`;
    case 'USD':
      return `$${round(value)}`;
    case 'USD/month':
      return `$${round(value)}/month`;
    case '1/s':
      return `${round(value)}/s`;
    case '':
      return String(round(value));
    default:
      return `${round(value)} ${unit}`;
  }
}

/** Formats a ratio as a percentage when the plan compares it with one. */
export function formatRatio(value: number | undefined): string {
  return value === undefined ? '—' : `${round(value * 100)}%`;
}

/** Rounds to 3 significant-ish digits for display. */
export function round(v: number): number {
  const abs = Math.abs(v);
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : 3;
  return Number(v.toFixed(digits));
}

/** A date for people and reports: `2026-03-02`. */
export function formatDate(ms: number | undefined): string {
  return ms === undefined ? '—' : new Date(ms).toISOString().slice(0, 10);
}

/** A count with thousands separators: `12,345`. */
export function formatCount(v: number | undefined): string {
  if (v === undefined || !Number.isFinite(v)) return '—';
  return v.toLocaleString('en-US', { maximumFractionDigits: Math.abs(v) >= 100 ? 0 : 2 });
}

/** Money per month: `$1,234/month`. */
export function formatMonthly(usd: number | undefined): string {
  if (usd === undefined) return '—';
  return `$${usd.toLocaleString('en-US', { maximumFractionDigits: usd >= 100 ? 0 : 2 })}/month`;
}
