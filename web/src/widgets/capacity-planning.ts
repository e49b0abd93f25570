/**
 * Capacity planning: the driver's growth rate, the load now against the deployed tier's bound,
 * the storage trend, the estimated date of the next scaling step and the action to take, with
 * the driver's projection on a chart; and every capacity a load test measured, beside the
 * roadmap's formula. From /api/forecast (drivers, breaking points), /api/tiers (bounds, next
 * step) and /api/components (storage now, measured capacities).
 */
import type { BreakingPoint, DriverProjection, ResourceState, TiersDoc } from '../api-types.ts';
import { dataOf } from '../api.ts';
import { Chart, PALETTE, TONE_COLOR, type Threshold, type XRange } from '../chart.ts';
import { badge, h, stat, type Tone } from '../dom.ts';
import { key, storageResources } from '../derive.ts';
import { bytes, count, day, inUnit, month, NONE, percent, perWeek, relative } from '../format.ts';
import { Card, firstFailure, type Snapshot, type Widget } from '../widget.ts';

const DAY_MS = 86_400_000;
const WEEK_MS = 7 * DAY_MS;

/** Builds the capacity planning widget. */
export function createCapacityPlanning(): Widget {
  const card = new Card({
    id: 'capacity-planning',
    title: 'Capacity planning',
    source:
      'From /api/forecast (drivers, breaking points), /api/tiers (bounds, next step) and /api/components (capacities, with what load tests measured).',
  });
  const chart = new Chart({
    title: 'Driver forecast, next 12 months',
    height: 210,
    dates: true,
    yFormat: (v) => count(v),
    yRange: (min, max) => [Math.max(0, min * 0.9), max * 1.08],
    lines: [
      { label: 'projection', color: PALETTE[0]!, dash: [6, 4], points: true },
      { label: 'now', color: PALETTE[0]!, markers: true },
    ],
  });
  return {
    element: card.element,
    update(s: Snapshot) {
      const forecast = dataOf(s.forecast);
      const tiers = dataOf(s.tiers);
      const components = dataOf(s.components) ?? [];
      if (!forecast || !tiers) {
        const failed = firstFailure([
          ['/api/forecast', s.forecast],
          ['/api/tiers', s.tiers],
        ]);
        if (failed) card.failure(failed.path, failed.error);
        else card.message('loading', 'Loading… (the forecast runs within a minute of start)');
        return;
      }
      const now = s.now;
      const driver = forecast.drivers[0];
      const deployed = tiers.tiers[tiers.deployed];
      const bound = driver ? deployed?.bounds.find((b) => b.driver === driver.name) : undefined;
      const head = storageResources(components)[0];
      const scale = scaleDate(tiers, forecast.breaking_points, now);
      card.render(
        [
          h(
            'dl',
            { class: 'stats' },
            stat(
              'Growth rate',
              driver ? perWeek(driver.perWeek, '') : NONE,
              driver ? `${driver.name} · ${growthNote(driver)}` : 'no driver in this plan',
            ),
            currentLoad(driver, bound, deployed?.name, components),
            stat(
              'Storage trend',
              head ? storageTrend(head, forecast.breaking_points, now) : NONE,
              head ? key(head) : 'no storage resource',
            ),
            stat(
              'Estimated scale date',
              scale.at === undefined
                ? 'not within 2 years'
                : scale.at <= now
                  ? 'now'
                  : month(scale.at),
              scale.detail,
              { 'data-testid': 'scale-date' },
            ),
          ),
          h(
            'p',
            { class: `callout tone-${scale.tone}`, 'data-testid': 'action' },
            h('strong', null, 'Action: '),
            scale.action,
          ),
          measuredList(components),
        ],
        badge(scale.tone, scale.word),
      );
      if (!driver || driver.now === undefined) {
        chart.figure.remove();
        card.charts.hidden = true;
        return;
      }
      card.charts.hidden = false;
      if (!chart.figure.isConnected) card.charts.append(chart.figure);
      const x = [now, now + 30 * DAY_MS, now + 90 * DAY_MS, now + 365 * DAY_MS];
      const values = [driver.now, driver.in30d, driver.in90d, driver.in365d];
      const thresholds: Threshold[] = tiers.tiers
        .filter((t) => t.position !== 'past')
        .flatMap((t) =>
          t.bounds
            .filter((b) => b.driver === driver.name)
            .map((b) => ({
              value: b.until,
              label: `${t.name} bound ${count(b.until)}`,
              color: t.position === 'deployed' ? TONE_COLOR.warning : TONE_COLOR.full,
            })),
        )
        .filter((t) => t.value <= Math.max(...values) * 1.6);
      const ranges: XRange[] =
        bound?.earliest !== undefined && bound.latest !== undefined && bound.latest > bound.earliest
          ? [{ from: bound.earliest, to: bound.latest, label: 'bound reached' }]
          : [];
      chart.update(
        x,
        [values, [driver.now, null, null, null]],
        `${driver.name}: ${count(driver.now)} now, ${count(driver.in30d)} in 30 days, ${count(driver.in90d)} in 90 days, ${count(driver.in365d)} in a year (${driver.note}).${thresholds.length ? ` Tier bounds: ${thresholds.map((t) => t.label).join(', ')}.` : ''}`,
        { thresholds, ranges, yInclude: bound ? [bound.until] : [] },
      );
    },
  };
}

