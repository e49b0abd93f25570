/**
 * A small element builder (`h('p', {class: 'x'}, 'text')`) and the status badge, which always
 * says its status in words beside the colour and a glyph, so colour is never the only signal.
 */

/** Something that can be a child: nodes, text, numbers; nullish and false are skipped. */
export type Child = Node | string | number | null | undefined | false | Child[];

/** Attributes: strings are set as is, `true` as an empty attribute, false/undefined skipped. */
export type Attrs = Record<string, string | number | boolean | undefined | null>;

/** Creates an element with attributes and children. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs?: Attrs | null,
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    el.setAttribute(name, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

/** Appends children to an element. */
export function append(el: Element, children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else el.append(child instanceof Node ? child : String(child));
  }
}

/** Any status word the dashboard shows. */
export type Tone = 'ok' | 'pending' | 'warning' | 'critical' | 'unknown' | 'full' | 'info';

const GLYPH: Record<Tone, string> = {
  ok: '✓',
  pending: '◔',
  warning: '▲',
  critical: '✖',
  unknown: '?',
  full: '■',
  info: '•',
};

/** A status badge: glyph, word, colour. */
export function badge(tone: Tone, word: string = tone, title?: string): HTMLElement {
  return h(
    'span',
    { class: `badge tone-${tone}`, title },
    h('span', { class: 'glyph', 'aria-hidden': 'true' }, GLYPH[tone]),
    word,
  );
}

/** A relative time that the page's clock keeps current, with the exact time on hover. */
export function when(t: number, text: string, exact: string): HTMLElement {
  return h('time', { datetime: new Date(t).toISOString(), title: exact, 'data-t': t }, text);
}

/** A labelled number: the big figures at the top of a widget. */
export function stat(label: string, value: Child, detail?: Child, attrs: Attrs = {}): HTMLElement {
  return h(
    'div',
    { class: 'stat', ...attrs },
    h('dt', null, label),
    h(
      'dd',
      null,
      h('span', { class: 'stat-value' }, value),
      detail ? h('span', { class: 'stat-detail' }, detail) : null,
    ),
  );
}

/** A meter bar (0..1, capped at 1 on screen) with its tone; the number is beside it in text. */
export function bar(fraction: number | undefined, tone: Tone, label: string): HTMLElement {
  const f = fraction === undefined || !Number.isFinite(fraction) ? 0 : Math.max(0, fraction);
  return h(
    'div',
    {
      class: `bar tone-${tone}`,
      role: 'meter',
      'aria-label': label,
      'aria-valuemin': 0,
      'aria-valuemax': 100,
      'aria-valuenow': Math.round(f * 100),
    },
    h('span', { style: `width:${Math.min(1, f) * 100}%` }),
  );
}
