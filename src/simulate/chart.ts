/**
 * The simulation chart as a standalone SVG (no dependency): three panels over the same time
 * axis — the load (arrivals per minute), the replicas of each policy (mean workers paid for)
 * and each policy's wait statistic of the jobs arriving each minute, with the objective as a
 * dashed line — and a legend. Long traces are shown in buckets of several minutes (the load
 * and replicas averaged, the wait the worst of the bucket); waits far above the objective are
 * clipped to the top of the panel, which says so.
 */
import { niceTicks, shortNumber, timeLabel, timeTicks } from './chart-axes.ts';
import type { MinutePoint } from './results.ts';

/** What the chart shows. */
export interface ChartInput {
  title: string;
  /** The objective as written (`wait_p95 <= 30s`) and its target, s. */
  slo: { label: string; targetSec: number };
  /** One timeline per policy, all over the same minutes. */
  runs: { policy: string; timeline: readonly MinutePoint[] }[];
}

type Series = (number | null)[];

const WIDTH = 1000;
const LEFT = 64;
const RIGHT = 170;
const PLOT_W = WIDTH - LEFT - RIGHT;
const PANEL = 170;
const GAP = 48;
const TOP = 72;
const MAX_POINTS = 1000;
/** Policy colours; red is kept for the objective line. */
const COLOURS = ['#1f77b4', '#2ca02c', '#9467bd', '#ff7f0e', '#17becf', '#8c564b', '#e377c2'];
/** Bucket sizes, minutes, for long traces. */
const BUCKETS = [1, 2, 5, 10, 15, 30, 60, 120, 240, 360, 720, 1440];
const STYLE =
  '.title{font-size:14px;font-weight:600}.ylab{font-size:11px;text-anchor:end;fill:#444}' +
  '.xlab{font-size:11px;text-anchor:middle;fill:#444}.xtitle{font-size:12px;text-anchor:middle;fill:#444}' +
  '.legend{font-size:12px}.grid{stroke:#e5e5e5}.frame{fill:none;stroke:#999}.tick{stroke:#999}' +
  '.series{fill:none;stroke-width:1.5;stroke-linejoin:round}' +
  '.slo{stroke:#d62728;stroke-dasharray:6 4;stroke-width:1.5}.slolab{font-size:11px;fill:#d62728}';

