/**
 * Readiness checklists: each list, the tier it prepares, its progress, and every item done or
 * to do (in words, not only a tick). From /api/checklist.
 */
import { dataOf, errorOf } from '../api.ts';
import { badge, h } from '../dom.ts';
import { Card, type Snapshot, type Widget } from '../widget.ts';

/** Builds the readiness checklist widget. */
export function createChecklist(): Widget {
  const card = new Card({
    id: 'checklist',
    title: 'Readiness checklist',
    source: 'From /api/checklist: the plan’s checklists; tick items in the plan file (done: true).',
  });
  return {
    element: card.element,
    update(s: Snapshot) {
      const lists = dataOf(s.checklist);
      const failed = errorOf(s.checklist);
      if (!lists) {
        if (failed) card.failure('/api/checklist', failed);
        else card.message('loading', 'Loading…');
        return;
      }
      if (!lists.length) {
        card.message('empty', 'No data yet: this plan has no readiness checklist.');
        return;
      }
      const done = lists.reduce((a, l) => a + l.items.filter((i) => i.done).length, 0);
      const total = lists.reduce((a, l) => a + l.items.length, 0);
      card.render(
        lists.map((l, n) => {
          const d = l.items.filter((i) => i.done).length;
          return h(
            'div',
            { class: 'block', 'data-checklist': l.name },
            h('h3', null, l.name, l.tier ? h('span', { class: 'muted' }, ` · ${l.tier}`) : null),
            h(
              'div',
              { class: 'progress-row' },
              h('progress', {
                max: l.items.length,
                value: d,
                'aria-label': `${l.name}: ${d} of ${l.items.length} done`,
              }),
              h('span', null, `${d} of ${l.items.length} done`),
            ),
            h(
              'details',
              {
                class: 'disclosure',
                'data-key': `checklist-${n}`,
                open: true,
              },
              h('summary', { 'data-key': `checklist-${n}-summary` }, `${l.items.length} items`),
              h(
                'ul',
                { class: 'checks' },
                l.items.map((i) =>
                  h(
                    'li',
                    { class: i.done ? 'is-done' : 'is-todo' },
                    h('span', { class: 'check', 'aria-hidden': 'true' }, i.done ? '✓' : ''),
                    h('span', { class: 'visually-hidden' }, i.done ? 'done: ' : 'to do: '),
                    i.item,
                  ),
                ),
              ),
            ),
          );
        }),
        badge(done === total ? 'ok' : 'pending', `${done}/${total} done`),
      );
    },
  };
}
