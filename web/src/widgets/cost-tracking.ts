/**
 * Cost tracking: this month's infrastructure (the deployed tier and priced components), each
 * metered unit cost with its measured volume, the total, and the average per driver unit
 * (per company). From /api/costs.
 */
import type { CostsDoc } from '../api-types.ts';
import { dataOf, errorOf } from '../api.ts';
import { PALETTE } from '../chart.ts';
import { badge, h, stat } from '../dom.ts';
import { count, money, NONE, percent, price, singular } from '../format.ts';
import { Card, type Snapshot, type Widget } from '../widget.ts';

/** Builds the cost tracking widget. */
export function createCostTracking(): Widget {
  const card = new Card({
    id: 'cost-tracking',
    title: 'Cost tracking',
    source:
      'From /api/costs: the deployed tier’s cost, unit_costs × volumes measured over the last month.',
  });
  return {
    element: card.element,
    update(s: Snapshot) {
      const costs = dataOf(s.costs);
      const failed = errorOf(s.costs);
      if (!costs) {
        if (failed) card.failure('/api/costs', failed);
        else card.message('loading', 'Loading…');
        return;
      }
      if (costs.tierMonthlyUsd === undefined && !costs.components.length && !costs.units.length) {
        card.message(
          'empty',
          'No data yet: this plan prices nothing (no tier cost, component cost or unit_costs).',
        );
        return;
      }
      const lines = costLines(costs);
      const total = costs.totalMonthlyUsd;
      const perUnit = Object.entries(costs.perDriverUnit);
      card.render(
        [
          h(
            'dl',
            { class: 'stats' },
            stat(
              'Total this month',
              money(total),
              total === undefined ? 'nothing priced yet' : 'USD, everything known',
              { 'data-testid': 'cost-total' },
            ),
            perUnit.length
              ? perUnit.map(([driver, usd]) =>
                  stat(`Avg per ${singular(driver)}`, money(usd), 'per month'),
                )
              : stat('Avg per unit', NONE, 'no driver'),
            costs.revenue?.margin !== undefined
              ? stat(
                  'Margin',
                  percent(costs.revenue.margin),
                  `break-even at ${count(costs.revenue.breakEvenUnits)} ${costs.revenue.driver}`,
                )
              : null,
          ),
          total ? composition(lines, total) : null,
          h(
            'table',
            { class: 'table' },
            h('caption', { class: 'visually-hidden' }, 'Monthly costs'),
            h(
              'thead',
              null,
              h(
                'tr',
                null,
                h('th', { scope: 'col' }, 'Item'),
                h('th', { scope: 'col', class: 'num' }, 'Volume'),
                h('th', { scope: 'col', class: 'num' }, 'Per month'),
              ),
            ),
            h(
              'tbody',
              null,
              lines.map((l, i) =>
                h(
                  'tr',
                  { 'data-cost': l.name },
                  h(
                    'th',
                    { scope: 'row' },
                    h('span', {
                      class: 'swatch',
                      style: `--c:${l.usd ? PALETTE[i % PALETTE.length] : 'transparent'}`,
                      'aria-hidden': 'true',
                    }),
                    l.name,
                    l.detail ? h('span', { class: 'muted block-line' }, l.detail) : null,
                  ),
                  h('td', { class: 'num' }, l.volume ?? NONE),
                  h(
                    'td',
                    { class: 'num' },
                    l.usd === undefined
                      ? h('span', { class: 'muted', title: l.note }, 'not yet')
                      : money(l.usd),
                  ),
                ),
              ),
            ),
            h(
              'tfoot',
              null,
              h(
                'tr',
                null,
                h('th', { scope: 'row' }, 'Total'),
                h('td'),
                h('td', { class: 'num' }, money(total)),
              ),
            ),
          ),
        ],
        total === undefined ? badge('unknown', 'no total') : badge('info', `${money(total)}/mo`),
      );
    },
  };
}

interface Line {
  name: string;
  detail?: string;
  volume?: string;
  usd?: number;
  note?: string;
}

function costLines(costs: CostsDoc): Line[] {
  const lines: Line[] = [];
  if (costs.tierMonthlyUsd !== undefined)
    lines.push({
      name: 'Infrastructure',
      detail: costs.tier ? `${costs.tier}, fixed` : 'fixed',
      usd: costs.tierMonthlyUsd,
    });
  for (const c of costs.components)
    lines.push({
      name: c.component,
      detail:
        c.replicas !== undefined
          ? `${c.replicas} replica${c.replicas === 1 ? '' : 's'}`
          : 'component',
      usd: c.monthlyUsd,
    });
  for (const u of costs.units)
    lines.push({
      name: u.name,
      detail: `${price(u.priceUsd)} each${u.metric ? ` · ${u.metric}` : ''}`,
      volume: u.monthlyVolume === undefined ? undefined : count(u.monthlyVolume),
      usd: u.monthlyUsd,
      note: u.note,
    });
  return lines;
}

function composition(lines: Line[], total: number): HTMLElement {
  return h(
    'div',
    { class: 'stack', 'aria-hidden': 'true' },
    lines.map((l, i) =>
      l.usd
        ? h('span', {
            style: `--c:${PALETTE[i % PALETTE.length]};flex-grow:${l.usd / total}`,
            title: `${l.name} ${money(l.usd)}`,
          })
        : null,
    ),
  );
}
