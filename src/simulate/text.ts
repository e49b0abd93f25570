/**
 * Text output of `headroom simulate`: a few lines for one policy, an aligned table for
 * `--compare`. Pure: the CLI prints what these return.
 */
import { formatDurationMs } from '../plan/units.ts';
import type { WaitTarget } from '../autoscale/index.ts';
import type { RunSettings } from './compare.ts';
import type { SimulationSummary } from './results.ts';

/** What was simulated, for the heading line. */
export interface SimulateContext {
  trace: string;
  service: string;
  slo: string;
  settings: RunSettings;
  jobs: number;
}

/** The objective as the CLI writes it: `wait_p95 <= 30s`, `wait_mean <= 5s`. */
export function formatObjective(slo: WaitTarget): string {
  if ('quantile' in slo)
    return `wait_p${Number((slo.quantile * 100).toPrecision(6))} <= ${formatDurationMs(slo.waitSec * 1000)}`;
  return `wait_mean <= ${formatDurationMs(slo.meanWaitSec * 1000)}`;
}

function heading(c: SimulateContext, minutes: number): string {
  const s = c.settings;
  return (
    `${c.trace}: ${int(c.jobs)} jobs over ${int(minutes)} minutes; service ${c.service}, ${c.slo}, ` +
    `start-up ${formatDurationMs(s.startupMs)}, interval ${formatDurationMs(s.intervalMs)}, ` +
    `lag ${formatDurationMs(s.lagMs ?? s.intervalMs)}, replicas ${s.min}..${s.max}`
  );
}

/** One policy's summary as text. */
export function renderSummary(r: SimulationSummary, c: SimulateContext): string {
  const ok = r.minutes - r.slo_violation_minutes;
  return [
    heading(c, r.minutes),
    `${r.policy}: ${num(r.worker_seconds / 3600)} worker-hours (mean ${num(r.worker_seconds / 60 / r.minutes)} replicas, max ${r.max_replicas}), ${r.scale_events} scale events`,
    `objective met in ${int(ok)} of ${int(r.minutes)} minutes (${pct(ok / r.minutes)}); ${int(r.slo_violation_minutes)} violating`,
    `wait: mean ${sec(r.wait_mean)}, p50 ${sec(r.wait_p50)}, p95 ${sec(r.wait_p95)}, p99 ${sec(r.wait_p99)}`,
  ].join('\n');
}

/** Several policies as a table. */
export function renderComparison(rows: SimulationSummary[], c: SimulateContext): string {
  return [
    heading(c, rows[0]?.minutes ?? 0),
    '',
    table(
      [
        'policy',
        'worker-hours',
        'violating min',
        'minutes OK',
        'wait p95',
        'wait p99',
        'max replicas',
        'scale events',
      ],
      rows.map((r) => [
        r.policy,
        num(r.worker_seconds / 3600),
        int(r.slo_violation_minutes),
        pct((r.minutes - r.slo_violation_minutes) / r.minutes),
        sec(r.wait_p95),
        sec(r.wait_p99),
        String(r.max_replicas),
        String(r.scale_events),
      ]),
    ),
  ].join('\n');
}

function num(v: number): string {
  return Number(v.toPrecision(4)).toLocaleString('en-US');
}

function int(v: number): string {
  return v.toLocaleString('en-US');
}

function pct(v: number): string {
  return `${(v * 100).toFixed(1)} %`;
}

function sec(v: number): string {
  return Number.isFinite(v) ? `${num(v)} s` : 'never';
}

/** Rows as an aligned plain-text table under a header. */
function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}
