/**
 * Forecasts: for the resources that will cross a threshold within the horizon, the projected
 * utilization from now to each crossing, with the interval of the forecast as a band (the
 * line joins the projected crossing dates; the band joins their earliest and latest dates),
 * then when each trigger is projected to fire. From /api/forecast and /api/components.
 */
import type { BreakingPoint, ResourceState, TriggerForecast } from '../api-types.ts';
import { dataOf } from '../api.ts';
import { alignKnots, Chart, PALETTE, TONE_COLOR } from '../chart.ts';
import { badge, h } from '../dom.ts';
import { key } from '../derive.ts';
import { day, month, percent, relative } from '../format.ts';
import { Card, firstFailure, type Snapshot, type Widget } from '../widget.ts';

/** Charts shown at most. */
const MAX_CHARTS = 4;

/** Builds the forecast widget. */
export function createForecast(): Widget {
  const card = new Card({
    id: 'forecast',
    title: 'Forecasts',
    source:
      'From /api/forecast: each resource’s projected crossings (line) and their intervals (band), and each trigger’s projected firing date.',
    span: 'span-2',
  });
  const charts = new Map<string, Chart>();
  const grid = h('div', { class: 'chart-grid' });
  return {
    element: card.element,
    update(s: Snapshot) {
      const forecast = dataOf(s.forecast);
      const components = dataOf(s.components) ?? [];
      if (!forecast) {
        const failed = firstFailure([['/api/forecast', s.forecast]]);
        if (failed) card.failure(failed.path, failed.error);
        else card.message('loading', 'Loading… (the forecast runs within a minute of start)');
        return;
      }
      const now = s.now;
      const projected = projectedResources(forecast.breaking_points, components, now).slice(
        0,
        MAX_CHARTS,
      );
      const dated = forecast.triggers.filter((t) => t.levels.some((l) => l.at !== undefined));
      if (!projected.length && !dated.length) {
        card.message(
          'empty',
          'No data yet: nothing is projected to cross a threshold within the horizon (2 years), or there is not enough history to forecast.',
        );
        return;
      }
      card.render(
        [
          projected.length
            ? null
            : h(
                'p',
                { class: 'muted' },
                'No resource is projected to cross a threshold within the horizon.',
              ),
          dated.length ? triggerTable(dated, now) : null,
        ],
        badge('info', `${projected.length} projected`),
      );
      card.charts.hidden = !projected.length;
      if (!grid.isConnected) card.charts.append(grid);
      const keep = new Set(projected.map((p) => p.name));
      for (const [name, chart] of charts)
        if (!keep.has(name)) {
          chart.figure.remove();
          charts.delete(name);
        }
      for (const p of projected) {
        let chart = charts.get(p.name);
        if (!chart) {
          chart = new Chart({
            title: p.name,
            height: 200,
            dates: true,
            yFormat: percent,
            yRange: (_min, max) => [0, Math.max(1.05, max * 1.05)],
            lines: [
              { label: 'projected', color: PALETTE[0]!, dash: [6, 4], points: false },
              { label: 'early', color: PALETTE[0]!, edge: true },
              { label: 'late', color: PALETTE[0]!, edge: true },
            ],
            bands: [{ hi: 1, lo: 2, color: 'rgba(37, 99, 235, 0.2)', label: 'interval' }],
          });
          charts.set(p.name, chart);
        }
        grid.append(chart.figure);
        drawResource(chart, p, now);
      }
    },
  };
}

interface Projected {
  name: string;
  resource?: ResourceState;
  utilizationNow: number;
  points: BreakingPoint[];
}

