import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { asHeadroomErrors, type HeadroomError } from '../errors.ts';
import { parsePlan } from './load.ts';

const HEADER = 'version: 1\nname: test\ninterval: 15s\n';

/** Compiles plan text and returns the errors it raised (fails the test if it compiled). */
function errorsOf(text: string, env: Record<string, string> = {}): HeadroomError[] {
  try {
    parsePlan(text, 'plan.yaml', { env });
  } catch (err) {
    return asHeadroomErrors(err);
  }
  assert.fail('expected the plan to be rejected');
}

function only(text: string, env: Record<string, string> = {}): HeadroomError {
  const errors = errorsOf(text, env);
  assert.equal(errors.length, 1, errors.map((e) => e.message).join('; '));
  return errors[0]!;
}

const HOST =
  'sources:\n  me: { kind: host }\nmetrics:\n  cpu: { from: me, field: cpu_utilization }\n';

describe('bad plans get located errors', () => {
  it('malformed YAML names the line and column', () => {
    const e = only(`${HEADER}sources:\n  me: { kind: host\n`);
    assert.equal(e.code, 'PLAN_YAML');
    assert.equal(e.location.file, 'plan.yaml');
    assert.ok(e.location.line! >= 5, `line ${e.location.line}`);
    assert.ok(e.location.column! >= 1);
    assert.equal(e.exitCode, 3);
  });

  it('an unknown field suggests the closest known one', () => {
    const e = only(
      `${HEADER}${HOST}triggers:\n  - name: cpu\n    expr: cpu\n    warnng: { when: "> 70%" }\n`,
    );
    assert.equal(e.code, 'PLAN_UNKNOWN_FIELD');
    assert.equal(e.location.path, 'triggers[0].warnng');
    assert.equal(e.location.line, 11);
    assert.equal(e.location.column, 5);
    assert.match(e.hint!, /did you mean "warning"/);
  });

  it('an unknown top-level section suggests the right one', () => {
    const e = only(`${HEADER}trigers: []\n`);
    assert.equal(e.code, 'PLAN_UNKNOWN_FIELD');
    assert.match(e.hint!, /did you mean "triggers"/);
    assert.equal(e.location.line, 4);
  });

  it('a size where a duration belongs is a unit error', () => {
    const e = only(
      `${HEADER}${HOST}triggers:\n  - name: cpu\n    expr: cpu\n    for: 100 GB\n    warning: { when: "> 70%" }\n`,
    );
    assert.equal(e.code, 'PLAN_UNIT');
    assert.equal(e.location.path, 'triggers[0].for');
    assert.equal(e.location.line, 11);
    assert.match(e.message, /bytes.*duration/);
    assert.match(e.hint!, /10m/);
  });

  it('a threshold in the wrong unit names both units', () => {
    const e = only(
      `${HEADER}${HOST}triggers:\n  - name: cpu\n    expr: cpu\n    warning: { when: "> 70 GB" }\n`,
    );
    assert.equal(e.code, 'PLAN_UNIT');
    assert.equal(e.location.path, 'triggers[0].warning.when');
    assert.match(e.message, /bytes.*plain number/);
  });

  it('capacity and usage of one resource must agree on units', () => {
    const e = only(
      `${HEADER}drivers:\n  users: { value: 10 }\ncomponents:\n  api:\n    capacity: { requests: 10 req/s }\n    model: { requests: users * 2 MB }\n`,
    );
    assert.equal(e.code, 'PLAN_UNIT');
    assert.equal(e.location.path, 'components.api.model.requests');
    assert.equal(e.location.line, 9);
  });

  it('a missing environment variable names the variable, never a value', () => {
    const e = only(`${HEADER}sources:\n  prom: { kind: prometheus, url: "\${PROM_URL}" }\n`);
    assert.equal(e.code, 'PLAN_ENV');
    assert.equal(e.location.path, 'sources.prom.url');
    assert.equal(e.location.line, 5);
    assert.match(e.message, /PROM_URL/);
    assert.match(e.hint!, /export PROM_URL=/);
  });

  it('an environment variable that is set is interpolated', () => {
    const plan = parsePlan(
      `${HEADER}sources:\n  prom: { kind: prometheus, url: "\${PROM_URL}" }\n`,
      'plan.yaml',
      {
        env: { PROM_URL: 'http://127.0.0.1:9090' },
      },
    );
    assert.equal(plan.raw.sources?.prom?.url, 'http://127.0.0.1:9090');
  });

  it('duplicate trigger names point at the second one', () => {
    const trigger = '  - name: cpu\n    expr: cpu\n    warning: { when: "> 70%" }\n';
    const e = only(`${HEADER}${HOST}triggers:\n${trigger}${trigger}`);
    assert.equal(e.code, 'PLAN_DUPLICATE');
    assert.equal(e.location.path, 'triggers[1].name');
    assert.equal(e.location.line, 12);
  });

  it('a duplicate YAML key is a duplicate error', () => {
    const e = only(`${HEADER}params:\n  a: 1\n  a: 2\n`);
    assert.equal(e.code, 'PLAN_DUPLICATE');
    assert.equal(e.location.line, 6);
  });

  it('a name declared in two sections is a duplicate', () => {
    const e = only(`${HEADER}params:\n  cpu: 1\n${HOST}`);
    assert.equal(e.code, 'PLAN_DUPLICATE');
    assert.equal(e.location.path, 'metrics.cpu');
  });

  it('an unknown metric in an expression suggests the closest name', () => {
    const e = only(
      `${HEADER}${HOST}triggers:\n  - name: cpu\n    expr: cpux * 2\n    warning: { when: "> 70%" }\n`,
    );
    assert.equal(e.code, 'PLAN_REFERENCE');
    assert.equal(e.location.path, 'triggers[0].expr');
    assert.equal(e.location.line, 10);
    assert.match(e.hint!, /did you mean "cpu"/);
  });

  it('an unknown component on a trigger is a reference error', () => {
    const e = only(
      `${HEADER}${HOST}triggers:\n  - name: cpu\n    component: apii\n    expr: cpu\n    warning: { when: "> 70%" }\n`,
    );
    assert.equal(e.code, 'PLAN_REFERENCE');
    assert.equal(e.location.path, 'triggers[0].component');
  });

  it('an unknown source on a metric is a reference error', () => {
    const e = only(
      `${HEADER}sources:\n  me: { kind: host }\nmetrics:\n  cpu: { from: mee, field: cpu_utilization }\n`,
    );
    assert.equal(e.code, 'PLAN_REFERENCE');
    assert.equal(e.location.path, 'metrics.cpu.from');
    assert.match(e.hint!, /did you mean "me"/);
  });

  it('a cycle between formulas names the whole cycle', () => {
    const e = only(`${HEADER}params:\n  a: b * 2\n  b: c + 1\n  c: a / 3\n`);
    assert.equal(e.code, 'PLAN_CYCLE');
    assert.match(e.message, /params\.a → params\.b → params\.c → params\.a/);
    assert.equal(e.location.line, 5);
  });

  it('a cycle is found whatever the declaration order', () => {
    const e = only(`${HEADER}metrics:\n  a: { expr: "b + 1" }\n  b: { expr: "a * 2" }\n`);
    assert.equal(e.code, 'PLAN_CYCLE');
  });

  it('every problem of a file is reported, in document order', () => {
    const errors = errorsOf(
      `${HEADER}${HOST}triggers:\n  - name: a\n    expr: nope\n    warning: { when: "> 1" }\ntiers:\n  - name: t\n    until: { userz: 5 }\n`,
    );
    assert.deepEqual(
      errors.map((e) => e.code),
      ['PLAN_REFERENCE', 'PLAN_REFERENCE'],
    );
    assert.ok(errors[0]!.location.line! < errors[1]!.location.line!);
  });

  it('a wrong type says what was expected and what was given', () => {
    const e = only(`${HEADER}components:\n  api:\n    replicas: { min: lots }\n`);
    assert.equal(e.code, 'PLAN_SCHEMA');
    assert.equal(e.location.path, 'components.api.replicas.min');
    assert.match(e.message, /expected number, got "lots"/);
  });
});

