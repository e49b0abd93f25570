import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { expandInputSeries, type InputSeries } from '../testing/series.ts';
import { parseCondition } from './condition.ts';
import { evaluate, restoreState, validateTrigger } from './engine.ts';
import type {
  EngineState,
  EvaluateResult,
  Input,
  LevelSpec,
  Series,
  Severity,
  Transition,
  TriggerSpec,
} from './types.ts';
import { formatLabels } from './vector.ts';

const MINUTE = 60_000;
const T0 = Date.UTC(2025, 0, 1);

function level(
  severity: Severity,
  when: string,
  forMin = 0,
  keepMin = 0,
  action?: string,
): LevelSpec {
  const spec: LevelSpec = {
    severity,
    condition: parseCondition(when),
    forMs: forMin * MINUTE,
    keepFiringForMs: keepMin * MINUTE,
  };
  return action === undefined ? spec : { ...spec, action };
}

function trigger(levels: LevelSpec[], more: Partial<TriggerSpec> = {}): TriggerSpec {
  return { name: 't', inputs: ['m'], compute: (v) => v.m!, levels, ...more };
}

interface Scenario {
  triggers: TriggerSpec[];
  /** promtool-style input series; a missing sample (`_`) leaves the series out of that step. */
  series: InputSeries[];
  /** Steps at which a metric is unknown (its source is down). */
  unknown?: Record<string, number[]>;
  /** Persist the state as JSON between steps, as the runtime does. */
  viaJson?: boolean;
}

// Steps the engine one minute at a time and returns every evaluation's result.
function replay(scenario: Scenario): EvaluateResult[] {
  const expanded = expandInputSeries(scenario.series);
  const steps = Math.max(...expanded.map((s) => s.steps.length));
  const results: EvaluateResult[] = [];
  let previous: EngineState | undefined;
  for (let i = 0; i < steps; i++) {
    const inputs: Record<string, Input> = {};
    for (const s of expanded) {
      const vector = (inputs[s.metric] ??= []) as Series[];
      const value = s.steps[i];
      if (typeof value === 'number') vector.push({ labels: s.labels, value });
    }
    for (const [metric, at] of Object.entries(scenario.unknown ?? {})) {
      if (at.includes(i)) inputs[metric] = { unknown: 'source down' };
    }
    const result = evaluate({
      triggers: scenario.triggers,
      inputs,
      now: T0 + i * MINUTE,
      previous,
    });
    previous = scenario.viaJson
      ? restoreState(JSON.parse(JSON.stringify(result.state)))
      : result.state;
    results.push(result);
  }
  return results;
}

// The state of one alert at each step, space-separated, like the series notation.
function states(results: EvaluateResult[], severity: Severity, labels = {}, name = 't'): string {
  const key = Object.keys(labels).length === 0 ? '' : undefined;
  return results
    .map((r) => {
      const alerts = r.state.triggers[name]?.alerts[severity] ?? {};
      const alert =
        key === ''
          ? alerts['']
          : Object.values(alerts).find((a) => JSON.stringify(a.labels) === JSON.stringify(labels));
      return alert?.state ?? 'inactive';
    })
    .join(' ');
}

const statuses = (results: EvaluateResult[], index = 0): string =>
  results.map((r) => r.statuses[index]!.status).join(' ');

// One trigger over the single unlabelled series `m`, optionally unknown at some steps.
const single = (levels: LevelSpec[], values: string, unknownAt?: number[]): EvaluateResult[] =>
  replay({
    triggers: [trigger(levels)],
    series: [{ series: 'm', values }],
    ...(unknownAt && { unknown: { m: unknownAt } }),
  });

// A transition in one line, e.g. `warning{q="a"} pending>firing @80 suppressed`.
const brief = (t: Transition): string =>
  `${t.severity}${formatLabels(t.labels)} ${t.from}>${t.to} @${t.value}${t.suppressed ? ' suppressed' : ''}`;
const briefs = (r: EvaluateResult): string[] => r.transitions.map(brief);

// Inputs where `m` is one unlabelled series.
const one = (value: number) => ({ m: [{ labels: {}, value }] });

