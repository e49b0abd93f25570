import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseSeries } from '../testing/series.ts';
import { evalRule, RESOLVED_RETENTION_MS, type AlertChange, type RuleTiming } from './alert.ts';
import type { RuleAlerts } from './types.ts';

const MINUTE = 60_000;

interface Trace {
  /** State of the alert with no labels at each step, space-separated. */
  states: string;
  /** Alerts after the last step. */
  alerts: RuleAlerts;
  /** Changes at each step, as `from>to`, space-separated ('.' when none). */
  changes: string;
}

// Steps a rule one minute at a time over series notation; a value > 5 is active.
function trace(values: string, timing: Partial<RuleTiming> = {}): Trace {
  const rule = { forMs: 0, keepFiringForMs: 0, ...timing };
  let alerts: RuleAlerts | undefined;
  const states: string[] = [];
  const changes: string[] = [];
  parseSeries(values).forEach((value, step) => {
    const active = value !== undefined && value > 5 ? [{ key: '', labels: {}, value }] : [];
    const result = evalRule({ timing: rule, previous: alerts, active, now: step * MINUTE });
    alerts = result.alerts;
    states.push(alerts['']?.state ?? 'inactive');
    changes.push(result.changes.map((c: AlertChange) => `${c.from}>${c.to}`).join(',') || '.');
  });
  return { states: states.join(' '), alerts: alerts ?? {}, changes: changes.join(' ') };
}