describe('valid plans compile to canonical units', () => {
  it('durations, thresholds and formulas', () => {
    const plan = parsePlan(
      `${HEADER}${HOST}params:\n  efficiency: 0.7\n  response_time: 200 ms\ncomponents:\n  api:\n    replicas: 2\n    per_replica: { requests: "1 vCPU * efficiency / response_time" }\ntriggers:\n  - name: cpu\n    expr: cpu\n    for: 1h30m\n    keep_firing_for: 5m\n    warning: { when: "> 70%", action: add a container }\n`,
      'plan.yaml',
    );
    assert.equal(plan.intervalMs, 15_000);
    const level = plan.triggers[0]!.levels[0]!;
    assert.deepEqual(
      [level.condition.op, level.condition.threshold, level.forMs, level.keepFiringForMs],
      ['>', 0.7, 5_400_000, 300_000],
    );
    const capacity = plan.graph.evaluate('components.api.per_replica.requests', { metrics: {} });
    assert.equal(
      Number((capacity as { toNumber(u: string): number }).toNumber('Hz').toFixed(6)),
      3.5,
    );
  });
});

describe('regressions found while writing the example plans', () => {
  const value = (text: string, name: string): number =>
    parsePlan(text, 'plan.yaml').params[name]!.value;

  it('multi-digit K and M shorthands are thousands and millions', () => {
    assert.equal(value(`${HEADER}params:\n  big: 50K\n`, 'big'), 50_000);
    assert.equal(value(`${HEADER}params:\n  huge: 2.5M\n`, 'huge'), 2_500_000);
  });

  it('KB means kilobytes and conversions carry no float noise', () => {
    assert.equal(value(`${HEADER}params:\n  attachment: 5 KB\n`, 'attachment'), 5000);
    assert.equal(value(`${HEADER}params:\n  cost: 1500 USD/month\n`, 'cost'), 1500);
    assert.equal(value(`${HEADER}params:\n  uptime: 99.9%\n`, 'uptime'), 0.999);
  });

  it('a unit name with an underscore is a schema error, not an internal one', () => {
    const e = only(`${HEADER}units: [voice_minute]\n`);
    assert.equal(e.code, 'PLAN_SCHEMA');
    assert.equal(e.location.path, 'units[0]');
  });

  it('a window function in a usage formula has the rate unit of its metric', () => {
    const plan = parsePlan(
      `${HEADER}sources:\n  me: { kind: host }\nmetrics:\n  n: { from: me, field: cpus }\ncomponents:\n  w:\n    capacity: { t: 100 msg/s }\n    usage: { t: "rate(n, 5m)" }\n`,
      'plan.yaml',
    );
    assert.ok(plan.graph.nodes.has('components.w.usage.t'));
  });

  it('a bare component name in an expression says to name a field', () => {
    const e = only(
      `${HEADER}components:\n  worker:\n    capacity: { jobs: 10 job/s }\nparams:\n  n: worker * 2\n`,
    );
    assert.equal(e.code, 'PLAN_REFERENCE');
    assert.match(e.hint!, /worker\.jobs\.utilization.*hides the unit/);
  });

  it('a threshold on a duration may be written as a duration', () => {
    const plan = parsePlan(
      `${HEADER}sources:\n  me: { kind: host }\nmetrics:\n  up: { from: me, field: uptime_seconds, unit: s }\ntriggers:\n  - name: lag\n    expr: up\n    warning: { when: "> 5m" }\n`,
      'plan.yaml',
    );
    assert.equal(plan.triggers[0]!.levels[0]!.condition.threshold, 300);
  });

  it('deploy_when is unit-checked', () => {
    const e = only(
      `${HEADER}drivers:\n  users: { value: 10 }\ntiers:\n  - name: t\n    deploy_when: users > 5 GB\n`,
    );
    assert.equal(e.code, 'PLAN_UNIT');
    assert.equal(e.location.path, 'tiers[0].deploy_when');
  });
});

