/**
 * Breaking points on a timeline: when each resource crosses each threshold (a marker at the
 * projected date, a whisker over its interval), first on top, with the action and the tier that
 * fixes it and what that costs. From /api/forecast → breaking_points.
 */
import uPlot from 'uplot';
import type { BreakingPoint } from '../api-types.ts';
import { dataOf } from '../api.ts';
import { Chart, TONE_COLOR } from '../chart.ts';
import { badge, h, type Tone } from '../dom.ts';
import { day, money, month, percent, relative } from '../format.ts';
import { Card, firstFailure, type Snapshot, type Widget } from '../widget.ts';

/** Rows on the timeline at most. */
const MAX_ROWS = 8;
const SEVERITIES = ['warning', 'critical', 'capacity'] as const;
/** Marker shapes, so that severity is not told by colour alone. */
const SHAPE = { warning: 'circle', critical: 'diamond', capacity: 'square' } as const;

/** Builds the breaking points widget. */
export function createBreakingPoints(): Widget {
  const card = new Card({
    id: 'breaking-points',
    title: 'Breaking points',
    source:
      'From /api/forecast → breaking_points: the load model and the drivers’ growth, or each resource’s own history.',
    span: 'span-2',
  });
  let rows: BreakingPoint[] = [];
  const chart = new Chart({
    title: 'When each threshold is crossed',
    height: 70 + 34 * MAX_ROWS,
    dates: true,
    yFormat: (v) => label(rows[Math.round(v)]),
    yRange: () => [-0.6, Math.max(rows.length, 1) - 0.4],
    yAxis: {
      size: 150,
      splits: () => rows.map((_r, i) => i),
      values: (_u, splits) => splits.map((v) => label(rows[Math.round(v)])),
      grid: { show: false },
    },
    lines: SEVERITIES.map((sev) => ({
      label: sev === 'capacity' ? 'full' : sev,
      color: TONE_COLOR[sev === 'capacity' ? 'full' : sev],
      markers: true,
      shape: SHAPE[sev],
    })),
    draw: (u) => drawWhiskers(u, rows),
  });
  return {
    element: card.element,
    update(s: Snapshot) {
      const forecast = dataOf(s.forecast);
      if (!forecast) {
        const failed = firstFailure([['/api/forecast', s.forecast]]);
        if (failed) card.failure(failed.path, failed.error);
        else card.message('loading', 'Loading… (the forecast runs within a minute of start)');
        return;
      }
      const now = s.now;
      const dated = forecast.breaking_points.filter((p) => p.at !== undefined);
      const undated = forecast.breaking_points.length - dated.length;
      if (!dated.length) {
        card.message(
          'empty',
          `No data yet: none of the ${forecast.breaking_points.length} thresholds is projected to be crossed within the horizon (2 years).`,
          badge('ok', 'none due'),
        );
        return;
      }
      const crossed = dated.filter((p) => p.at! <= now + 60_000);
      const ahead = dated.find((p) => p.at! > now + 60_000);
      const first = dated[0]!;
      card.render(
        [
          h(
            'p',
            { class: 'summary' },
            crossed.length ? `${crossed.length} already crossed; ` : '',
            ahead
              ? ['first ahead: ', h('strong', null, label(ahead)), ` ${relative(ahead.at!, now)}`]
              : 'none ahead within the horizon.',
          ),
          h(
            'ol',
            { class: 'points', 'data-testid': 'breaking-points' },
            dated.slice(0, MAX_ROWS).map((p, i) => item(p, i, now)),
          ),
          undated
            ? h(
                'p',
                { class: 'muted' },
                `${undated} more threshold${undated === 1 ? ' is' : 's are'} not reached within the horizon.`,
              )
            : null,
        ],
        badge(tone(first, now), crossed.length ? `${crossed.length} crossed` : 'ahead'),
      );
      rows = dated.slice(0, MAX_ROWS);
      // A timeline of points that are all behind us shows nothing the list does not.
      if (!ahead) {
        card.charts.hidden = true;
        return;
      }
      card.charts.hidden = false;
      if (!chart.figure.isConnected) card.charts.prepend(chart.figure);
      const times = [
        ...new Set([now, ...rows.flatMap((p) => [p.at!, p.earliest ?? p.at!, p.latest ?? p.at!])]),
      ].sort((a, b) => a - b);
      const x =
        times.length > 1 ? times : [times[0]! - 86_400_000, times[0]!, times[0]! + 86_400_000];
      // The markers and whiskers are drawn by the hook; the series only carry the legend.
      const ys = SEVERITIES.map(() => x.map(() => null));
      chart.setHeight(70 + 34 * rows.length);
      chart.update(
        x,
        ys,
        rows
          .map((p) => `${label(p)}: ${p.at! <= now + 60_000 ? 'crossed now' : month(p.at!)}`)
          .join('; '),
      );
    },
  };
}

