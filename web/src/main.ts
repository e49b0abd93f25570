/**
 * The headroom dashboard: lays out the page, reads the access token once, follows the live
 * stream (or polls), and renders every widget from one snapshot of the API.
 */
import './styles.css';
import { Api, takeToken } from './api.ts';
import { h } from './dom.ts';
import { Header } from './header.ts';
import { History } from './history.ts';
import { LiveFeed } from './live.ts';
import { Refresher } from './refresh.ts';
import type { Snapshot, Widget } from './widget.ts';
import { createAlerts } from './widgets/alerts.ts';
import { createBreakingPoints } from './widgets/breaking-points.ts';
import { createCapacityPlanning } from './widgets/capacity-planning.ts';
import { createChecklist } from './widgets/checklist.ts';
import { createCostTracking } from './widgets/cost-tracking.ts';
import { createForecast } from './widgets/forecast.ts';
import { createPipeline } from './widgets/pipeline.ts';
import { createQueueHealth } from './widgets/queue-health.ts';
import { createScaling } from './widgets/scaling.ts';
import { createTierLadder } from './widgets/tier-ladder.ts';

/** How often relative times ("5 s ago") are brought up to date, ms. */
const TICK_MS = 5_000;

/**
 * The server's clock: the time of its latest evaluation plus the time since it arrived. Relative
 * times ("5 s ago") then read against the server, which matters when its clock is not the
 * page's (`headroom demo` runs simulated time, far ahead of the wall clock).
 */
function serverNow(snapshot: Snapshot): number {
  const status = snapshot.status;
  if (!status || !('data' in status) || !status.data.at) return Date.now();
  const at = Date.parse(status.data.at);
  return Number.isFinite(at) ? at + (Date.now() - status.at) : Date.now();
}

function start(root: HTMLElement): void {
  const api = new Api(takeToken(window.location, window.history, window.sessionStorage));
  const snapshot: Snapshot = {
    now: Date.now(),
    status: undefined,
    triggers: undefined,
    alerts: undefined,
    components: undefined,
    forecast: undefined,
    tiers: undefined,
    costs: undefined,
    checklist: undefined,
    scaling: undefined,
    history: new History(),
    link: 'connecting',
  };
  // Page order is reading and tab order. On wide screens each row holds a wide widget (two
  // columns: charts) and a narrow one; on tablets two columns, on phones one.
  const widgets: Widget[] = [
    createQueueHealth(),
    createCapacityPlanning(),
    createAlerts(),
    createCostTracking(),
    createForecast(),
    createTierLadder(),
    createBreakingPoints(),
    createChecklist(),
    createScaling(),
    createPipeline(),
  ];
  const header = new Header();
  const announcer = h('div', { class: 'visually-hidden', role: 'status', 'aria-live': 'polite' });
  const nav = h(
    'nav',
    { class: 'jump', 'aria-label': 'Widgets' },
    h(
      'ul',
      null,
      widgets.map((w) => {
        const title = w.element.querySelector('h2')?.textContent ?? w.element.id;
        return h('li', null, h('a', { href: `#${w.element.id}` }, title));
      }),
    ),
  );
  root.replaceChildren(
    h('a', { class: 'skip', href: '#widgets' }, 'Skip to the dashboard'),
    header.element,
    nav,
    h(
      'main',
      { id: 'widgets', tabindex: -1 },
      header.banner,
      h(
        'div',
        { class: 'grid' },
        widgets.map((w) => w.element),
      ),
    ),
    h(
      'footer',
      { class: 'page-foot' },
      'headroom · numbers from this server’s ',
      h('a', { href: '/api/openapi.json' }, 'REST API'),
      ' and ',
      h('a', { href: '/metrics' }, '/metrics'),
    ),
    announcer,
  );

  let scheduled = false;
  const render = (): void => {
    if (scheduled) return;
    scheduled = true;
    requestAnimationFrame(() => {
      scheduled = false;
      snapshot.now = serverNow(snapshot);
      header.update(snapshot);
      for (const w of widgets) {
        try {
          w.update(snapshot);
        } catch (err) {
          console.warn(`widget ${w.element.id} failed to render`, err);
        }
      }
      root.dataset.ready = snapshot.status && 'data' in snapshot.status ? 'true' : 'false';
    });
  };
  const refresher = new Refresher(api, snapshot, render);
  const feed = new LiveFeed(api, {
    onStatus: (doc) => refresher.onStatus(doc),
    onAlert: (change) => {
      refresher.onAlert(change);
      const to = change.to === 'inactive' ? 'resolved' : change.to;
      announcer.textContent = `Alert ${change.trigger} ${change.severity}: ${to}.`;
    },
    onLink: (state, detail) => {
      snapshot.link = state;
      header.setLinkDetail(detail);
      render();
    },
  });
  render();
  feed.start();
  window.setInterval(render, TICK_MS);
}

const root = document.getElementById('app');
if (root) start(root);
