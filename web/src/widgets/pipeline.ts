/**
 * Pipeline and sources: the health of each stage of the loop (collect, store, evaluate,
 * notify, autoscale, forecast) and of each source, with the last error; the notification
 * channels (what each sent, what waits, which are disabled and why); and the errors of a bad
 * edit of the plan file (the previous plan keeps running until it is fixed). From /api/status.
 */
import type { NotifyDoc, PlanError, StageHealth, StatusDoc } from '../api-types.ts';
import { dataOf, errorOf } from '../api.ts';
import { badge, h, when, type Tone } from '../dom.ts';
import { relative, time } from '../format.ts';
import { Card, type Snapshot, type Widget } from '../widget.ts';

/** The loop's stages in the order they run; a stage the server adds later is listed after. */
const ORDER = ['collect', 'store', 'evaluate', 'notify', 'autoscale', 'forecast'];
const STAGE_TONE: Record<StageHealth['state'], Tone> = {
  ok: 'ok',
  err: 'critical',
  pending: 'pending',
  off: 'info',
};
const STAGE_WORD: Record<StageHealth['state'], string> = {
  ok: 'ok',
  err: 'failing',
  pending: 'not run yet',
  off: 'off',
};

/** Builds the pipeline and sources widget. */
export function createPipeline(): Widget {
  const card = new Card({
    id: 'pipeline',
    title: 'Pipeline and sources',
    source: 'From /api/status: each stage’s and source’s health after the latest step of the loop.',
  });
  return {
    element: card.element,
    update(s: Snapshot) {
      const status = dataOf(s.status);
      const failed = errorOf(s.status);
      if (!status) {
        if (failed) card.failure('/api/status', failed);
        else card.message('loading', 'Loading…');
        return;
      }
      const sources = Object.entries(status.sources);
      const stages = [
        ...ORDER.filter((st) => status.stages[st]),
        ...Object.keys(status.stages).filter((st) => !ORDER.includes(st)),
      ];
      const failing =
        stages.filter((st) => status.stages[st]?.state === 'err').length +
        sources.filter(([, src]) => src.state !== 'ok').length;
      const notify = status.notify ? notifyTable(status.notify) : null;
      card.render(
        [
          status.plan_errors.length ? planErrors(status) : null,
          h(
            'table',
            { class: 'table compact', 'data-testid': 'stages' },
            h('caption', null, 'Stages'),
            h(
              'thead',
              null,
              h(
                'tr',
                null,
                h('th', { scope: 'col' }, 'Stage'),
                h('th', { scope: 'col' }, 'State'),
                h('th', { scope: 'col' }, 'Last run'),
                h('th', { scope: 'col', class: 'num' }, 'Took'),
              ),
            ),
            h(
              'tbody',
              null,
              stages.map((st) => {
                const health: StageHealth = status.stages[st] ?? { state: 'pending' };
                return h(
                  'tr',
                  { 'data-stage': st },
                  h('th', { scope: 'row' }, st),
                  h(
                    'td',
                    null,
                    badge(
                      STAGE_TONE[health.state] ?? 'unknown',
                      STAGE_WORD[health.state] ?? health.state,
                    ),
                    health.lastError ? h('div', { class: 'error-text' }, health.lastError) : null,
                  ),
                  h(
                    'td',
                    null,
                    health.lastRun
                      ? when(
                          health.lastRun,
                          relative(health.lastRun, s.now),
                          `${time(health.lastRun)}`,
                        )
                      : '—',
                  ),
                  h(
                    'td',
                    { class: 'num' },
                    health.lastDurationMs !== undefined ? `${health.lastDurationMs} ms` : '—',
                  ),
                );
              }),
            ),
          ),
          h(
            'table',
            { class: 'table compact', 'data-testid': 'sources' },
            h('caption', null, 'Sources'),
            h(
              'thead',
              null,
              h(
                'tr',
                null,
                h('th', { scope: 'col' }, 'Source'),
                h('th', { scope: 'col' }, 'Kind'),
                h('th', { scope: 'col' }, 'State'),
              ),
            ),
            h(
              'tbody',
              null,
              sources.length
                ? sources.map(([name, src]) =>
                    h(
                      'tr',
                      { 'data-source': name },
                      h('th', { scope: 'row' }, name),
                      h('td', null, src.kind),
                      h(
                        'td',
                        null,
                        badge(
                          src.state === 'ok'
                            ? 'ok'
                            : src.state === 'error'
                              ? 'critical'
                              : 'unknown',
                          src.state,
                        ),
                        src.lastError ? h('div', { class: 'error-text' }, src.lastError) : null,
                      ),
                    ),
                  )
                : h(
                    'tr',
                    null,
                    h('td', { colspan: 3, class: 'muted' }, 'No source has been read yet.'),
                  ),
            ),
          ),
          notify,
          h(
            'p',
            { class: 'muted' },
            'Serving since ',
            when(
              Date.parse(status.started_at),
              relative(Date.parse(status.started_at), s.now),
              status.started_at,
            ),
            status.loaded_at
              ? [
                  ' · plan loaded ',
                  when(
                    Date.parse(status.loaded_at),
                    relative(Date.parse(status.loaded_at), s.now),
                    status.loaded_at,
                  ),
                ]
              : null,
          ),
        ],
        status.plan_errors.length
          ? badge('critical', 'plan errors')
          : failing
            ? badge('warning', `${failing} failing`)
            : badge('ok', 'healthy'),
      );
    },
  };
}

