/**
 * Output helpers for the CLI: one JSON document on stdout for `--json`, aligned text tables
 * otherwise, and human formatting of values in their canonical units.
 */
import pc from 'picocolors';

export { formatRatio, formatValue } from '../report/format.ts';

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
