/**
 * The page header: the plan, its overall status (in words), how updates arrive (live, polling,
 * offline), when it was last evaluated and the trigger counts; and the banner that shows the
 * errors of a bad plan edit at the top of the page.
 */
import type { StatusDoc } from './api-types.ts';
import { dataOf, errorOf } from './api.ts';
import { badge, h, when, type Tone } from './dom.ts';
import { relative } from './format.ts';
import type { LinkState } from './live.ts';
import type { Snapshot } from './widget.ts';
import { planErrors } from './widgets/pipeline.ts';

const LINK: Record<LinkState, { tone: Tone; word: string }> = {
  live: { tone: 'ok', word: 'live' },
  connecting: { tone: 'pending', word: 'connecting' },
  polling: { tone: 'warning', word: 'polling' },
  offline: { tone: 'critical', word: 'offline' },
};

/** The header and the plan-error banner. */
export class Header {
  /** The `<header>` element. */
  readonly element: HTMLElement;
  /** The banner above the widgets (empty unless the plan has errors). */
  readonly banner: HTMLElement;
  private readonly title: HTMLElement;
  private readonly facts: HTMLElement;
  private linkDetail = '';
  private bannerKey = '';

  constructor() {
    this.title = h('h1', null, 'headroom');
    this.facts = h('div', { class: 'facts' });
    this.element = h(
      'header',
      { class: 'page-head' },
      h(
        'div',
        { class: 'brand' },
        h('span', { class: 'logo', 'aria-hidden': 'true' }, '▁▃▆'),
        this.title,
      ),
      this.facts,
    );
    this.banner = h('div', { class: 'banner-slot' });
  }

  /** Notes why the link is in its state (shown on hover and to screen readers). */
  setLinkDetail(detail: string): void {
    this.linkDetail = detail;
  }

  /** Renders the latest status. */
  update(s: Snapshot): void {
    const status = dataOf(s.status);
    const failed = errorOf(s.status);
    this.title.replaceChildren(
      status ? `${status.plan}` : 'headroom',
      h('span', { class: 'subtitle' }, ' capacity dashboard'),
    );
    document.title = status ? `${statusWord(status)} · ${status.plan} · headroom` : 'headroom';
    const link = LINK[s.link];
    const evaluated = status?.at ? Date.parse(status.at) : undefined;
    const overall: Tone = status ? status.status : 'unknown';
    const facts = [
      h(
        'span',
        { class: 'fact', 'data-testid': 'overall' },
        h('span', { class: 'fact-label' }, 'Status'),
        badge(overall, status ? status.status : failed ? 'unavailable' : 'loading'),
      ),
      h(
        'span',
        { class: 'fact', 'data-testid': 'link', title: this.linkDetail },
        h('span', { class: 'fact-label' }, 'Updates'),
        badge(link.tone, link.word, this.linkDetail),
        h('span', { class: 'visually-hidden' }, ` (${this.linkDetail})`),
      ),
      h(
        'span',
        { class: 'fact' },
        h('span', { class: 'fact-label' }, 'Evaluated'),
        evaluated
          ? when(evaluated, relative(evaluated, s.now), new Date(evaluated).toLocaleString())
          : '—',
      ),
      status ? h('span', { class: 'fact counts' }, counts(status)) : undefined,
    ];
    this.facts.replaceChildren(...facts.filter((f) => f !== undefined));
    // Rebuilt only when the errors change, so that screen readers announce them once.
    const bannerKey = JSON.stringify(status?.plan_errors ?? []);
    if (bannerKey === this.bannerKey) return;
    this.bannerKey = bannerKey;
    this.banner.replaceChildren(
      ...(status?.plan_errors.length
        ? [h('div', { class: 'banner', role: 'alert' }, planErrors(status))]
        : []),
    );
  }
}

function statusWord(status: StatusDoc): string {
  return status.status === 'ok' ? 'OK' : status.status.toUpperCase();
}

function counts(status: StatusDoc): HTMLElement[] {
  const order = ['critical', 'warning', 'pending', 'unknown', 'ok'] as const;
  return order
    .filter((k) => (status.triggers[k] ?? 0) > 0 || k === 'ok')
    .map((k) =>
      h(
        'span',
        { class: `count tone-${k}` },
        h('strong', null, String(status.triggers[k] ?? 0)),
        ` ${k}`,
      ),
    );
}