describe('evaluate: single-level triggers step by step', () => {
  it('fires at once with for: 0', () => {
    const r = single([level('warning', '> 70')], '50 80 50');
    assert.equal(states(r, 'warning'), 'inactive firing inactive');
    assert.equal(statuses(r), 'ok warning ok');
    assert.deepEqual(r[1]!.transitions, [
      {
        t: T0 + MINUTE,
        trigger: 't',
        severity: 'warning',
        labels: {},
        from: 'inactive',
        to: 'firing',
        value: 80,
      },
    ]);
    assert.deepEqual(briefs(r[2]!), ['warning{} firing>inactive @80']);
  });

  it('is pending for `for`, then fires', () => {
    const r = single([level('warning', '> 70', 2)], '80x4');
    assert.equal(states(r, 'warning'), 'pending pending firing firing firing');
    assert.equal(statuses(r), 'pending pending warning warning warning');
    assert.equal(r[4]!.statuses[0]!.since, T0 + 2 * MINUTE, 'since = when the status began');
    assert.equal(r[1]!.statuses[0]!.severity, 'warning');
  });

  it('resets pending when the input flaps', () => {
    const r = single([level('warning', '> 70', 2)], '80 80 50 80 80 80');
    assert.equal(states(r, 'warning'), 'pending pending inactive pending pending firing');
  });

  it('keeps firing for keep_firing_for, then resolves', () => {
    const r = single([level('warning', '> 70', 0, 2)], '80 50 50 50 50');
    assert.equal(states(r, 'warning'), 'firing firing firing inactive inactive');
    assert.equal(r[1]!.statuses[0]!.instances[0]!.keepFiringSince, T0 + MINUTE);
  });

  it('restarts keep_firing_for when the condition returns', () => {
    const r = single([level('warning', '> 70', 0, 2)], '80 50 80 50 50 50');
    assert.equal(states(r, 'warning'), 'firing firing firing firing firing inactive');
  });

  // A step without a sample is absent data. (promtool fills `_` from the 5-minute lookback; the
  // equivalent promtool input is `80 stale 80`.)
  it('resolves on a gap in the data', () => {
    const r = single([level('warning', '> 70')], '80 _ 80');
    assert.equal(states(r, 'warning'), 'firing inactive firing');
    assert.equal(statuses(r), 'warning ok warning');
  });

  it('keeps firing through a gap with keep_firing_for', () => {
    const r = single([level('warning', '> 70', 0, 5)], '80 _ 80');
    assert.equal(states(r, 'warning'), 'firing firing firing');
    assert.equal(r[1]!.transitions.length, 0);
  });
});

describe('evaluate: warning and critical on one trigger', () => {
  const levels = [
    level('warning', '> 70', 0, 0, 'plan the upgrade'),
    level('critical', '> 85', 1, 0, 'upgrade now'),
  ];

  it('runs both state machines; critical supersedes warning in the status', () => {
    const r = single(levels, '75 90 90 90 75 50');
    assert.equal(states(r, 'warning'), 'firing firing firing firing firing inactive');
    assert.equal(states(r, 'critical'), 'inactive pending firing firing inactive inactive');
    assert.equal(statuses(r), 'warning warning critical critical warning ok');
    assert.equal(r[2]!.statuses[0]!.action, 'upgrade now');
    assert.equal(r[4]!.statuses[0]!.action, 'plan the upgrade');
    assert.deepEqual(
      r[2]!.statuses[0]!.instances.map((i) => `${i.severity}:${i.state}:${i.suppressed ?? false}`),
      ['critical:firing:false', 'warning:firing:true'],
    );
  });

  it('marks a warning that fires under a firing critical as suppressed', () => {
    const slowWarning = [level('warning', '> 70', 2), level('critical', '> 85')];
    const r = single(slowWarning, '90 90 90 50');
    assert.equal(statuses(r), 'critical critical critical ok');
    assert.deepEqual(briefs(r[0]!), [
      'warning{} inactive>pending @90 suppressed',
      'critical{} inactive>firing @90',
    ]);
    assert.deepEqual(briefs(r[2]!), ['warning{} pending>firing @90 suppressed']);
    assert.deepEqual(briefs(r[3]!), [
      'warning{} firing>inactive @90',
      'critical{} firing>inactive @90',
    ]);
  });
});