describe('evalRule: one alerting rule, as Prometheus', () => {
  it('fires at once with for: 0 (inactive straight to firing)', () => {
    const t = trace('10');
    assert.equal(t.states, 'firing');
    assert.equal(t.changes, 'inactive>firing');
    assert.deepEqual(t.alerts[''], {
      state: 'firing',
      labels: {},
      value: 10,
      activeAt: 0,
      firedAt: 0,
    });
  });

  it('stays pending until now - activeAt >= for, then fires', () => {
    const t = trace('10 10 10 10', { forMs: 2 * MINUTE });
    assert.equal(t.states, 'pending pending firing firing');
    assert.equal(t.changes, 'inactive>pending . pending>firing .');
    assert.equal(t.alerts['']?.activeAt, 0);
    assert.equal(t.alerts['']?.firedAt, 2 * MINUTE);
  });

  it('drops a pending alert that misses one evaluation, and starts over', () => {
    const t = trace('10 10 1 10 10 10', { forMs: 2 * MINUTE });
    assert.equal(t.states, 'pending pending inactive pending pending firing');
    assert.equal(
      t.changes,
      'inactive>pending . pending>inactive inactive>pending . pending>firing',
    );
    assert.equal(t.alerts['']?.activeAt, 3 * MINUTE);
  });

  it('resolves a firing alert at once without keep_firing_for', () => {
    const t = trace('10 1', {});
    assert.equal(t.states, 'firing inactive');
    assert.equal(t.alerts['']?.resolvedAt, MINUTE);
  });

  it('keeps firing for keep_firing_for after the condition ends, then resolves', () => {
    const t = trace('10 1 1 1 1', { keepFiringForMs: 2 * MINUTE });
    assert.equal(t.states, 'firing firing firing inactive inactive');
    assert.equal(t.changes, 'inactive>firing . . firing>inactive .');
    assert.equal(t.alerts['']?.resolvedAt, 3 * MINUTE);
    assert.equal(t.alerts['']?.value, 10, 'the last value while active is kept');
  });

  it('restarts keep_firing_for when the condition comes back (promtool-checked)', () => {
    const t = trace('10 10 10 10 1 1 10 1 1 1 1 10 10 10', {
      forMs: 2 * MINUTE,
      keepFiringForMs: 2 * MINUTE,
    });
    assert.equal(
      t.states,
      'pending pending firing firing firing firing firing firing firing inactive inactive pending pending firing',
    );
  });

  it('clears keepFiringSince while the condition holds', () => {
    const held = trace('10 1', { keepFiringForMs: 5 * MINUTE });
    assert.equal(held.alerts['']?.keepFiringSince, MINUTE);
    const back = trace('10 1 10', { keepFiringForMs: 5 * MINUTE });
    assert.equal(back.alerts['']?.keepFiringSince, undefined);
    assert.equal(back.alerts['']?.firedAt, 0, 'it is the same firing alert');
  });

  it('does not hold a pending alert with keep_firing_for', () => {
    const t = trace('10 1', { forMs: 5 * MINUTE, keepFiringForMs: 5 * MINUTE });
    assert.equal(t.states, 'pending inactive');
    assert.deepEqual(Object.keys(t.alerts), []);
  });

  it('keeps a resolved alert for 15 minutes (strictly more drops it)', () => {
    const t = trace(`10 1x${RESOLVED_RETENTION_MS / MINUTE}`);
    assert.equal(t.alerts['']?.state, 'inactive', 'kept at exactly 15 minutes');
    assert.equal(trace(`10 1x${RESOLVED_RETENTION_MS / MINUTE + 1}`).alerts[''], undefined);
  });

  it('starts a fresh pending alert when a resolved one comes back', () => {
    const t = trace('10 10 10 1 10 10', { forMs: 2 * MINUTE });
    assert.equal(t.states, 'pending pending firing inactive pending pending');
    assert.equal(t.changes, 'inactive>pending . pending>firing firing>inactive inactive>pending .');
    assert.equal(t.alerts['']?.activeAt, 4 * MINUTE);
    assert.equal(t.alerts['']?.resolvedAt, undefined);
    assert.equal(t.alerts['']?.firedAt, undefined);
  });

  it('updates the value while active', () => {
    assert.equal(trace('10 20 30', { forMs: 10 * MINUTE }).alerts['']?.value, 30);
  });

  it('runs one alert per label set, independently', () => {
    const timing = { forMs: MINUTE, keepFiringForMs: 0 };
    const a = { key: 'a', labels: { q: 'a' }, value: 9 };
    const b = { key: 'b', labels: { q: 'b' }, value: 9 };
    const first = evalRule({ timing, previous: undefined, active: [a], now: 0 });
    const second = evalRule({ timing, previous: first.alerts, active: [a, b], now: MINUTE });
    assert.equal(second.alerts.a?.state, 'firing');
    assert.equal(second.alerts.b?.state, 'pending');
    const third = evalRule({ timing, previous: second.alerts, active: [b], now: 2 * MINUTE });
    assert.equal(third.alerts.a?.state, 'inactive');
    assert.equal(third.alerts.b?.state, 'firing');
    assert.deepEqual(third.alerts.b?.labels, { q: 'b' });
  });

  it('rejects two elements with one label set and keeps the previous alerts', () => {
    const timing = { forMs: 0, keepFiringForMs: 0 };
    const previous = evalRule({
      timing,
      previous: undefined,
      active: [{ key: 'k', labels: { q: 'a' }, value: 9 }],
      now: 0,
    });
    const twice = [
      { key: 'k', labels: { q: 'a' }, value: 9 },
      { key: 'k', labels: { q: 'a' }, value: 8 },
    ];
    const result = evalRule({ timing, previous: previous.alerts, active: twice, now: MINUTE });
    assert.match(result.error ?? '', /share labels \{q="a"\}/);
    assert.equal(result.alerts, previous.alerts);
    assert.deepEqual(result.changes, []);
  });

  it('never mutates the previous alerts', () => {
    const timing = { forMs: MINUTE, keepFiringForMs: MINUTE };
    const first = evalRule({
      timing,
      previous: undefined,
      active: [{ key: '', labels: {}, value: 9 }],
      now: 0,
    });
    const frozen = JSON.stringify(first.alerts);
    evalRule({
      timing,
      previous: first.alerts,
      active: [{ key: '', labels: {}, value: 7 }],
      now: MINUTE,
    });
    evalRule({ timing, previous: first.alerts, active: [], now: MINUTE });
    assert.equal(JSON.stringify(first.alerts), frozen);
  });
});
