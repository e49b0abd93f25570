/**
 * Queue health: storage used against its limit (coloured by the triggers' thresholds), messages
 * waiting, the processing rate and the workers online, then each stream and worker pool. From
 * /api/components (capacity, usage), /api/triggers (the queue-depth trigger), /api/scaling
 * (replicas), and a live chart of what this page has seen.
 */
import type { ResourceState, ScalingDoc } from '../api-types.ts';
import { dataOf } from '../api.ts';
import { Chart, PALETTE, TONE_COLOR } from '../chart.ts';
import { badge, bar, h, stat, type Tone } from '../dom.ts';
import {
  backlogTrigger,
  historyKey,
  key,
  liveResource,
  resourceTone,
  storageResources,
  triggerUnits,
  worstTone,
} from '../derive.ts';
import { bytes, count, inUnit, NONE, percent } from '../format.ts';
import { Card, firstFailure, type Snapshot, type Widget } from '../widget.ts';

const TONE_WORD: Partial<Record<Tone, string>> = { full: 'full' };

/** Builds the queue health widget. */
export function createQueueHealth(): Widget {
  const card = new Card({
    id: 'queue-health',
    title: 'Queue health',
    source:
      'From /api/components, /api/triggers and /api/scaling; the live charts show what this page has seen since it opened.',
    span: 'span-2',
  });
  const grid = h('div', { class: 'chart-grid' });
  const storageChart = new Chart({
    title: 'Storage used, live',
    height: 150,
    minSpanMs: 30_000,
    yFormat: percent,
    yRange: (_min, max) => [0, Math.max(1, max * 1.1)],
    lines: [0, 1, 2, 3].map((i) => ({ label: '', color: PALETTE[i]! })),
  });
  const backlogChart = new Chart({
    title: 'Messages waiting, live',
    height: 150,
    minSpanMs: 30_000,
    yFormat: (v) => count(v),
    yRange: (_min, max) => [0, Math.max(10, max * 1.2)],
    lines: [{ label: 'messages waiting', color: PALETTE[0]!, width: 2 }],
  });
  let storageKeys = '';
  return {
    element: card.element,
    update(s: Snapshot) {
      const failed = firstFailure([
        ['/api/components', s.components],
        ['/api/triggers', s.triggers],
      ]);
      const components = dataOf(s.components);
      const triggers = dataOf(s.triggers);
      if (!components || !triggers) {
        if (failed) card.failure(failed.path, failed.error);
        else card.message('loading', 'Loading…');
        return;
      }
      const units = triggerUnits(dataOf(s.forecast));
      const storage = storageResources(components.map((r) => liveResource(r, triggers)));
      const backlog = backlogTrigger(triggers, units);
      const workers = components.filter((r) => r.ref.perReplica && r.unit === '1/s');
      const perStream = channels(components, workers);
      const scaling = dataOf(s.scaling);
      if (!storage.length && !backlog && !perStream.length) {
        card.message(
          'empty',
          'No data yet: this plan has no storage, queue or worker resources with a capacity.',
        );
        return;
      }
      const tones = storage.slice(0, 4).map(resourceTone);
      if (backlog) tones.push(backlog.status);
      const head = storage[0];
      const rate = workers.length
        ? workers.reduce((a, r) => a + (r.usage ?? r.effectiveUsage ?? 0), 0)
        : undefined;
      card.render(
        [
          h(
            'dl',
            { class: 'stats' },
            stat(
              'Storage',
              head ? bytes(head.effectiveUsage) : NONE,
              head
                ? [
                    `of ${bytes(head.capacity)} · ${percent(head.utilization)} `,
                    badge(resourceTone(head), TONE_WORD[resourceTone(head)]),
                  ]
                : 'no storage resource',
              { 'data-testid': 'storage' },
            ),
            stat(
              'Messages waiting',
              backlog ? count(backlog.value) : NONE,
              backlog ? [badge(backlog.status), ` ${backlog.trigger}`] : 'no queue-depth trigger',
              { 'data-testid': 'backlog' },
            ),
            stat(
              'Processing rate',
              rate === undefined ? NONE : `${count(rate)}/s`,
              workers.length
                ? `${workers.length} worker pool${workers.length > 1 ? 's' : ''}`
                : 'no worker pools',
            ),
            workersStat(scaling),
          ),
          h(
            'div',
            { class: 'split' },
            storage.length ? storageList(storage) : null,
            perStream.length ? channelTable(perStream) : null,
          ),
        ],
        badge(worstTone(tones)),
      );
      card.charts.hidden = false;
      if (!grid.isConnected) card.charts.append(grid);
      if (!storageChart.figure.isConnected) grid.prepend(storageChart.figure);
      const shown = storage.slice(0, 4);
      const keys = shown.map(key).join(',');
      if (keys !== storageKeys) {
        storageKeys = keys;
        const legend = storageChart.figure.querySelectorAll('.legend li');
        legend.forEach((li, i) => {
          li.lastChild!.textContent = shown[i] ? key(shown[i]) : '';
          (li as HTMLElement).hidden = !shown[i];
        });
      }
      const series = shown.map((r) => s.history.get(historyKey(r)));
      const x = [...new Set(series.flatMap((p) => p.map((q) => q.t)))].sort((a, b) => a - b);
      const ys = [0, 1, 2, 3].map((i) => {
        const byT = new Map((series[i] ?? []).map((p) => [p.t, p.v]));
        return x.map((t) => byT.get(t) ?? null);
      });
      const thresholds = (head?.thresholds ?? [])
        .filter((t) => t.severity !== 'capacity')
        .map((t) => ({
          value: t.utilization,
          label: `${t.severity} ${percent(t.utilization)}`,
          color: TONE_COLOR[t.severity],
        }));
      storageChart.update(
        x,
        ys,
        `${x.length} readings since this page opened. Now: ${shown.map((r) => `${key(r)} ${percent(r.utilization)} of ${bytes(r.capacity)}`).join('; ')}.`,
        { thresholds },
      );
      if (backlog) {
        if (!backlogChart.figure.isConnected) grid.append(backlogChart.figure);
        const points = s.history.get(`trigger:${backlog.trigger}`);
        backlogChart.update(
          points.map((p) => p.t),
          [points.map((p) => p.v)],
          `${points.length} readings since this page opened; now ${count(backlog.value)} messages waiting.`,
        );
      } else backlogChart.figure.remove();
    },
  };
}

