/**
 * Charts, drawn by uPlot: a `<figure>` with a caption, its own legend (colour, line style and
 * words), and a canvas whose text alternative (`role="img"` + `aria-label`) states the numbers
 * it shows. The plot is created once and fed new data on every update; it follows its box's
 * width. Threshold lines and shaded time ranges are drawn on top by hooks.
 */
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { h } from './dom.ts';

/** Colours of series, in order (distinct in hue and lightness). */
export const PALETTE = ['#2563eb', '#0f766e', '#9333ea', '#c2410c', '#be185d', '#4d7c0f'];

/** Colours of the status tones on charts. */
export const TONE_COLOR = {
  ok: '#1a7f37',
  pending: '#8250df',
  warning: '#b7791f',
  critical: '#cf222e',
  full: '#82071e',
  capacity: '#82071e',
  info: '#2563eb',
  unknown: '#57606a',
} as const;

/** One line of a chart. */
export interface LineSpec {
  /** Legend label. */
  label: string;
  /** Stroke colour. */
  color: string;
  /** Dash pattern (projections are dashed). */
  dash?: number[];
  /** Line width, CSS px. */
  width?: number;
  /** Draw points (for sparse series). */
  points?: boolean;
  /** Stepped line (replica counts). */
  stepped?: boolean;
  /** Not drawn and not in the legend: the edge of a band. */
  edge?: boolean;
  /** Legend text for a line drawn without a visible stroke (markers). */
  markers?: boolean;
  /** The markers' shape in the legend. */
  shape?: 'circle' | 'diamond' | 'square';
}

/** A horizontal line: a threshold. */
export interface Threshold {
  /** Y value. */
  value: number;
  /** Label at the right end. */
  label: string;
  /** Colour. */
  color: string;
}

/** A shaded time range: an interval on the time axis. */
export interface XRange {
  /** Start, epoch ms. */
  from: number;
  /** End, epoch ms. */
  to: number;
  /** Label. */
  label: string;
}

/** What a chart draws. */
export interface ChartSpec {
  /** Caption. */
  title: string;
  /** Plot height, CSS px. */
  height?: number;
  /** Y tick labels. */
  yFormat: (v: number) => string;
  /** Y range from the data's min and max. */
  yRange?: (min: number, max: number) => [number, number];
  /** Lines, in order. */
  lines: LineSpec[];
  /** Bands between two lines (indices into `lines`): the interval around a forecast. */
  bands?: { hi: number; lo: number; color: string; label: string }[];
  /** Extra drawing on top (used by the timeline). */
  draw?: (u: uPlot) => void;
  /** Y axis overrides (the timeline labels its rows). */
  yAxis?: Partial<uPlot.Axis>;
  /** Show the x axis as dates rather than clock times. */
  dates?: boolean;
  /** Shortest time span shown, ms (a live chart with one reading still spans a minute). */
  minSpanMs?: number;
}

/** A chart on the page. */
export class Chart {
  /** The figure (caption, legend, plot). */
  readonly figure: HTMLElement;
  private readonly box: HTMLElement;
  private plot: uPlot | undefined;
  private data: uPlot.AlignedData | undefined;
  private thresholds: Threshold[] = [];
  private ranges: XRange[] = [];
  private yInclude: number[] = [];
  private height: number;
  private readonly observer: ResizeObserver;

  constructor(private readonly spec: ChartSpec) {
    this.height = spec.height ?? 180;
    this.box = h('div', { class: 'chart-box', role: 'img', 'aria-label': spec.title });
    const legend = h(
      'ul',
      { class: 'legend', 'aria-hidden': 'true' },
      spec.lines
        .filter((l) => !l.edge)
        .map((l) =>
          h(
            'li',
            null,
            h('span', {
              class: `swatch${l.dash ? ' dashed' : ''}${l.markers ? ` marker ${l.shape ?? 'circle'}` : ''}`,
              style: `--c:${l.color}`,
            }),
            l.label,
          ),
        ),
      (spec.bands ?? []).map((b) =>
        h('li', null, h('span', { class: 'swatch band', style: `--c:${b.color}` }), b.label),
      ),
    );
    this.figure = h(
      'figure',
      { class: 'chart' },
      h('figcaption', null, h('span', { class: 'chart-title' }, spec.title), legend),
      this.box,
    );
    this.observer = new ResizeObserver(() => this.fit());
    this.observer.observe(this.box);
  }

