/**
 * Readiness checklists: each list, the tier it prepares, its progress, and every item done or
 * to do (in words, not only a tick); an item that names a load test says how its last run went
 * (it is ticked once a run passed). From /api/checklist.
 */
import type { ChecklistItem, LoadTestRun } from '../api-types.ts';
import { dataOf, errorOf } from '../api.ts';
import { badge, h } from '../dom.ts';
import { day, inUnit, percent, seconds } from '../format.ts';
import { Card, type Snapshot, type Widget } from '../widget.ts';

/** Builds the readiness checklist widget. */
export function createChecklist(): Widget {
  const card = new Card({
    id: 'checklist',
    title: 'Readiness checklist',
    source:
      'From /api/checklist: the plan’s checklists; tick items in the plan file (done: true), or name a load test (loadtest: scenario) that ticks it when a run passes.',
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
                    h('span', null, i.item, loadTestLine(i)),
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

/** `Load test three-x: passed 7 Dec 2026 — 212/s, p95 41 ms`, under an item that names one. */
function loadTestLine(i: ChecklistItem): HTMLElement | null {
  if (!i.loadtest) return null;
  return h(
    'span',
    { class: 'muted block-line', 'data-loadtest': i.loadtest },
    `Load test ${i.loadtest}: ${runText(i.last_run ?? undefined)}`,
  );
}

function runText(run: LoadTestRun | undefined): string {
  if (!run) return 'never run';
  const figures = (r: { rate: number; p95: number }): string =>
    `${inUnit(r.rate, '1/s')}, p95 ${seconds(r.p95)}`;
  const failed = `last run failed ${day(Date.parse(run.at))} — ${figures(run)}${run.failed_rate > 0 ? `, ${percent(run.failed_rate)} failed` : ''}`;
  if (run.ok) return `passed ${day(Date.parse(run.at))} — ${figures(run)}`;
  if (run.last_pass)
    return `passed ${day(Date.parse(run.last_pass.at))} — ${figures(run.last_pass)}; ${failed}`;
  return failed;
}
