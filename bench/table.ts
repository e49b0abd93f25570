/**
 * Shared benchmark helpers: timing a function and printing a Markdown table that always shows
 * the baseline measured in the same run beside the candidate, and their ratio.
 */

/** One row of a benchmark table. */
export interface BenchRow {
  /** What was measured. */
  name: string;
  /** Measured figure for headroom's code (e.g. samples/s, ms). */
  value: number;
  /** The same figure for the baseline, measured in the same run. */
  baseline: number;
  /** Unit of both figures (e.g. `samples/s`, `ms`). */
  unit: string;
  /** The goal, stated as text (e.g. `>= 70 % of raw`), and whether it was met. */
  goal?: { text: string; met: boolean };
}

/** Milliseconds since an arbitrary origin, high resolution. */
export function nowMs(): number {
  return performance.now();
}

/** Formats a number with thousands separators and at most 2 decimals. */
export function fmt(n: number): string {
  return n.toLocaleString('en-US', { maximumFractionDigits: n < 10 ? 2 : 0 });
}

/** Renders rows as a Markdown table: name, headroom, baseline, ratio, goal. */
export function renderTable(title: string, rows: BenchRow[]): string {
  const lines = [
    `### ${title}`,
    '',
    '| measure | headroom | baseline | ratio | goal |',
    '|---|---:|---:|---:|---|',
    ...rows.map((r) => {
      const ratio = r.baseline === 0 ? 'n/a' : (r.value / r.baseline).toFixed(2);
      const goal = r.goal ? `${r.goal.text} ${r.goal.met ? '✅' : '❌'}` : '';
      return `| ${r.name} | ${fmt(r.value)} ${r.unit} | ${fmt(r.baseline)} ${r.unit} | ${ratio} | ${goal} |`;
    }),
    '',
  ];
  return lines.join('\n');
}