describe('evaluate: unknown inputs', () => {
  it('shows unknown while the state machines see an empty vector', () => {
    const r = single([level('warning', '> 70')], '80x3', [2, 3]);
    assert.equal(states(r, 'warning'), 'firing firing inactive inactive');
    assert.equal(statuses(r), 'warning warning unknown unknown');
    const status = r[2]!.statuses[0]!;
    assert.equal(status.reason, 'm: source down');
    assert.equal(status.health, 'ok', 'the rule itself evaluated fine');
    assert.equal(status.since, T0 + 2 * MINUTE);
    assert.equal(r[3]!.statuses[0]!.since, T0 + 2 * MINUTE);
  });

  it('stays unknown, never ok, while keep_firing_for holds the alert', () => {
    const r = single([level('critical', '> 70', 0, 10)], '80x2', [1, 2]);
    assert.equal(states(r, 'critical'), 'firing firing firing');
    assert.equal(statuses(r), 'critical unknown unknown');
  });

  it('treats a malformed series as unknown input instead of throwing', () => {
    const inputs = { m: [{ labels: null, value: 1 }] } as unknown as Record<string, Input>;
    const r = evaluate({ triggers: [trigger([level('warning', '> 0')])], inputs, now: T0 });
    assert.equal(r.statuses[0]!.status, 'unknown');
    assert.match(r.statuses[0]!.reason ?? '', /^m: malformed series/);
  });

  it('treats a metric missing from the inputs as unknown', () => {
    const r = evaluate({ triggers: [trigger([level('warning', '> 1')])], inputs: {}, now: T0 });
    assert.equal(r.statuses[0]!.status, 'unknown');
    assert.equal(r.statuses[0]!.reason, 'no data for m');
  });
});

describe('evaluate: several series', () => {
  it('runs an independent alert per label set', () => {
    const r = replay({
      triggers: [trigger([level('warning', '> 70', 1)])],
      series: [
        { series: 'm{q="a"}', values: '80 80 50 50' },
        { series: 'm{q="b"}', values: '50 80 80 50' },
      ],
    });
    assert.equal(states(r, 'warning', { q: 'a' }), 'pending firing inactive inactive');
    assert.equal(states(r, 'warning', { q: 'b' }), 'inactive pending firing inactive');
    assert.equal(statuses(r), 'pending warning warning ok');
    assert.deepEqual(briefs(r[1]!), [
      'warning{q="a"} pending>firing @80',
      'warning{q="b"} inactive>pending @80',
    ]);
  });

  it('matches two metrics on their labels', () => {
    const ratio = trigger([level('critical', '> 80%')], {
      inputs: ['used', 'limit'],
      compute: (v) => v.used! / v.limit!,
    });
    const r = replay({
      triggers: [ratio],
      series: [
        { series: 'used{q="a"}', values: '90 50' },
        { series: 'used{q="b"}', values: '10 95' },
        { series: 'used{q="c"}', values: '99 99' },
        { series: 'limit{q="a"}', values: '100 100' },
        { series: 'limit{q="b"}', values: '100 100' },
      ],
    });
    assert.equal(states(r, 'critical', { q: 'a' }), 'firing inactive');
    assert.equal(states(r, 'critical', { q: 'b' }), 'inactive firing');
    assert.equal(
      states(r, 'critical', { q: 'c' }),
      'inactive inactive',
      'no limit series: dropped',
    );
    assert.equal(r[1]!.statuses[0]!.value, 0.95);
  });

  it('shows the most extreme value when nothing fires', () => {
    const r = replay({
      triggers: [trigger([level('warning', '> 70')])],
      series: [
        { series: 'm{q="a"}', values: '10' },
        { series: 'm{q="b"}', values: '30' },
      ],
    });
    assert.equal(r[0]!.statuses[0]!.value, 30);
    const low = replay({
      triggers: [trigger([level('warning', '< 5')])],
      series: [
        { series: 'm{q="a"}', values: '10' },
        { series: 'm{q="b"}', values: '30' },
      ],
    });
    assert.equal(low[0]!.statuses[0]!.value, 10);
  });
});

