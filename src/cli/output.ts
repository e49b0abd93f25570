/**
 * Output helpers for the CLI: one JSON document on stdout for `--json`, aligned text tables
 * otherwise, and human formatting of values in their canonical units.
 */
import pc from 'picocolors';

/** Prints exactly one JSON document on stdout. */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Renders rows as an aligned text table with a header. */
export function table(header: string[], rows: string[][]): string {
  // eslint-disable-next-line no-control-regex -- ANSI colour codes take no width on screen.
  const visible = (s: string): number => s.replace(/\x1b\[[0-9;]*m/g, '').length;
  const widths = header.map((h, i) =>
    Math.max(visible(h), ...rows.map((r) => visible(r[i] ?? ''))),
  );
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => c + ' '.repeat(Math.max(0, widths[i]! - visible(c))))
      .join('  ')
      .trimEnd();
  return [line(header.map((h) => pc.bold(h))), ...rows.map(line)].join('\n');
}

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

function round(v: number): number {
  const abs = Math.abs(v);
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : 3;
  return Number(v.toFixed(digits));
}

/** Colours a status word for terminals. */
export function colourStatus(status: string): string {
  switch (status) {
    case 'ok':
      return pc.green(status);
    case 'pending':
      return pc.cyan(status);
    case 'warning':
      return pc.yellow(status);
    case 'critical':
      return pc.red(status);
    default:
      return pc.magenta(status);
  }
}