describe('language features for what the seed roadmaps say', () => {
  const TIER = (cost: string): string => `${HEADER}tiers:\n  - name: Phase 2\n    cost: ${cost}\n`;

  it('a cost range keeps both ends and uses the midpoint', () => {
    const plan = parsePlan(TIER('{ min: 400 USD/month, max: 600 USD/month }'), 'plan.yaml');
    assert.deepEqual(plan.tiers[0]!.costRangeUsd, [400, 600]);
    assert.equal(plan.tiers[0]!.monthlyCostUsd, 500);
  });

  it('"400-600 USD/month" is caught: it subtracts', () => {
    const e = only(TIER('400-600 USD/month'));
    assert.equal(e.code, 'PLAN_SCHEMA');
    assert.match(e.hint!, /\{ min: 400 USD\/month, max: 600 USD\/month \}/);
  });

  it('a level carries its lead time', () => {
    const plan = parsePlan(
      `${HEADER}${HOST}triggers:\n  - name: cpu\n    expr: cpu\n    warning: { when: "> 70%", lead_time: 1w, action: add a read replica }\n`,
      'plan.yaml',
    );
    assert.equal(plan.triggers[0]!.levels[0]!.leadTimeMs, 7 * 86_400_000);
  });

  const SCALE = `${HEADER}${HOST}  depth: { from: me, field: load1 }\ncomponents:\n  workers: { kind: worker, queue: depth, priority: 1 }\ntiers:\n  - name: Tier 2\n`;

  it('an HPA may scale on several metrics, from a given tier on', () => {
    const plan = parsePlan(
      `${SCALE}autoscale:\n  workers:\n    policy: hpa\n    from_tier: Tier 2\n    metrics: [{ metric: cpu, target: 0.7 }, { metric: depth, target: 100 }]\n`,
      'plan.yaml',
    );
    assert.equal(plan.raw.autoscale?.workers?.metrics?.length, 2);
  });

  it('an unknown from_tier and a step duration in the wrong unit are reported', () => {
    const errors = errorsOf(
      `${SCALE}autoscale:\n  workers:\n    policy: step\n    from_tier: Tier 3\n    steps: [{ when: "> 500", change: 5, for: 5 GB }]\n`,
    );
    assert.deepEqual(
      errors.map((e) => [e.code, e.location.path]),
      [
        ['PLAN_REFERENCE', 'autoscale.workers.from_tier'],
        ['PLAN_UNIT', 'autoscale.workers.steps[0].for'],
      ],
    );
  });

  it('scenarios check their multiplier, drivers and durations', () => {
    const errors = errorsOf(
      `${HEADER}drivers:\n  users: { value: 100 }\nscenarios:\n  - name: spike\n    scale: ten times\n    set: { userz: 5000 }\n    rto: 30 GB\n    response: [{ within: soon, action: scale }]\n`,
    );
    assert.deepEqual(
      errors.map((e) => e.location.path),
      [
        'scenarios[0].scale',
        'scenarios[0].set.userz',
        'scenarios[0].rto',
        'scenarios[0].response[0].within',
      ],
    );
  });
});
