/**
 * Alerts: every trigger that is pending, warning or critical — its state, since when, its value
 * and the action to take — then the triggers that cannot be judged, and the latest alert state
 * changes (live from `/api/events`). From /api/triggers, /api/alerts and /api/status.
 */
import type { AlertChange, StatusWord, TriggerStatus } from '../api-types.ts';
import { dataOf } from '../api.ts';
import { badge, h, when, type Tone } from '../dom.ts';
import { triggerAction, triggerUnits, worstTone } from '../derive.ts';
import { relative, time, triggerValue } from '../format.ts';
import { Card, firstFailure, type Snapshot, type Widget } from '../widget.ts';

const ACTIVE: StatusWord[] = ['critical', 'warning', 'pending'];
const CHANGE_TONE: Record<AlertChange['to'], Tone> = {
  inactive: 'ok',
  pending: 'pending',
  firing: 'critical',
};

/** Builds the alerts widget. */
export function createAlerts(): Widget {
  const card = new Card({
    id: 'alerts',
    title: 'Alerts',
    source: 'From /api/triggers and /api/alerts; changes arrive live from /api/events.',
    span: 'span-2',
  });
  return {
    element: card.element,
    update(s: Snapshot) {
      const triggers = dataOf(s.triggers);
      if (!triggers) {
        const failed = firstFailure([['/api/triggers', s.triggers]]);
        if (failed) card.failure(failed.path, failed.error);
        else card.message('loading', 'Loading…');
        return;
      }
      if (!triggers.length) {
        card.message('empty', 'No data yet: the first evaluation has not finished.');
        return;
      }
      const units = triggerUnits(dataOf(s.forecast));
      const active = triggers
        .filter((t) => ACTIVE.includes(t.status))
        .sort((a, b) => ACTIVE.indexOf(a.status) - ACTIVE.indexOf(b.status) || a.since - b.since);
      const unknown = triggers.filter((t) => t.status === 'unknown');
      const ok = triggers.filter((t) => t.status === 'ok').length;
      const changes = (dataOf(s.alerts) ?? []).slice(0, 8);
      const tone = active.length
        ? worstTone(active.map((t) => t.status))
        : unknown.length
          ? 'unknown'
          : 'ok';
      card.render(
        [
          h(
            'p',
            { class: 'summary', 'data-testid': 'alert-summary' },
            active.length
              ? `${active.length} active · ${ok} ok${unknown.length ? ` · ${unknown.length} unknown` : ''} of ${triggers.length} triggers`
              : [
                  badge('ok', 'all clear'),
                  ` No alerts: ${ok} of ${triggers.length} triggers ok${unknown.length ? `, ${unknown.length} unknown` : ''}.`,
                ],
          ),
          active.length ? activeTable(active, units, s.now) : null,
          unknown.length ? unknownList(unknown) : null,
          h('h3', null, 'Latest changes'),
          changes.length
            ? h(
                'ol',
                { class: 'changes', 'data-testid': 'alert-changes' },
                changes.map((c) => changeItem(c, units, s.now)),
              )
            : h('p', { class: 'muted' }, 'No alert has changed state since the server started.'),
        ],
        badge(tone, active.length ? `${active.length} active` : tone === 'ok' ? 'ok' : 'unknown'),
      );
    },
  };
}

function activeTable(
  active: TriggerStatus[],
  units: Map<string, 'ratio' | 's' | 'B' | ''>,
  now: number,
): HTMLElement {
  return h(
    'table',
    { class: 'table', 'data-testid': 'active-alerts' },
    h('caption', { class: 'visually-hidden' }, 'Active alerts'),
    h(
      'thead',
      null,
      h(
        'tr',
        null,
        ['Trigger', 'State', 'Since', 'Value', 'Action'].map((c) =>
          h('th', { scope: 'col', class: c === 'Value' ? 'num' : undefined }, c),
        ),
      ),
    ),
    h(
      'tbody',
      null,
      active.map((t) => {
        const word = t.status === 'pending' && t.severity ? `pending ${t.severity}` : t.status;
        return h(
          'tr',
          { 'data-trigger': t.trigger, class: `row-${t.status}` },
          h('th', { scope: 'row' }, t.trigger),
          h('td', null, badge(t.status, word)),
          h('td', null, when(t.since, relative(t.since, now), new Date(t.since).toLocaleString())),
          h('td', { class: 'num' }, triggerValue(t.value, units.get(t.trigger) ?? '')),
          h(
            'td',
            { class: 'action' },
            triggerAction(t) ??
              (t.status === 'pending' ? 'Waiting for its for: duration before firing.' : '—'),
          ),
        );
      }),
    ),
  );
}

function unknownList(unknown: TriggerStatus[]): HTMLElement {
  return h(
    'details',
    { class: 'disclosure', 'data-key': 'unknown-triggers' },
    h(
      'summary',
      { 'data-key': 'unknown-triggers-summary' },
      badge('unknown', `${unknown.length} unknown`),
      ` ${unknown.length === 1 ? 'trigger' : 'triggers'} cannot be judged`,
    ),
    h(
      'ul',
      { class: 'plain' },
      unknown.map((t) =>
        h('li', null, h('strong', null, t.trigger), ': ', t.reason ?? t.lastError ?? 'no value'),
      ),
    ),
  );
}

function changeItem(
  c: AlertChange,
  units: Map<string, 'ratio' | 's' | 'B' | ''>,
  now: number,
): HTMLElement {
  const t = Date.parse(c.t);
  const to = c.to === 'inactive' ? 'resolved' : c.to;
  const labels = Object.entries(c.labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
  return h(
    'li',
    { 'data-trigger': c.trigger },
    h(
      'span',
      { class: 'change-time' },
      when(t, time(t), `${new Date(t).toLocaleString()} (${relative(t, now)})`),
    ),
    badge(c.to === 'firing' && c.severity === 'warning' ? 'warning' : CHANGE_TONE[c.to], to),
    h(
      'span',
      null,
      h('strong', null, c.trigger),
      ` ${c.severity}${labels ? ` {${labels}}` : ''}: ${c.from} → ${to}, value ${triggerValue(c.value, units.get(c.trigger) ?? '')}`,
    ),
  );
}