  /**
   * New data: `x` in epoch ms, one array per line (null for a gap), the sentence that says
   * what the chart shows, and the thresholds and time ranges to draw.
   */
  update(
    x: number[],
    ys: (number | null)[][],
    description: string,
    extras: { thresholds?: Threshold[]; ranges?: XRange[]; yInclude?: number[] } = {},
  ): void {
    this.data = [x.map((t) => t / 1000), ...ys] as uPlot.AlignedData;
    this.thresholds = extras.thresholds ?? [];
    this.ranges = extras.ranges ?? [];
    this.yInclude = extras.yInclude ?? [];
    this.box.setAttribute('aria-label', `${this.spec.title}. ${description}`);
    if (this.plot) this.plot.setData(this.data);
    else this.fit();
  }

  /** Changes the plot's height, CSS px (the timeline grows with its rows). */
  setHeight(height: number): void {
    if (height === this.height) return;
    this.height = height;
    this.plot?.setSize({ width: this.plot.width, height });
  }

  private fit(): void {
    const width = Math.floor(this.box.clientWidth);
    if (width <= 0 || !this.data) return;
    if (!this.plot) this.plot = new uPlot(this.options(width), this.data, this.box);
    else if (Math.abs(this.plot.width - width) > 1)
      this.plot.setSize({ width, height: this.height });
  }

  private options(width: number): uPlot.Options {
    const { spec } = this;
    const axis = {
      stroke: '#57606a',
      grid: { stroke: '#e5e9ef', width: 1 },
      ticks: { stroke: '#d0d7de', width: 1, size: 4 },
      font: '11px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
    };
    return {
      width,
      height: this.height,
      legend: { show: false },
      cursor: { show: true, drag: { x: false, y: false }, points: { show: false } },
      padding: [10, 12, 0, 4],
      scales: {
        x: {
          time: true,
          range: (_u, min, max) => {
            const span = (spec.minSpanMs ?? 60_000) / 1000;
            // No data yet: the last span up to now, rather than 1970.
            if (!Number.isFinite(min) || !Number.isFinite(max) || max <= 0) {
              const now = Date.now() / 1000;
              return [now - span, now];
            }
            return max - min >= span ? [min, max] : [max - span, max];
          },
        },
        y: spec.yRange
          ? {
              range: (_u, min, max) =>
                spec.yRange!(Math.min(min, ...this.yInclude), Math.max(max, ...this.yInclude)),
            }
          : {},
      },
      axes: [
        {
          ...axis,
          space: 84,
          values: (_u: uPlot, splits: number[]) =>
            splits.map((s) => (spec.dates ? monthTick(s * 1000) : clockTick(s * 1000))),
        },
        {
          ...axis,
          size: 56,
          values: (_u, splits) => splits.map((v) => spec.yFormat(v)),
          ...spec.yAxis,
        },
      ],
      series: [
        {},
        ...spec.lines.map((l): uPlot.Series => ({
          label: l.label,
          stroke: l.edge || l.markers ? 'transparent' : l.color,
          width: l.edge ? 0 : (l.width ?? 2),
          dash: l.dash,
          spanGaps: true,
          paths: l.stepped ? uPlot.paths.stepped!({ align: 1 }) : undefined,
          points: l.markers
            ? { show: true, size: 9, stroke: l.color, fill: l.color, width: 1 }
            : {
                // Unless asked for: points while a series is too short to draw a line.
                show: l.points ?? ((u: uPlot, i: number) => visiblePoints(u.data[i]) < 3),
                size: 6,
                stroke: l.color,
                fill: '#fff',
                width: 2,
              },
        })),
      ],
      bands: (spec.bands ?? []).map((b) => ({ series: [b.hi + 1, b.lo + 1], fill: b.color })),
      hooks: {
        drawClear: [(u) => this.drawRanges(u)],
        draw: [(u) => this.drawThresholds(u), ...(spec.draw ? [spec.draw] : [])],
      },
    };
  }

