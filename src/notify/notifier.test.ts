import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Transition, TriggerStatus } from '../rules/types.ts';
import {
  accepts,
  activeEvents,
  eventsFrom,
  formatValue,
  summary,
  type Notifier,
} from './notifier.ts';

const T0 = Date.UTC(2025, 0, 6, 9, 0, 0);
const tr = (p: Partial<Transition>): Transition => ({
  t: T0,
  trigger: 'cpu-high',
  severity: 'critical',
  labels: { pod: 'a' },
  from: 'pending',
  to: 'firing',
  value: 0.93,
  ...p,
});
const actions = [
  {
    name: 'cpu-high',
    levels: [
      { severity: 'warning' as const, action: 'watch it' },
      { severity: 'critical' as const, action: 'scale out' },
    ],
  },
];

describe('eventsFrom', () => {
  it('notifies firing and firing → inactive (resolved), with the level action', () => {
    const events = eventsFrom(
      'shop',
      [tr({}), tr({ t: T0 + 60_000, from: 'firing', to: 'inactive', value: 0.4 })],
      actions,
    );
    assert.equal(events.length, 2);
    assert.deepEqual(events[0], {
      plan: 'shop',
      trigger: 'cpu-high',
      severity: 'critical',
      state: 'firing',
      labels: { pod: 'a' },
      value: 0.93,
      action: 'scale out',
      at: T0,
    });
    assert.equal(events[1]!.state, 'resolved');
    assert.equal(events[1]!.since, T0, 'since of a resolution is when it fired');
    assert.equal(events[1]!.value, 0.4);
  });

  it('never notifies pending, pending → inactive, or a suppressed transition', () => {
    const events = eventsFrom(
      'shop',
      [
        tr({ from: 'inactive', to: 'pending' }),
        tr({ from: 'pending', to: 'inactive' }),
        tr({ severity: 'warning', suppressed: true }),
        tr({ severity: 'warning', from: 'firing', to: 'inactive', suppressed: true }),
      ],
      actions,
    );
    assert.deepEqual(events, []);
  });

  it('fills since from the history and goes straight to firing for `for: 0`', () => {
    const history = [tr({ t: T0 - 300_000, from: 'inactive', to: 'pending' })];
    const [e] = eventsFrom('shop', [tr({})], actions, history);
    assert.equal(e!.since, T0 - 300_000);
    const [direct] = eventsFrom('shop', [tr({ from: 'inactive' })]);
    assert.equal(direct!.since, T0);
    assert.equal(direct!.action, undefined);
  });
});

describe('accepts, activeEvents, summary', () => {
  it('filters by severities', () => {
    const [event] = eventsFrom('shop', [tr({ severity: 'warning' })]);
    const only = (severities?: ('warning' | 'critical')[]): Notifier => ({
      kind: 'log',
      name: 'x',
      ...(severities ? { severities } : {}),
      send: async () => {},
    });
    assert.equal(accepts(only(), event!), true);
    assert.equal(accepts(only(['critical']), event!), false);
    assert.equal(accepts(only(['warning', 'critical']), event!), true);
  });

  it('lists firing, unsuppressed instances for re-sending', () => {
    const status: TriggerStatus = {
      trigger: 'cpu-high',
      status: 'critical',
      since: T0,
      health: 'ok',
      instances: [
        {
          severity: 'critical',
          labels: {},
          state: 'firing',
          value: 1,
          activeAt: T0 - 1,
          action: 'go',
        },
        {
          severity: 'warning',
          labels: {},
          state: 'firing',
          value: 1,
          activeAt: T0,
          suppressed: true,
        },
        { severity: 'warning', labels: { b: '1' }, state: 'pending', value: 1, activeAt: T0 },
      ],
    };
    const events = activeEvents('shop', [status], T0 + 5);
    assert.deepEqual(events, [
      {
        plan: 'shop',
        trigger: 'cpu-high',
        severity: 'critical',
        state: 'firing',
        labels: {},
        value: 1,
        action: 'go',
        at: T0 + 5,
        since: T0 - 1,
      },
    ]);
  });

  it('summarises in one line', () => {
    const [event] = eventsFrom('shop', [tr({})], actions);
    assert.equal(
      summary(event!),
      '[FIRING] critical cpu-high {pod="a"} = 0.93 (plan shop): scale out',
    );
    assert.equal(formatValue(Infinity), '+Inf');
    assert.equal(formatValue(1 / 3), '0.3333');
  });
});
