/**
 * headroom's alert engine against Prometheus itself: each case is a plan trigger and input
 * series in promtool's notation. The same series are replayed through `replay()` and given to
 * `promtool test rules` with the rules file from `export prometheus-rules`; promtool asserts
 * that the ALERTS series (pending and firing, per severity and labels) equal ours at EVERY step.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { stringify } from 'yaml';
import { parsePlan } from '../../src/plan/load.ts';
import { prometheusRules } from '../../src/report/prometheus-rules.ts';
import { replay } from '../../src/runtime/replay.ts';
import type { RecordedSeries } from '../../src/runtime/series-csv.ts';
import { expandInputSeries, type InputSeries } from '../../src/testing/series.ts';
import { evaluate } from '../../src/rules/engine.ts';
import { triggerSpecs } from '../../src/plan/trigger-specs.ts';
import { inputsAt, DEFAULT_LOOKBACK_MS } from '../../src/runtime/replay.ts';
import type { EngineState } from '../../src/rules/types.ts';

const run = promisify(execFile);
const STEP_MS = 60_000;

interface Case {
  name: string;
  /** Trigger YAML lines (indented under `- name: t`), e.g. `expr: m\n for: 2m\n warning: ...`. */
  trigger: string;
  series: InputSeries[];
  /** Number of evaluation steps to compare (default: the longest series). */
  steps?: number;
  /** Metric names, `name:unit` for a unit (default: `m`). */
  metrics?: string[];
  /** Extra plan sections (e.g. components). */
  extra?: string;
}

const W = (when: string, extra = ''): string => `warning: { when: "${when}"${extra} }`;