/** Resources with a threshold crossed after now, soonest first. */
function projectedResources(
  points: BreakingPoint[],
  components: ResourceState[],
  now: number,
): Projected[] {
  const byName = new Map<string, Projected>();
  for (const p of points) {
    if (p.at === undefined || p.at <= now + 60_000 || p.utilizationNow === undefined) continue;
    const name = `${p.component}.${p.resource}`;
    let entry = byName.get(name);
    if (!entry) {
      entry = {
        name,
        resource: components.find((r) => key(r) === name),
        utilizationNow: p.utilizationNow,
        points: [],
      };
      byName.set(name, entry);
    }
    entry.points.push(p);
  }
  const list = [...byName.values()];
  for (const e of list) e.points.sort((a, b) => a.threshold - b.threshold);
  return list.sort((a, b) => a.points[0]!.at! - b.points[0]!.at!);
}

function drawResource(chart: Chart, p: Projected, now: number): void {
  const start = { t: now, v: p.utilizationNow };
  const mid = [start, ...p.points.map((b) => ({ t: b.at!, v: b.threshold }))];
  const early = [
    start,
    ...p.points
      .filter((b) => b.earliest !== undefined)
      .map((b) => ({ t: b.earliest!, v: b.threshold })),
  ];
  const late = [
    start,
    ...p.points
      .filter((b) => b.latest !== undefined)
      .map((b) => ({ t: b.latest!, v: b.threshold })),
  ];
  const { x, ys } = alignKnots([mid, early, late]);
  const thresholds = (p.resource?.thresholds ?? p.points).map((t) => {
    const severity = t.severity;
    const value = 'utilization' in t ? t.utilization : t.threshold;
    return {
      value,
      label: severity === 'capacity' ? 'full' : `${severity} ${percent(value)}`,
      color: TONE_COLOR[severity === 'capacity' ? 'full' : severity],
    };
  });
  const crossings = p.points.map((b) => {
    const range =
      b.earliest !== undefined && b.latest !== undefined && b.latest > b.earliest
        ? ` (between ${day(b.earliest)} and ${day(b.latest)})`
        : '';
    return `${percent(b.threshold)} ${b.severity === 'capacity' ? 'full' : b.severity} in ${month(b.at!)}${range}`;
  });
  chart.update(
    x,
    ys,
    `${percent(p.utilizationNow)} used now; projected to reach ${crossings.join('; ')}. Projected ${relative(p.points[0]!.at!, now)} from ${p.points[0]!.basis === 'model' ? 'the load model and driver growth' : 'its own history'}.`,
    { thresholds },
  );
}

function triggerTable(triggers: TriggerForecast[], now: number): HTMLElement {
  const rows = triggers.flatMap((t) =>
    t.levels.filter((l) => l.at !== undefined).map((l) => ({ t, l })),
  );
  rows.sort((a, b) => a.l.at! - b.l.at!);
  return h(
    'div',
    { class: 'block' },
    h('h3', null, 'When triggers are projected to fire'),
    h(
      'table',
      { class: 'table compact' },
      h(
        'thead',
        null,
        h(
          'tr',
          null,
          h('th', { scope: 'col' }, 'Trigger'),
          h('th', { scope: 'col' }, 'Level'),
          h('th', { scope: 'col' }, 'Projected'),
          h('th', { scope: 'col' }, 'Interval'),
        ),
      ),
      h(
        'tbody',
        null,
        rows
          .slice(0, 8)
          .map(({ t, l }) =>
            h(
              'tr',
              null,
              h(
                'th',
                { scope: 'row' },
                t.trigger,
                h('span', { class: 'muted' }, ` ${l.condition}`),
              ),
              h('td', null, badge(l.severity)),
              h(
                'td',
                null,
                l.at! <= now + 60_000 ? 'holds now' : `${month(l.at!)} (${relative(l.at!, now)})`,
              ),
              h(
                'td',
                null,
                l.earliest !== undefined && l.latest !== undefined && l.latest > l.earliest
                  ? `${day(l.earliest)} – ${day(l.latest)}`
                  : t.basis === 'model'
                    ? 'declared growth: no interval'
                    : '—',
              ),
            ),
          ),
      ),
    ),
  );
}