describe('evaluate: failures are health, never throws', () => {
  const ratio = trigger([level('warning', '> 1')], {
    inputs: ['a', 'b'],
    compute: (v) => v.a! / v.b!,
  });

  it('drops NaN results, reports them, and shows unknown unless something fires', () => {
    const r = replay({
      triggers: [ratio],
      series: [
        { series: 'a{q="x"}', values: '0 0 0' },
        { series: 'b{q="x"}', values: '0 0 1' },
        { series: 'a{q="y"}', values: '1 5 1' },
        { series: 'b{q="y"}', values: '2 2 2' },
      ],
    });
    assert.equal(statuses(r), 'unknown warning ok');
    assert.deepEqual(
      r.map((x) => x.statuses[0]!.health),
      ['err', 'err', 'ok'],
    );
    assert.match(r[0]!.statuses[0]!.lastError ?? '', /NaN for \{q="x"\} \(1 of 2 series\)/);
    assert.match(r[0]!.statuses[0]!.reason ?? '', /NaN/);
    assert.equal(r[2]!.statuses[0]!.lastError, undefined);
  });

  it('keeps the alerts as they were when the expression throws', () => {
    let fail = false;
    const fragile = trigger([level('warning', '> 70')], {
      compute: (v) => {
        if (fail) throw new Error('Units do not match');
        return v.m!;
      },
    });
    const first = evaluate({
      triggers: [fragile],
      inputs: one(80),
      now: T0,
    });
    fail = true;
    const second = evaluate({
      triggers: [fragile],
      inputs: one(50),
      now: T0 + MINUTE,
      previous: first.state,
    });
    assert.equal(second.state.triggers.t!.alerts.warning?.['']?.state, 'firing');
    assert.deepEqual(second.transitions, []);
    assert.deepEqual(second.statuses[0], {
      trigger: 't',
      status: 'unknown',
      since: T0 + MINUTE,
      reason: 'Units do not match',
      health: 'err',
      lastError: 'Units do not match',
      instances: [
        { severity: 'warning', labels: {}, state: 'firing', value: 80, activeAt: T0, firedAt: T0 },
      ],
    });
  });

  it('rejects two series with one label set for the level they trip, as Prometheus does', () => {
    const twice = [
      { series: 'm{q="a"}', values: '80 90' },
      { series: 'm{q="a"}', values: '50 90' },
    ];
    const levels = [level('warning', '> 70'), level('critical', '> 85')];
    const r = replay({ triggers: [trigger(levels)], series: twice });
    assert.equal(states(r, 'warning', { q: 'a' }), 'firing firing', 'kept as it was');
    assert.equal(r[1]!.statuses[0]!.health, 'err');
    assert.match(r[1]!.statuses[0]!.lastError ?? '', /^warning: two result elements share labels/);
    assert.match(r[1]!.statuses[0]!.lastError ?? '', /critical: two result elements/);
  });

  it('marks an invalid trigger err and still evaluates the others', () => {
    const bad = trigger(
      [{ ...level('warning', '> 1'), condition: { op: '=>' as '>', threshold: 1 } }],
      { name: 'bad' },
    );
    const good = trigger([level('warning', '> 1')], { name: 'good' });
    const r = evaluate({
      triggers: [bad, good],
      inputs: one(5),
      now: T0,
    });
    assert.equal(r.statuses[0]!.health, 'err');
    assert.match(r.statuses[0]!.reason ?? '', /invalid trigger: warning: unknown operator "=>"/);
    assert.equal(r.statuses[1]!.status, 'warning');
  });

  it('rejects a second trigger with the same name without touching the first', () => {
    const r = evaluate({
      triggers: [trigger([level('warning', '> 1')]), trigger([level('critical', '> 1')])],
      inputs: one(5),
      now: T0,
    });
    assert.equal(r.statuses[0]!.status, 'warning');
    assert.match(r.statuses[1]!.lastError ?? '', /duplicate trigger name "t"/);
    assert.ok(r.state.triggers.t!.alerts.warning);
  });

  it('throws only for a non-finite evaluation time (a caller bug)', () => {
    assert.throws(() => evaluate({ triggers: [], inputs: {}, now: NaN }), /epoch milliseconds/);
  });
});