/** Capacities measured by load tests, each beside the roadmap's formula; nothing when none was. */
function measuredList(components: ResourceState[]): HTMLElement | null {
  const measured = components.filter((r) => r.measured);
  if (!measured.length) return null;
  return h(
    'div',
    { class: 'block', 'data-testid': 'measured' },
    h('h3', null, 'Measured capacity'),
    h(
      'ul',
      { class: 'checks' },
      measured.map((r) => {
        const m = r.measured!;
        const per = m.perReplica ? ' per replica' : '';
        const formula =
          m.formula === undefined
            ? 'formula not evaluable (reads live metrics)'
            : `formula ${inUnit(m.formula, r.unit)}${per}`;
        const scaled =
          m.applied !== undefined && Math.abs(m.applied - m.value) > 0.005 * m.value
            ? `; ${inUnit(m.applied, r.unit)}${per} as deployed`
            : '';
        return h(
          'li',
          { 'data-resource': key(r) },
          h(
            'span',
            null,
            h('strong', null, key(r)),
            `: measured ${inUnit(m.value, r.unit)}${per}${scaled}; ${formula}`,
            h(
              'span',
              { class: 'muted block-line' },
              `${m.held.length ? `held ${m.held.join(', ')} · ` : ''}${m.method}${m.scenario !== m.method ? ` (${m.scenario})` : ''}, ${day(Date.parse(m.at))} · capacity now ${inUnit(r.capacity, r.unit)} (formula ${inUnit(r.formulaCapacity, r.unit)})`,
            ),
          ),
        );
      }),
    ),
  );
}

function growthNote(d: DriverProjection): string {
  if (d.method === 'fitted') return 'fitted from history';
  if (d.method === 'declared') return `declared in the plan: ${d.declared ?? ''}`.trim();
  return 'no growth known';
}

function currentLoad(
  driver: DriverProjection | undefined,
  bound: TiersDoc['tiers'][number]['bounds'][number] | undefined,
  tier: string | undefined,
  components: ResourceState[],
): HTMLElement {
  if (driver && bound)
    return stat(
      'Current load',
      count(driver.now),
      `${driver.name} · ${percent(bound.fraction)} of ${tier}'s ${count(bound.until)}`,
      { 'data-testid': 'current-load' },
    );
  if (driver)
    return stat('Current load', count(driver.now), `${driver.name} · no tier bound`, {
      'data-testid': 'current-load',
    });
  const busiest = [...components]
    .filter((r) => r.utilization !== undefined)
    .sort((a, b) => b.utilization! - a.utilization!)[0];
  return stat(
    'Current load',
    busiest ? percent(busiest.utilization) : NONE,
    busiest ? `${key(busiest)}, the busiest resource` : 'no resource measured',
    { 'data-testid': 'current-load' },
  );
}

/** Bytes per week, from the first projected crossing of the resource's thresholds. */
function storageTrend(r: ResourceState, points: BreakingPoint[], now: number): string {
  const next = points.find(
    (p) =>
      p.component === r.ref.component &&
      p.resource === r.ref.resource &&
      p.at !== undefined &&
      p.at > now + 60_000,
  );
  if (!next || r.capacity === undefined || r.effectiveUsage === undefined) return 'flat';
  const perWeekBytes =
    ((next.threshold * r.capacity - r.effectiveUsage) / (next.at! - now)) * WEEK_MS;
  return `${perWeekBytes >= 0 ? '+' : '−'}${bytes(Math.abs(perWeekBytes))}/week`;
}

interface ScaleDate {
  at?: number;
  detail: string;
  action: string;
  tone: Tone;
  word: string;
}

/** When to scale and what to do: the next tier step, else the first breaking point. */
function scaleDate(tiers: TiersDoc, points: BreakingPoint[], now: number): ScaleDate {
  const next = tiers.next_step;
  if (next) {
    const at = next.at;
    const range =
      next.earliest !== undefined && next.latest !== undefined && next.latest > next.earliest
        ? `, between ${day(next.earliest)} and ${day(next.latest)}`
        : '';
    const detail =
      at === undefined
        ? `${next.tier}: ${next.reason}`
        : at <= now + 60_000
          ? `${next.tier}: ${next.reason}`
          : `${next.tier} ${relative(at, now)}${range}: ${next.reason}`;
    if (at === undefined)
      return {
        detail,
        action: `Nothing to do yet; ${next.tier} is not due within 2 years.`,
        tone: 'ok',
        word: 'on track',
      };
    if (at <= now + DAY_MS)
      return {
        at,
        detail,
        action: `Deploy ${next.tier} now.`,
        tone: 'critical',
        word: 'scale now',
      };
    if (at <= now + 120 * DAY_MS)
      return {
        at,
        detail,
        action: `Begin ${next.tier} planning.`,
        tone: 'warning',
        word: 'plan scaling',
      };
    return {
      at,
      detail,
      action: `Nothing to do yet; review ${next.tier} before ${month(at)}.`,
      tone: 'ok',
      word: 'on track',
    };
  }
  const first =
    points.find((p) => p.at !== undefined && p.severity !== 'capacity') ??
    points.find((p) => p.at !== undefined);
  if (!first || first.at === undefined)
    return {
      detail: 'no breaking point within 2 years',
      action: 'Nothing to do.',
      tone: 'ok',
      word: 'on track',
    };
  const name = `${first.component}.${first.resource}`;
  const soon = first.at <= now + 120 * DAY_MS;
  return {
    at: first.at,
    detail: `${name} ${first.at <= now + 60_000 ? 'is past' : `reaches ${relative(first.at, now)}`} ${percent(first.threshold)} (${first.severity})`,
    action: first.action ?? (first.fix ? `Move to ${first.fix.tier}.` : `Add capacity to ${name}.`),
    tone: first.at <= now + DAY_MS ? 'critical' : soon ? 'warning' : 'ok',
    word: first.at <= now + DAY_MS ? 'scale now' : soon ? 'plan scaling' : 'on track',
  };
}