/** Renders the chart. */
export function renderChart(input: ChartInput): string {
  const base = input.runs[0]?.timeline ?? [];
  const fewest = Math.ceil(base.length / MAX_POINTS);
  const bucket = BUCKETS.find((b) => b >= fewest) ?? fewest;
  const each = bucket === 1 ? 'each minute' : `${bucket}-minute buckets`;
  const mean = bucket === 1 ? 'each minute' : `mean of ${each}`;
  const load = reduce(base, bucket, (p) => p.arrivals, 'mean');
  const replicas = input.runs.map((r) => reduce(r.timeline, bucket, (p) => p.replicas, 'mean'));
  const waits = input.runs.map((r) => reduce(r.timeline, bucket, (p) => p.wait_objective, 'max'));
  const target = input.slo.targetSec;
  const finite = waits.flat().filter((v): v is number => v !== null && Number.isFinite(v));
  const waitCap = Math.max(1.5 * target, Math.min(Math.max(0, ...finite), 5 * target));
  const waitTop = niceTicks(waitCap).at(-1) ?? waitCap;
  const clipped = waits.flat().some((v) => v !== null && v > waitTop);
  const stat = input.slo.label.split(/\s*<=?\s*/)[0] ?? 'wait';
  const colours = input.runs.map((_, k) => COLOURS[k % COLOURS.length]!);
  const parts = [
    ...panel(0, `Load: arrivals per minute (${mean})`, highest([load]), [load], ['#555']),
    ...panel(1, `Replicas: mean workers paid for (${mean})`, highest(replicas), replicas, colours),
    ...panel(
      2,
      `Wait: ${stat} of the jobs arriving ${bucket === 1 ? 'each minute' : `each minute, worst of ${each}`} (s)${clipped ? `; clipped at ${shortNumber(waitTop)} s` : ''}`,
      waitCap,
      waits,
      colours,
      { value: target, label: input.slo.label },
    ),
    ...timeAxis(base[0]?.t ?? 0, base.length),
    ...legend(
      input.runs.map((r) => r.policy),
      colours,
    ),
  ];
  const height = TOP + 3 * PANEL + 2 * GAP + 48;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="system-ui, sans-serif">`,
    `<style>${STYLE}</style>`,
    `<rect width="${WIDTH}" height="${height}" fill="#fff"/>`,
    `<text x="${LEFT}" y="28" style="font-size:16px;font-weight:700">${esc(input.title)}</text>`,
    ...parts,
    '</svg>',
    '',
  ].join('\n');
}

/** Buckets a timeline: the mean or the worst of each bucket's minutes (null: no value). */
function reduce(
  timeline: readonly MinutePoint[],
  bucket: number,
  pick: (p: MinutePoint) => number | null,
  how: 'mean' | 'max',
): Series {
  const slots = Math.ceil(timeline.length / bucket);
  return Array.from({ length: slots }, (_, s) => {
    let acc = how === 'max' ? -Infinity : 0;
    let seen = 0;
    for (let m = s * bucket; m < Math.min(timeline.length, (s + 1) * bucket); m++) {
      const v = pick(timeline[m]!);
      if (v === null || Number.isNaN(v)) continue;
      acc = how === 'max' ? Math.max(acc, v) : acc + v;
      seen++;
    }
    if (seen === 0) return null;
    return how === 'max' ? acc : acc / seen;
  });
}

/** The highest finite value of the series (at least 1). */
function highest(series: Series[]): number {
  return Math.max(1, ...series.flat().map((v) => (v !== null && Number.isFinite(v) ? v : 0)));
}

/** One panel: title, grid, y labels, series, an optional reference line, frame. */
function panel(
  i: number,
  title: string,
  max: number,
  series: Series[],
  colours: string[],
  line?: { value: number; label: string },
): string[] {
  const top = TOP + i * (PANEL + GAP);
  const ticks = niceTicks(max);
  const yMax = ticks[ticks.length - 1]!;
  const y = (v: number): number => top + PANEL - (Math.min(v, yMax) / yMax) * PANEL;
  const slots = Math.max(1, series[0]?.length ?? 1);
  const x = (slot: number): number => LEFT + ((slot + 0.5) / slots) * PLOT_W;
  const out = [`<text x="${LEFT}" y="${top - 10}" class="title">${esc(title)}</text>`];
  for (const v of ticks) {
    out.push(
      `<line x1="${LEFT}" x2="${LEFT + PLOT_W}" y1="${f(y(v))}" y2="${f(y(v))}" class="grid"/>`,
    );
    out.push(`<text x="${LEFT - 6}" y="${f(y(v) + 4)}" class="ylab">${shortNumber(v)}</text>`);
  }
  series.forEach((values, k) => {
    const d = path(values, x, y);
    if (d) out.push(`<path d="${d}" class="series" stroke="${colours[k] ?? '#555'}"/>`);
  });
  if (line) {
    const ly = f(y(line.value));
    out.push(`<line x1="${LEFT}" x2="${LEFT + PLOT_W}" y1="${ly}" y2="${ly}" class="slo"/>`);
    out.push(
      `<text x="${LEFT + PLOT_W + 6}" y="${f(y(line.value) + 4)}" class="slolab">${esc(line.label)}</text>`,
    );
  }
  out.push(`<rect x="${LEFT}" y="${top}" width="${PLOT_W}" height="${PANEL}" class="frame"/>`);
  return out;
}

/** Time labels under the last panel. */
function timeAxis(t0: number, minutes: number): string[] {
  const t1 = t0 + minutes * 60_000;
  const axisY = TOP + 3 * PANEL + 2 * GAP;
  const ticks = timeTicks(t0, t1);
  const out: string[] = [];
  for (const t of ticks.at) {
    const px = f(LEFT + ((t - t0) / Math.max(1, t1 - t0)) * PLOT_W);
    out.push(`<line x1="${px}" x2="${px}" y1="${axisY}" y2="${axisY + 4}" class="tick"/>`);
    out.push(`<text x="${px}" y="${axisY + 16}" class="xlab">${timeLabel(t, ticks.stepMs)}</text>`);
  }
  const from = new Date(t0).toISOString().slice(0, 16).replace('T', ' ');
  out.push(
    `<text x="${LEFT + PLOT_W / 2}" y="${axisY + 34}" class="xtitle">time (UTC), from ${from}</text>`,
  );
  return out;
}

/** The legend, right of the replicas panel. */
function legend(names: string[], colours: string[]): string[] {
  return names.flatMap((name, k) => {
    const ly = TOP + PANEL + GAP + 12 + k * 20;
    return [
      `<line x1="${LEFT + PLOT_W + 10}" x2="${LEFT + PLOT_W + 34}" y1="${ly}" y2="${ly}" stroke="${colours[k]}" stroke-width="3"/>`,
      `<text x="${LEFT + PLOT_W + 40}" y="${ly + 4}" class="legend">${esc(name)}</text>`,
    ];
  });
}

/** An SVG path through the values, broken where a value is missing (Infinity: at the top). */
function path(values: Series, x: (i: number) => number, y: (v: number) => number): string {
  let d = '';
  let pen = false;
  values.forEach((v, i) => {
    if (v === null) {
      pen = false;
      return;
    }
    d += `${pen ? 'L' : 'M'}${f(x(i))},${f(y(v))}`;
    pen = true;
  });
  return d;
}

function f(v: number): string {
  return v.toFixed(1);
}

function esc(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}