const CASES: Case[] = [
  {
    name: 'for 0 fires at once and resolves at once',
    trigger: `expr: m\n${W('> 0.5')}`,
    series: [{ series: 'm', values: '0 1 1 0 0' }],
  },
  {
    name: 'for 2m: pending, then firing after two steps',
    trigger: `expr: m\nfor: 2m\n${W('> 0.5')}`,
    series: [{ series: 'm', values: '0 1 1 1 1 0 0' }],
  },
  {
    name: 'flapping input resets pending',
    trigger: `expr: m\nfor: 2m\n${W('> 0.5')}`,
    series: [{ series: 'm', values: '1 0 1 1 0 1 1 1 1' }],
  },
  {
    name: 'keep_firing_for holds a firing alert, then resolves',
    trigger: `expr: m\nkeep_firing_for: 3m\n${W('> 0.5')}`,
    series: [{ series: 'm', values: '1 1 0 0 0 0 0 0' }],
  },
  {
    name: 'keep_firing_for resets when the condition returns',
    trigger: `expr: m\nkeep_firing_for: 2m\n${W('> 0.5')}`,
    series: [{ series: 'm', values: '1 0 1 0 0 0 0 0' }],
  },
  {
    name: 'keep_firing_for does not hold a pending alert',
    trigger: `expr: m\nfor: 3m\nkeep_firing_for: 5m\n${W('> 0.5')}`,
    series: [{ series: 'm', values: '1 1 0 0 1 1 1 1 0 0' }],
  },
  {
    name: 'for and keep_firing_for together',
    trigger: `expr: m\nfor: 1m\nkeep_firing_for: 2m\n${W('> 0.5')}`,
    series: [{ series: 'm', values: '0 1 1 1 0 0 0 0 1 0' }],
  },
  {
    name: 'a short gap is bridged by the 5m lookback',
    trigger: `expr: m\nfor: 2m\n${W('> 0.5')}`,
    series: [{ series: 'm', values: '1 1 _ _ 1 1 0' }],
  },
  {
    name: 'a gap longer than the lookback resolves the alert',
    trigger: `expr: m\n${W('> 0.5')}`,
    series: [{ series: 'm', values: '1 1 _x7 1 1' }],
  },
  {
    name: 'a long gap resets pending',
    trigger: `expr: m\nfor: 3m\n${W('> 0.5')}`,
    series: [{ series: 'm', values: '1 1 _x6 1 1 1 1' }],
  },
  {
    name: 'keep_firing_for across a long gap',
    trigger: `expr: m\nkeep_firing_for: 4m\n${W('> 0.5')}`,
    series: [{ series: 'm', values: '1 _x9 0' }],
  },
  {
    name: 'a staleness marker ends the series at once',
    trigger: `expr: m\n${W('> 0.5')}`,
    series: [{ series: 'm', values: '1 1 stale 1' }],
  },
  {
    name: 'warning and critical on one trigger',
    trigger: `expr: m\nwarning: { when: "> 0.5" }\ncritical: { when: "> 0.8" }`,
    series: [{ series: 'm', values: '0.6 0.9 0.9 0.6 0.3 0.95' }],
  },
  {
    name: 'warning and critical with their own for',
    trigger: `expr: m\nwarning: { when: "> 50", for: 1m }\ncritical: { when: "> 80", for: 3m }`,
    series: [{ series: 'm', values: '60 90 90 90 90 70 40' }],
  },
  {
    name: 'a below-threshold condition (<)',
    trigger: `expr: m\nfor: 1m\n${W('< 50')}`,
    series: [{ series: 'm', values: '100 40 40 40 100 30' }],
  },
  {
    name: '>= fires on equality, > does not',
    trigger: `expr: m\nwarning: { when: ">= 70" }\ncritical: { when: "> 70" }`,
    series: [{ series: 'm', values: '69 70 71 70 69' }],
  },
  {
    name: '== and != conditions',
    trigger: `expr: m\nwarning: { when: "== 3" }\ncritical: { when: "!= 3" }`,
    series: [{ series: 'm', values: '3 3 4 3 5' }],
  },
  {
    name: 'a ramp in a+bxn notation crosses the threshold',
    trigger: `expr: m\nfor: 2m\n${W('> 45')}`,
    series: [{ series: 'm', values: '0+10x10' }],
  },
  {
    name: 'for longer than the data never fires',
    trigger: `expr: m\nfor: 1h\n${W('> 0')}`,
    series: [{ series: 'm', values: '1x8' }],
  },
  {
    name: 'one alert instance per label set',
    trigger: `expr: m\nfor: 1m\n${W('> 100')}`,
    series: [
      { series: 'm{queue="sms"}', values: '50 150 150 150 50' },
      { series: 'm{queue="email"}', values: '150 150 50 150 150' },
    ],
  },
  {
    name: 'a percentage of a capacity in GB',
    trigger: `expr: disk.bytes.utilization\nwarning: { when: "> 70%" }\ncritical: { when: "> 85%" }`,
    metrics: ['d:B'],
    extra: 'components:\n  disk:\n    capacity: { bytes: 100 GB }\n    usage: { bytes: d }\n',
    series: [{ series: 'd', values: '50e9 75e9 90e9 80e9 10e9' }],
  },
  {
    name: 'a ratio of two metrics with matching labels',
    trigger: `expr: m / n\nfor: 1m\n${W('> 0.5')}`,
    metrics: ['m', 'n'],
    series: [
      { series: 'm{q="a"}', values: '1 6 6 6 1' },
      { series: 'n{q="a"}', values: '10x4' },
      { series: 'm{q="b"}', values: '9 9 9 1 1' },
      { series: 'n{q="b"}', values: '10x4' },
    ],
  },
  {
    name: 'a resolved alert that comes back starts pending again',
    trigger: `expr: m\nfor: 1m\n${W('> 0.5')}`,
    series: [{ series: 'm', values: '1 1 1 0 1 1 1 0 0' }],
  },
  {
    name: 'negative values and a negative threshold',
    trigger: `expr: m\n${W('< -5')}`,
    series: [{ series: 'm', values: '-1 -10 -10 -2 -6' }],
  },
];

let dir: string;
before(() => (dir = mkdtempSync(join(tmpdir(), 'headroom-promtool-'))));
after(() => rmSync(dir, { recursive: true, force: true }));