describe('validateTrigger', () => {
  it('accepts a well-formed trigger', () => {
    assert.deepEqual(
      validateTrigger(trigger([level('warning', '> 1'), level('critical', '> 2')])),
      [],
    );
  });

  it('names every problem', () => {
    const spec = {
      name: '',
      inputs: ['m', 'm'],
      compute: 1,
      levels: [level('warning', '> 1'), { ...level('warning', '> 2'), forMs: -1 }],
    };
    assert.deepEqual(validateTrigger(spec as unknown as TriggerSpec), [
      'name must be a non-empty string',
      'inputs must not repeat a metric',
      'compute must be a function',
      'warning: only one level per severity',
      'warning: forMs must be a duration in ms (>= 0)',
    ]);
    assert.deepEqual(validateTrigger(trigger([])), [
      'levels must hold one or two levels (warning, critical)',
    ]);
  });
});

describe('engine state', () => {
  const scenario: Scenario = {
    triggers: [trigger([level('warning', '> 70', 1, 2), level('critical', '> 85', 0, 1)])],
    series: [
      { series: 'm{q="a"}', values: '80 90 Inf 50 50 50 80 80' },
      { series: 'm{q="b"}', values: '90 _ 50 90 90 _ _ _' },
    ],
  };

  it('gives the same results when persisted as JSON between every step', () => {
    const inMemory = replay(scenario);
    const viaJson = replay({ ...scenario, viaJson: true });
    assert.ok(
      inMemory.some((r) => r.transitions.length > 0),
      'the scenario has transitions',
    );
    for (let i = 0; i < inMemory.length; i++) {
      // JSON has no ±Inf: both sides are compared as JSON, where the Inf step reads null.
      const observable = (r: EvaluateResult) => JSON.stringify({ t: r.transitions, s: r.statuses });
      assert.equal(observable(viaJson[i]!), observable(inMemory[i]!), `step ${i}`);
    }
  });

  it('drops the state of triggers no longer evaluated', () => {
    const first = evaluate({
      triggers: [trigger([level('warning', '> 1')])],
      inputs: one(5),
      now: T0,
    });
    const next = evaluate({ triggers: [], inputs: {}, now: T0 + MINUTE, previous: first.state });
    assert.equal(JSON.stringify(next.state), '{"version":1,"triggers":{}}');
  });

  it('ignores a state of another version', () => {
    const stale = {
      version: 2,
      triggers: { t: { status: 'critical', since: 0, alerts: {} } },
    } as unknown as EngineState;
    const r = evaluate({
      triggers: [trigger([level('warning', '> 1')])],
      inputs: { m: [] },
      now: T0,
      previous: stale,
    });
    assert.equal(r.statuses[0]!.since, T0);
  });

  it('restores only well-formed state', () => {
    assert.equal(restoreState(null), undefined);
    assert.equal(restoreState({ version: 2, triggers: {} }), undefined);
    const restored = restoreState({
      version: 1,
      triggers: {
        ok: {
          status: 'warning',
          since: 5,
          alerts: {
            warning: { '': { state: 'firing', labels: {}, value: null, activeAt: 1, firedAt: 2 } },
          },
        },
        badStatus: { status: 'meh', since: 5, alerts: {} },
        badAlert: {
          status: 'ok',
          since: 5,
          alerts: { critical: { k: { state: 'firing', labels: {}, value: 1, activeAt: 'x' } } },
        },
      },
    });
    assert.deepEqual(Object.keys(restored!.triggers), ['ok', 'badAlert']);
    assert.ok(
      Number.isNaN(restored!.triggers.ok!.alerts.warning!['']!.value),
      'null (was ±Inf) reads as NaN',
    );
    assert.deepEqual(restored!.triggers.badAlert!.alerts, {});
  });
});

describe('evaluate: inputs that cannot be matched', () => {
  it('is unknown, not ok, when two metrics share no label set', () => {
    const spec = trigger([level('warning', '> 10')], {
      inputs: ['a', 'b'],
      compute: (v) => v.a! + v.b!,
    });
    const result = evaluate({
      triggers: [spec],
      inputs: {
        a: [{ labels: { queue: 'sms' }, value: 40 }],
        b: [{ labels: { queue: 'email' }, value: 50 }],
      },
      now: T0,
    });
    assert.equal(result.statuses[0]!.status, 'unknown');
    assert.match(result.statuses[0]!.reason!, /share no label set/);
  });
});