  private drawRanges(u: uPlot): void {
    const { ctx, bbox } = u;
    for (const r of this.ranges) {
      const a = Math.max(bbox.left, u.valToPos(r.from / 1000, 'x', true));
      const b = Math.min(bbox.left + bbox.width, u.valToPos(r.to / 1000, 'x', true));
      if (b < a) continue;
      ctx.save();
      ctx.fillStyle = 'rgba(183, 121, 31, 0.12)';
      ctx.fillRect(a, bbox.top, Math.max(b - a, 2 * uPlot.pxRatio), bbox.height);
      ctx.restore();
    }
  }

  private drawThresholds(u: uPlot): void {
    const { ctx, bbox } = u;
    const px = uPlot.pxRatio;
    // Labels of close lines would overprint: each one moves left of those it would touch.
    const placed: { y: number; left: number }[] = [];
    for (const t of this.thresholds) {
      const y = u.valToPos(t.value, 'y', true);
      if (y < bbox.top - 1 || y > bbox.top + bbox.height + 1) continue;
      ctx.save();
      ctx.strokeStyle = t.color;
      ctx.lineWidth = 1.5 * px;
      ctx.setLineDash([6 * px, 4 * px]);
      ctx.beginPath();
      ctx.moveTo(bbox.left, y);
      ctx.lineTo(bbox.left + bbox.width, y);
      ctx.stroke();
      ctx.setLineDash([]);
      ctx.font = `${600} ${11 * px}px system-ui, sans-serif`;
      ctx.textAlign = 'right';
      ctx.textBaseline = 'bottom';
      const text = t.label;
      const w = ctx.measureText(text).width;
      let right = bbox.left + bbox.width - 4 * px;
      for (const p of placed)
        if (Math.abs(p.y - y) < 14 * px) right = Math.min(right, p.left - 8 * px);
      ctx.fillStyle = 'rgba(255,255,255,0.85)';
      ctx.fillRect(right - w - 2 * px, y - 14 * px, w + 4 * px, 13 * px);
      ctx.fillStyle = t.color;
      ctx.fillText(text, right, y - 2 * px);
      placed.push({ y, left: right - w });
      ctx.restore();
    }
  }
}

/** How many values of a series are not null. */
function visiblePoints(values: uPlot.AlignedData[number] | undefined): number {
  let n = 0;
  for (const v of values ?? []) if (v !== null && v !== undefined) n++;
  return n;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** A date tick: `Feb 2027`. */
function monthTick(t: number): string {
  const d = new Date(t);
  return `${MONTHS[d.getMonth()]} ${d.getFullYear()}`;
}

/** A clock tick: `15:04:05`. */
function clockTick(t: number): string {
  const d = new Date(t);
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}

/**
 * Samples piecewise-linear series on the union of their knots, so that lines and the bands
 * between them share one x axis: null before a series' first knot and after its last.
 */
export function alignKnots(series: { t: number; v: number }[][]): {
  x: number[];
  ys: (number | null)[][];
} {
  const x = [...new Set(series.flatMap((s) => s.map((p) => p.t)))].sort((a, b) => a - b);
  const ys = series.map((knots) => {
    const sorted = [...knots].sort((a, b) => a.t - b.t);
    return x.map((t) => {
      const first = sorted[0];
      const last = sorted.at(-1);
      if (!first || !last || t < first.t || t > last.t) return null;
      const i = sorted.findIndex((p) => p.t >= t);
      const b = sorted[i]!;
      if (b.t === t || i === 0) return b.v;
      const a = sorted[i - 1]!;
      return a.v + ((b.v - a.v) * (t - a.t)) / (b.t - a.t);
    });
  });
  return { x, ys };
}