/** The plan for one case: metrics read through a prometheus source named after themselves. */
function planText(c: Case): string {
  const metrics = (c.metrics ?? ['m'])
    .map((spec) => {
      const [m, unit] = spec.split(':');
      return `  ${m}: { from: prom, query: ${m}${unit ? `, unit: ${unit}` : ''} }`;
    })
    .join('\n');
  const trigger = c.trigger
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n');
  return `version: 1\nname: eq\ninterval: 1m\nsources:\n  prom: { kind: prometheus, url: "http://127.0.0.1:9" }\nmetrics:\n${metrics}\n${c.extra ?? ''}triggers:\n  - name: t\n${trigger.replace(/^ {4}/, '    ')}\n`;
}

/** Recorded series at t = i minutes; a staleness marker becomes a NaN point. */
function recorded(series: InputSeries[]): RecordedSeries[] {
  return expandInputSeries(series).map((s) => ({
    metric: s.metric,
    labels: s.labels,
    points: s.steps.flatMap((v, i) =>
      v === undefined ? [] : [{ at: i * STEP_MS, value: typeof v === 'number' ? v : NaN }],
    ),
  }));
}

/** Our ALERTS at each step: `{alertname,alertstate,severity,labels}` strings, sorted. */
function ourAlerts(c: Case, steps: number): string[][] {
  const plan = parsePlan(planText(c), `${c.name}.yaml`);
  const specs = triggerSpecs(plan);
  const series = recorded(c.series);
  let state: EngineState | undefined;
  const out: string[][] = [];
  for (let i = 0; i < steps; i++) {
    const now = i * STEP_MS;
    state = evaluate({
      triggers: specs,
      inputs: inputsAt(plan, series, now, DEFAULT_LOOKBACK_MS),
      now,
      previous: state,
    }).state;
    const alerts: string[] = [];
    for (const [severity, rule] of Object.entries(state.triggers.t?.alerts ?? {})) {
      for (const a of Object.values(rule ?? {})) {
        if (a.state === 'inactive') continue;
        const labels = { alertname: 't', alertstate: a.state, plan: 'eq', severity, ...a.labels };
        const text = Object.entries(labels)
          .sort(([x], [y]) => x.localeCompare(y))
          .map(([k, v]) => `${k}="${v}"`)
          .join(',');
        alerts.push(`ALERTS{${text}}`);
      }
    }
    out.push(alerts.sort());
  }
  return out;
}

function stepsOf(c: Case): number {
  return c.steps ?? Math.max(...expandInputSeries(c.series).map((s) => s.steps.length));
}

describe("alert states equal promtool's at every step", () => {
  it('has at least 20 cases', () => assert.ok(CASES.length >= 20));

  for (const c of CASES) {
    it(c.name, async () => {
      const plan = parsePlan(planText(c), `${c.name}.yaml`);
      const rulesFile = join(dir, `${CASES.indexOf(c)}-rules.yml`);
      writeFileSync(rulesFile, prometheusRules(plan).yaml);
      await run('promtool', ['check', 'rules', rulesFile]);
      const steps = stepsOf(c);
      const ours = ourAlerts(c, steps);
      // The replay command path must agree with the step loop above.
      const replayed = replay({
        plan,
        series: recorded(c.series),
        intervalMs: STEP_MS,
        start: 0,
        end: (steps - 1) * STEP_MS,
      });
      assert.equal(replayed.steps, steps);
      const test = {
        rule_files: [rulesFile],
        evaluation_interval: '1m',
        tests: [
          {
            interval: '1m',
            input_series: c.series,
            promql_expr_test: ours.map((alerts, i) => ({
              expr: 'ALERTS',
              eval_time: `${i}m`,
              exp_samples: alerts.map((labels) => ({ labels, value: 1 })),
            })),
          },
        ],
      };
      const testFile = join(dir, `${CASES.indexOf(c)}-test.yml`);
      writeFileSync(testFile, stringify(test));
      try {
        await run('promtool', ['test', 'rules', testFile]);
      } catch (err) {
        const e = err as { stdout?: string; stderr?: string };
        assert.fail(
          `promtool disagrees with headroom for "${c.name}":\n${e.stdout ?? ''}${e.stderr ?? ''}\nours per step: ${JSON.stringify(ours)}`,
        );
      }
    });
  }
});
