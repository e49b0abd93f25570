/**
 * The frame every widget shares: a landmark section with a heading, a body that is rebuilt on
 * each update (keeping keyboard focus and open disclosures across rebuilds), a persistent
 * area for charts, and a footnote saying where the numbers come from. Each widget shows one of
 * four states: loading, no data yet, an error, or its data.
 */
import type {
  AlertChange,
  CostsDoc,
  Checklist,
  ForecastDoc,
  ResourceState,
  ScalingDoc,
  StatusDoc,
  TiersDoc,
  TriggerStatus,
} from './api-types.ts';
import type { ApiFailure, Loaded } from './api.ts';
import { h, type Child } from './dom.ts';
import type { History } from './history.ts';
import type { LinkState } from './live.ts';

/** Everything the widgets render from: the latest answer of each endpoint and the history. */
export interface Snapshot {
  /** The server's clock, epoch ms (its latest evaluation plus the time since). */
  now: number;
  /** `GET /api/status` (or the latest `status` event). */
  status: Loaded<StatusDoc>;
  /** `GET /api/triggers`. */
  triggers: Loaded<TriggerStatus[]>;
  /** `GET /api/alerts`, newest first, with live `alert` events in front. */
  alerts: Loaded<AlertChange[]>;
  /** `GET /api/components`. */
  components: Loaded<ResourceState[]>;
  /** `GET /api/forecast`. */
  forecast: Loaded<ForecastDoc>;
  /** `GET /api/tiers`. */
  tiers: Loaded<TiersDoc>;
  /** `GET /api/costs`. */
  costs: Loaded<CostsDoc>;
  /** `GET /api/checklist`. */
  checklist: Loaded<Checklist[]>;
  /** `GET /api/scaling` (404 until the server has autoscaling). */
  scaling: Loaded<ScalingDoc>;
  /** Values seen since the page opened. */
  history: History;
  /** How updates arrive. */
  link: LinkState;
}

/** A widget on the page. */
export interface Widget {
  /** Its section element. */
  readonly element: HTMLElement;
  /** Renders the latest snapshot. */
  update(snapshot: Snapshot): void;
}

/** What a card says about itself. */
export interface CardOptions {
  /** Element id (also the anchor of the page's navigation). */
  id: string;
  /** Heading. */
  title: string;
  /** Where its numbers come from, shown in small print. */
  source: string;
  /** Grid placement class (`span-2`, `span-3`). */
  span?: string;
}

/** The frame of one widget. */
export class Card {
  /** The section. */
  readonly element: HTMLElement;
  /** The status slot in the header. */
  readonly badgeSlot: HTMLElement;
  /** The rebuilt part. */
  readonly body: HTMLElement;
  /** The persistent chart area (hidden while empty). */
  readonly charts: HTMLElement;
  private lastRendered = '';

  constructor(options: CardOptions) {
    const headingId = `${options.id}-title`;
    this.badgeSlot = h('div', { class: 'card-badge' });
    this.body = h('div', { class: 'card-body' });
    this.charts = h('div', { class: 'card-charts', hidden: true });
    this.element = h(
      'section',
      {
        id: options.id,
        class: `card ${options.span ?? ''}`.trim(),
        'aria-labelledby': headingId,
        'data-widget': options.id,
      },
      h(
        'header',
        { class: 'card-head' },
        h('h2', { id: headingId }, options.title),
        this.badgeSlot,
      ),
      this.body,
      this.charts,
      h('p', { class: 'card-source' }, options.source),
    );
  }

  /** Replaces the body, keeping focus and open `<details>` (matched by `data-key`). */
  render(children: Child[], badge?: Node): void {
    const fresh = h('div', null, children);
    const html = fresh.innerHTML + (badge instanceof Element ? badge.outerHTML : '');
    this.badgeSlot.replaceChildren(...(badge ? [badge] : []));
    if (html === this.lastRendered) return;
    this.lastRendered = html;
    const active = document.activeElement;
    const focusKey =
      active instanceof HTMLElement && this.body.contains(active) ? active.dataset.key : undefined;
    const open = new Map(
      [...this.body.querySelectorAll<HTMLDetailsElement>('details[data-key]')].map((d) => [
        d.dataset.key,
        d.open,
      ]),
    );
    for (const d of fresh.querySelectorAll<HTMLDetailsElement>('details[data-key]')) {
      const was = open.get(d.dataset.key);
      if (was !== undefined) d.open = was;
    }
    this.body.replaceChildren(...fresh.childNodes);
    if (focusKey)
      this.body.querySelector<HTMLElement>(`[data-key="${CSS.escape(focusKey)}"]`)?.focus();
  }

  /** Shows "loading", "no data yet" or an error instead of data, and hides the charts. */
  message(kind: 'loading' | 'empty' | 'error', text: Child, badge?: Node): void {
    this.charts.hidden = true;
    this.render([h('p', { class: `card-message is-${kind}`, 'data-state': kind }, text)], badge);
  }

  /** Shows the failure of an endpoint in words. */
  failure(path: string, error: ApiFailure): void {
    const text =
      error.code === 'NOT_READY'
        ? 'No data yet: the first forecast has not run. It appears within a minute.'
        : error.status === 0
          ? `Cannot reach the headroom server (${path}); retrying.`
          : `${path} failed: ${error.message} (${error.code}).`;
    this.message(error.code === 'NOT_READY' ? 'empty' : 'error', text);
  }
}

/** The first failure among loaded documents, with its path, if any failed. */
export function firstFailure(
  pairs: [string, Loaded<unknown>][],
): { path: string; error: ApiFailure } | undefined {
  for (const [path, loaded] of pairs)
    if (loaded && 'error' in loaded) return { path, error: loaded.error };
  return undefined;
}