function workersStat(scaling: ScalingDoc | undefined): HTMLElement {
  const pools = (scaling?.pools ?? []).filter((p) => p.replicas.current !== undefined);
  if (!pools.length)
    return stat(
      'Workers online',
      NONE,
      scaling?.pools.length ? 'no replica count yet' : 'autoscaling not configured',
      { 'data-testid': 'workers' },
    );
  const current = pools.reduce((a, p) => a + (p.replicas.current ?? 0), 0);
  const desired = pools.reduce((a, p) => a + (p.replicas.desired ?? p.replicas.current ?? 0), 0);
  const tone: Tone = current >= desired ? 'ok' : 'pending';
  return stat(
    'Workers online',
    `${current}/${desired}`,
    [
      badge(tone, current >= desired ? 'ok' : 'starting'),
      ` ${pools.length} pool${pools.length === 1 ? '' : 's'}`,
    ],
    { 'data-testid': 'workers' },
  );
}

function storageList(storage: ResourceState[]): HTMLElement {
  const rows = storage.slice(0, 5);
  return h(
    'div',
    { class: 'block' },
    h('h3', null, 'Used vs limit'),
    h(
      'ul',
      { class: 'meters' },
      rows.map((r) => {
        const tone = resourceTone(r);
        return h(
          'li',
          { 'data-resource': key(r) },
          h(
            'span',
            { class: 'meter-name' },
            r.ref.component,
            h('span', { class: 'muted' }, `.${r.ref.resource}`),
          ),
          h('span', { class: 'meter-pct' }, percent(r.utilization)),
          badge(tone, TONE_WORD[tone]),
          bar(r.utilization, tone, `${key(r)} ${percent(r.utilization)} used`),
          h('span', { class: 'meter-value' }, `${bytes(r.effectiveUsage)} / ${bytes(r.capacity)}`),
        );
      }),
    ),
    storage.length > rows.length
      ? h('p', { class: 'muted' }, `${storage.length - rows.length} more in /api/components.`)
      : null,
  );
}

/** A stream or queue, the worker pool that drains it, or both (paired by name stem). */
interface Channel {
  name: string;
  messages?: ResourceState;
  worker?: ResourceState;
}

/** `sms-stream` and `sms-worker` → `sms`; `webhooks-stream` and `webhook-worker` → `webhook`. */
function stem(component: string): string {
  return component
    .replace(/[-_](stream|queue|consumer|worker|workers|pool)$/, '')
    .replace(/s$/, '');
}

/** Streams (components with a `messages` resource) and worker pools, paired by name. */
function channels(components: ResourceState[], workers: ResourceState[]): Channel[] {
  const byStem = new Map<string, Channel>();
  for (const r of components)
    if (/^(messages|pending|backlog|depth)$/.test(r.ref.resource) && !r.ref.perReplica) {
      const k = stem(r.ref.component);
      byStem.set(k, {
        ...byStem.get(k),
        name: byStem.get(k)?.name ?? r.ref.component,
        messages: r,
      });
    }
  for (const w of workers) {
    const k = stem(w.ref.component);
    const found = byStem.get(k);
    byStem.set(k, { name: found?.name ?? w.ref.component, messages: found?.messages, worker: w });
  }
  return [...byStem.values()];
}

function channelTable(list: Channel[]): HTMLElement {
  return h(
    'div',
    { class: 'block' },
    h('h3', null, 'Per stream'),
    h(
      'table',
      { class: 'table compact', 'data-testid': 'streams' },
      h(
        'caption',
        { class: 'visually-hidden' },
        'Messages in each stream and the rate its workers process them',
      ),
      h(
        'thead',
        null,
        h(
          'tr',
          null,
          h('th', { scope: 'col' }, 'Stream'),
          h('th', { scope: 'col', class: 'num' }, 'Messages'),
          h('th', { scope: 'col', class: 'num' }, 'Processed'),
          h('th', { scope: 'col', class: 'num' }, 'Busy'),
        ),
      ),
      h(
        'tbody',
        null,
        list.map((c) => {
          const w = c.worker;
          const tone = w ? resourceTone(w) : 'unknown';
          return h(
            'tr',
            { 'data-stream': c.name },
            h(
              'th',
              { scope: 'row' },
              c.name,
              w && w.ref.component !== c.name
                ? h('span', { class: 'muted block-line' }, w.ref.component)
                : null,
            ),
            h('td', { class: 'num' }, c.messages ? count(c.messages.effectiveUsage) : NONE),
            h('td', { class: 'num' }, w ? `${inUnit(w.usage ?? w.effectiveUsage, w.unit)}` : NONE),
            h(
              'td',
              { class: 'num' },
              w
                ? [percent(w.utilization), tone === 'ok' ? '' : [' ', badge(tone, TONE_WORD[tone])]]
                : NONE,
            ),
          );
        }),
      ),
    ),
  );
}
