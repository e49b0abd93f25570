/**
 * Scaling decisions: each autoscaled pool's policy, replicas (current, desired, bounds), whether
 * it only recommends (dry run), and its recent decisions with their reasons, with the replica
 * count over time. From /api/scaling; a server without it (404) has no autoscaling configured.
 */
import type { ScalingPool } from '../api-types.ts';
import { dataOf, errorOf } from '../api.ts';
import { Chart, PALETTE, TONE_COLOR } from '../chart.ts';
import { badge, h, when } from '../dom.ts';
import { relative, time } from '../format.ts';
import { Card, type Snapshot, type Widget } from '../widget.ts';

/** Decisions listed per pool. */
const MAX_DECISIONS = 5;

/** Builds the scaling decisions widget. */
export function createScaling(): Widget {
  const card = new Card({
    id: 'scaling',
    title: 'Scaling decisions',
    source:
      'From /api/scaling: each pool’s replicas and the autoscaler’s decisions with their reasons.',
    span: 'span-2',
  });
  const charts = new Map<string, Chart>();
  const grid = h('div', { class: 'chart-grid' });
  return {
    element: card.element,
    update(s: Snapshot) {
      const failed = errorOf(s.scaling);
      const doc = dataOf(s.scaling);
      if (failed?.status === 404 || (doc && !doc.pools.length)) {
        card.message(
          'empty',
          [
            h('strong', null, 'Autoscaling not configured. '),
            'This plan autoscales no pool: add an autoscale: section to have headroom size worker pools (docs/autoscale.md).',
          ],
          badge('info', 'not configured'),
        );
        return;
      }
      if (!doc) {
        if (failed) card.failure('/api/scaling', failed);
        else card.message('loading', 'Loading…');
        return;
      }
      const pools = doc.pools;
      const behind = pools.filter(
        (p) => p.active !== false && p.replicas.current !== p.replicas.desired,
      ).length;
      const failing = pools.filter((p) => p.error).length;
      card.render(
        [
          h(
            'div',
            { class: 'pools' },
            pools.map((p) => pool(p, s.now)),
          ),
        ],
        failing
          ? badge('critical', `${failing} failing`)
          : behind
            ? badge('pending', `${behind} scaling`)
            : badge('ok', `${pools.length} steady`),
      );
      card.charts.hidden = false;
      if (!grid.isConnected) card.charts.append(grid);
      for (const [name, chart] of charts)
        if (!pools.some((p) => p.name === name)) {
          chart.figure.remove();
          charts.delete(name);
        }
      for (const p of pools) {
        // A pool that has not run yet has nothing to draw.
        if (p.replicas.current === undefined && !p.decisions.length) {
          charts.get(p.name)?.figure.remove();
          charts.delete(p.name);
          continue;
        }
        let chart = charts.get(p.name);
        if (!chart) {
          chart = new Chart({
            title: `${p.name} replicas`,
            height: 130,
            yFormat: (v) => (Number.isInteger(v) ? String(v) : ''),
            yRange: (_min, max) => [0, Math.max(p.replicas.max, max) + 1],
            lines: [{ label: 'replicas', color: PALETTE[0]!, stepped: true, width: 2 }],
          });
          charts.set(p.name, chart);
        }
        grid.append(chart.figure);
        const points = [...p.decisions]
          // A change that failed left the replicas where they were.
          .map((d) => ({ t: toMs(d.at), v: d.error ? d.from : d.to, from: d.from }))
          .sort((a, b) => a.t - b.t);
        const first = points[0];
        const current = p.replicas.current ?? points.at(-1)?.v ?? null;
        const x = [...(first ? [first.t - 60_000] : []), ...points.map((q) => q.t), s.now];
        const y = [...(first ? [first.from] : []), ...points.map((q) => q.v), current];
        chart.update(
          x,
          [y],
          `${p.name}: ${current ?? 'unknown'} replicas now, desired ${p.replicas.desired ?? 'unknown'}, bounds ${p.replicas.min} to ${p.replicas.max}; ${points.length} changes shown.`,
          {
            thresholds: [
              { value: p.replicas.max, label: `max ${p.replicas.max}`, color: TONE_COLOR.full },
              { value: p.replicas.min, label: `min ${p.replicas.min}`, color: TONE_COLOR.full },
            ],
          },
        );
      }
    },
  };
}

function toMs(at: string | number): number {
  return typeof at === 'number' ? at : Date.parse(at);
}

function pool(p: ScalingPool, now: number): HTMLElement {
  const decisions = [...p.decisions]
    .sort((a, b) => toMs(b.at) - toMs(a.at))
    .slice(0, MAX_DECISIONS);
  const last = p.last_decision;
  const r = p.replicas;
  return h(
    'div',
    { class: 'pool', 'data-pool': p.name },
    h(
      'h3',
      null,
      p.name,
      ' ',
      h('span', { class: 'muted' }, p.policy),
      ' ',
      p.active === false ? badge('info', 'inactive') : null,
      p.dry_run ? badge('info', 'dry run') : null,
    ),
    h(
      'p',
      { class: 'pool-replicas' },
      h('strong', null, r.current === undefined ? '—' : String(r.current)),
      ` replicas now · desired ${r.desired ?? '—'} · bounds ${r.min}–${r.max}`,
    ),
    p.active === false && p.inactive_reason ? h('p', { class: 'muted' }, p.inactive_reason) : null,
    p.error ? h('p', { class: 'error-text' }, badge('critical', 'error'), ` ${p.error}`) : null,
    last
      ? h(
          'p',
          null,
          h('strong', null, 'Last decision: '),
          `${last.replicas} replicas `,
          when(
            toMs(last.at),
            relative(toMs(last.at), now),
            new Date(toMs(last.at)).toLocaleString(),
          ),
          ` — ${last.reason}`,
        )
      : h('p', { class: 'muted' }, 'No decision yet.'),
    decisions.length
      ? h(
          'ol',
          { class: 'changes' },
          decisions.map((d) =>
            h(
              'li',
              null,
              h('span', { class: 'change-time' }, time(toMs(d.at))),
              d.error
                ? badge('critical', 'failed')
                : badge(
                    d.to > d.from ? 'warning' : d.to < d.from ? 'ok' : 'info',
                    d.to > d.from ? 'up' : d.to < d.from ? 'down' : 'hold',
                  ),
              h('span', null, `${d.from} → ${d.to}: ${d.reason}${d.error ? ` (${d.error})` : ''}`),
            ),
          ),
        )
      : null,
  );
}