function label(p: BreakingPoint | undefined): string {
  if (!p) return '';
  return `${p.component}.${p.resource} ${p.severity === 'capacity' ? 'full' : percent(p.threshold)}`;
}

function tone(p: BreakingPoint, now: number): Tone {
  if (p.at! <= now + 60_000) return p.severity === 'capacity' ? 'full' : p.severity;
  return p.at! <= now + 120 * 86_400_000 ? 'warning' : 'ok';
}

function item(p: BreakingPoint, i: number, now: number): HTMLElement {
  const sev: Tone = p.severity === 'capacity' ? 'full' : p.severity;
  const when = p.at! <= now + 60_000 ? 'crossed now' : `${month(p.at!)} (${relative(p.at!, now)})`;
  const range =
    p.earliest !== undefined && p.latest !== undefined && p.latest > p.earliest
      ? `between ${day(p.earliest)} and ${day(p.latest)}`
      : undefined;
  const basis =
    p.basis === 'model'
      ? 'load model × driver growth'
      : p.basis === 'history'
        ? 'its own trend'
        : 'no projection';
  return h(
    'li',
    { 'data-point': `${p.component}.${p.resource}.${p.severity}` },
    h(
      'div',
      { class: 'point-head' },
      badge(sev, p.severity === 'capacity' ? 'full' : p.severity),
      h('strong', null, `${p.component}.${p.resource}`),
      ` reaches ${percent(p.threshold)} `,
      h('span', { class: 'point-when' }, when),
    ),
    h(
      'div',
      { class: 'muted' },
      `${percent(p.utilizationNow)} now · ${basis}${range ? ` · ${range}` : ''}${
        Object.keys(p.driverValues).length
          ? ` · at ${Object.entries(p.driverValues)
              .map(([d, v]) => `${Math.round(v).toLocaleString('en-US')} ${d}`)
              .join(', ')}`
          : ''
      }`,
    ),
    p.action ? h('div', null, h('strong', null, 'Action: '), p.action) : null,
    p.fix
      ? h(
          'details',
          {
            class: 'disclosure',
            'data-key': `fix-${i}-${p.component}.${p.resource}.${p.severity}`,
          },
          h(
            'summary',
            { 'data-key': `fix-${i}-${p.component}.${p.resource}.${p.severity}-summary` },
            `Fix: ${p.fix.tier}${p.fix.deltaMonthlyUsd !== undefined ? ` (+${money(p.fix.deltaMonthlyUsd)}/month)` : ''}`,
          ),
          h(
            'ul',
            { class: 'plain' },
            p.fix.changes.map((c) => h('li', null, c)),
          ),
        )
      : null,
  );
}

/**
 * Draws each row: a whisker from its earliest to its latest date, and a marker at the projected
 * date whose shape also tells the severity (circle warning, diamond critical, square full).
 */
function drawWhiskers(u: uPlot, rows: BreakingPoint[]): void {
  const { ctx, bbox } = u;
  const px = uPlot.pxRatio;
  const clampX = (t: number): number =>
    Math.min(bbox.left + bbox.width, Math.max(bbox.left, u.valToPos(t / 1000, 'x', true)));
  rows.forEach((p, i) => {
    const y = u.valToPos(i, 'y', true);
    const color = TONE_COLOR[p.severity === 'capacity' ? 'full' : p.severity];
    ctx.save();
    ctx.strokeStyle = color;
    ctx.fillStyle = color;
    ctx.lineWidth = 2 * px;
    if (p.earliest !== undefined && p.latest !== undefined && p.latest > p.earliest) {
      const a = clampX(p.earliest);
      const b = clampX(p.latest);
      ctx.beginPath();
      ctx.moveTo(a, y);
      ctx.lineTo(b, y);
      for (const x of [a, b]) {
        ctx.moveTo(x, y - 5 * px);
        ctx.lineTo(x, y + 5 * px);
      }
      ctx.stroke();
    }
    const x = clampX(p.at!);
    const r = 5.5 * px;
    ctx.beginPath();
    if (p.severity === 'warning') ctx.arc(x, y, r, 0, 2 * Math.PI);
    else if (p.severity === 'critical') {
      ctx.moveTo(x, y - r * 1.25);
      ctx.lineTo(x + r * 1.25, y);
      ctx.lineTo(x, y + r * 1.25);
      ctx.lineTo(x - r * 1.25, y);
      ctx.closePath();
    } else ctx.rect(x - r, y - r, 2 * r, 2 * r);
    ctx.fill();
    ctx.lineWidth = 1.5 * px;
    ctx.strokeStyle = '#fff';
    ctx.stroke();
    ctx.restore();
  });
}
