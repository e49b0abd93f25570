/**
 * The tier ladder: every tier with where we stand — the deployed one marked "you are here",
 * progress to its driver bounds, when the next is due and why, each tier's cost, its deploy
 * condition and what breaks first in it. From /api/tiers.
 */
import type { Tier, TiersDoc } from '../api-types.ts';
import { dataOf, errorOf } from '../api.ts';
import { badge, bar, h, type Tone } from '../dom.ts';
import { count, day, money, month, percent, relative } from '../format.ts';
import { Card, type Snapshot, type Widget } from '../widget.ts';

const POSITION: Record<Tier['position'], { tone: Tone; word: string }> = {
  past: { tone: 'info', word: 'past' },
  deployed: { tone: 'ok', word: 'you are here' },
  next: { tone: 'pending', word: 'next' },
  later: { tone: 'info', word: 'later' },
};

/** Builds the tier ladder widget. */
export function createTierLadder(): Widget {
  const card = new Card({
    id: 'tiers',
    title: 'Tier ladder',
    source:
      'From /api/tiers: each tier’s bounds, deploy condition, cost and first to break, judged now.',
  });
  return {
    element: card.element,
    update(s: Snapshot) {
      const tiers = dataOf(s.tiers);
      const failed = errorOf(s.tiers);
      if (!tiers) {
        if (failed) card.failure('/api/tiers', failed);
        else card.message('loading', 'Loading…');
        return;
      }
      if (!tiers.tiers.length) {
        card.message('empty', 'No data yet: this plan has no tiers (scaling phases).');
        return;
      }
      const deployed = tiers.tiers[tiers.deployed];
      card.render(
        [
          nextStep(tiers, s.now),
          h(
            'ol',
            { class: 'ladder', 'data-testid': 'tier-ladder' },
            tiers.tiers.map((t) => step(t, s.now)),
          ),
        ],
        deployed ? badge('ok', deployed.name) : badge('unknown', 'none deployed'),
      );
    },
  };
}

function nextStep(tiers: TiersDoc, now: number): HTMLElement | null {
  const next = tiers.next_step;
  if (!next) return h('p', { class: 'summary' }, 'No further tier in the plan.');
  const due =
    next.at === undefined
      ? 'not due within 2 years'
      : next.at <= now + 60_000
        ? 'due now'
        : `due ${month(next.at)} (${relative(next.at, now)})`;
  return h(
    'p',
    { class: 'summary' },
    h('strong', null, `Next: ${next.tier}`),
    ` — ${due}: ${next.reason}.`,
  );
}

function step(t: Tier, now: number): HTMLElement {
  const pos = POSITION[t.position];
  return h(
    'li',
    {
      class: `step is-${t.position}`,
      'data-tier': t.name,
      'aria-current': t.position === 'deployed' ? 'step' : undefined,
    },
    h(
      'div',
      { class: 'step-head' },
      h('span', { class: 'step-name' }, t.name),
      badge(pos.tone, pos.word),
      t.monthlyCostUsd !== undefined
        ? h(
            'span',
            { class: 'step-cost' },
            `${money(t.monthlyCostUsd)}/mo`,
            t.deltaMonthlyUsd
              ? h(
                  'span',
                  { class: 'muted' },
                  ` (${t.deltaMonthlyUsd > 0 ? '+' : '−'}${money(Math.abs(t.deltaMonthlyUsd))})`,
                )
              : null,
          )
        : null,
    ),
    t.description
      ? h('div', { class: 'muted' }, t.description, t.duration ? ` · expected ${t.duration}` : '')
      : null,
    t.bounds.map((b) =>
      h(
        'div',
        { class: 'bound' },
        h('span', null, `${b.driver} ${count(b.now)} / ${count(b.until)}`),
        bar(
          b.fraction,
          b.fraction !== undefined && b.fraction >= 1
            ? 'critical'
            : t.position === 'deployed' && (b.fraction ?? 0) >= 0.75
              ? 'warning'
              : 'ok',
          `${b.driver}: ${percent(b.fraction)} of ${t.name}'s bound`,
        ),
        h(
          'span',
          { class: 'muted' },
          `${percent(b.fraction)}${b.at !== undefined && t.position === 'deployed' ? ` · reached ${b.at <= now + 60_000 ? 'now' : month(b.at)}` : ''}`,
        ),
      ),
    ),
    t.position === 'next' || t.position === 'later'
      ? h(
          'div',
          null,
          'Deploy when: ',
          t.deployNow
            ? badge('warning', 'condition holds now')
            : t.deployAt !== undefined
              ? `projected ${day(t.deployAt)}`
              : 'not projected within 2 years',
        )
      : null,
    t.firstToBreak
      ? h(
          'div',
          { class: 'muted' },
          `First to break here: ${t.firstToBreak.component}.${t.firstToBreak.resource} (${t.firstToBreak.severity === 'capacity' ? 'full' : t.firstToBreak.severity}) at ${Object.entries(
            t.firstToBreak.driverValues,
          )
            .map(([d, v]) => `${count(Math.round(v))} ${d}`)
            .join(', ')}`,
          t.breaksWithinTier ? ' — within this tier' : '',
        )
      : null,
    t.checklist
      ? h('div', { class: 'muted' }, `Readiness: ${t.checklist.done} of ${t.checklist.total} done`)
      : null,
    t.changes.length
      ? h(
          'details',
          { class: 'disclosure', 'data-key': `tier-${t.name}` },
          h(
            'summary',
            { 'data-key': `tier-${t.name}-summary` },
            `${t.changes.length} change${t.changes.length === 1 ? '' : 's'}`,
          ),
          h(
            'ul',
            { class: 'plain' },
            t.changes.map((c) => h('li', null, c)),
          ),
        )
      : null,
  );
}