/** The notification channels: counts, what waits, and the entries that send nothing. */
function notifyTable(doc: NotifyDoc): HTMLElement {
  return h(
    'table',
    { class: 'table compact', 'data-testid': 'notify' },
    h('caption', null, 'Notifications'),
    h(
      'thead',
      null,
      h(
        'tr',
        null,
        h('th', { scope: 'col' }, 'Channel'),
        h('th', { scope: 'col' }, 'State'),
        h('th', { scope: 'col', class: 'num' }, 'Sent'),
        h('th', { scope: 'col', class: 'num' }, 'Waiting'),
      ),
    ),
    h(
      'tbody',
      null,
      doc.channels.map((c) =>
        h(
          'tr',
          { 'data-channel': c.channel },
          h('th', { scope: 'row' }, c.channel, c.kind !== c.channel ? ` (${c.kind})` : ''),
          h(
            'td',
            null,
            badge(c.state === 'ok' ? 'ok' : 'critical', c.state === 'ok' ? 'ok' : 'failing'),
            c.severities ? h('span', { class: 'muted' }, ` ${c.severities.join(', ')}`) : null,
            c.state === 'err' && c.last_error
              ? h('div', { class: 'error-text' }, c.last_error)
              : null,
            c.dropped ? h('div', { class: 'error-text' }, `${c.dropped} dropped`) : null,
          ),
          h('td', { class: 'num' }, String(c.sent)),
          h('td', { class: 'num' }, String(c.queued)),
        ),
      ),
      doc.problems.map((p) =>
        h(
          'tr',
          { 'data-channel': p.channel },
          h('th', { scope: 'row' }, p.channel),
          h(
            'td',
            { colspan: 3 },
            badge(p.kind === 'disabled' ? 'info' : 'critical', p.kind),
            h('div', { class: 'muted' }, p.message),
            p.hint ? h('div', { class: 'muted' }, p.hint) : null,
          ),
        ),
      ),
    ),
  );
}

/** The errors of the last edit of the plan file. */
export function planErrors(status: StatusDoc): HTMLElement {
  return h(
    'div',
    { class: 'plan-errors', 'data-testid': 'plan-errors' },
    h(
      'p',
      null,
      badge('critical', 'not applied'),
      ` The last edit of the plan has ${status.plan_errors.length} error${status.plan_errors.length === 1 ? '' : 's'}; the previous plan keeps running.`,
    ),
    h(
      'ul',
      { class: 'plain' },
      status.plan_errors.map((e) => h('li', null, errorLine(e))),
    ),
  );
}

function errorLine(e: PlanError): (HTMLElement | string)[] {
  const where = [e.file, e.line, e.column].filter((p) => p !== undefined).join(':');
  return [
    h('code', null, `${where ? `${where} ` : ''}${e.code ?? ''}`),
    e.path ? ` at ${e.path}` : '',
    `: ${e.message ?? ''}`,
    e.hint ? h('div', { class: 'muted' }, `hint: ${e.hint}`) : '',
  ];
}
