import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../test/helpers/cli.ts';

let dir: string;
const plan = (name: string, body: string): string => {
  const file = join(dir, name);
  writeFileSync(file, `version: 1\nname: ${name.replace('.yaml', '')}\ninterval: 1s\n${body}`);
  return file;
};
const HOST =
  'sources:\n  me: { kind: host }\nmetrics:\n  mem: { from: me, field: memory_utilization }\n  cpus: { from: me, field: cpus }\n';

before(() => (dir = mkdtempSync(join(tmpdir(), 'headroom-cli-'))));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('headroom CLI', () => {
  it('validate: a bad plan exits 3 with file:line:col and no stack trace', async () => {
    const file = plan(
      'bad.yaml',
      `${HOST}triggers:\n  - name: m\n    expr: mem\n    for: 5 GB\n    warning: { when: "> 50%" }\n`,
    );
    const r = await runCli(['validate', file]);
    assert.equal(r.code, 3);
    assert.match(r.stderr, new RegExp(`${file}:12:10: PLAN_UNIT at triggers\\[0\\]\\.for`));
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  });

  it('validate --json: one JSON document listing the errors', async () => {
    const file = plan('bad2.yaml', `${HOST}trigers: []\n`);
    const r = await runCli(['validate', file, '--json']);
    assert.equal(r.code, 3);
    const doc = JSON.parse(r.stdout) as {
      ok: boolean;
      plans: { errors: { code: string; line: number }[] }[];
    };
    assert.equal(doc.ok, false);
    assert.equal(doc.plans[0]!.errors[0]!.code, 'PLAN_UNKNOWN_FIELD');
    assert.equal(doc.plans[0]!.errors[0]!.line, 9);
  });

  it('validate: checks notify entries as serve builds them (a bad field fails, an unset secret is a note)', async () => {
    const bad = plan(
      'notify-bad.yaml',
      `notify:\n  - { kind: slack, url: "https://hooks.slack.com/x", chanel: "#a" }\n`,
    );
    const r = await runCli(['validate', bad]);
    assert.equal(r.code, 3);
    assert.match(
      r.stderr,
      new RegExp(`${bad}:5:\\d+: PLAN_UNKNOWN_FIELD at notify\\[0\\]\\.chanel`),
    );
    assert.match(r.stderr, /did you mean "channel"\?/);
    const unset = plan(
      'notify-unset.yaml',
      `notify:\n  - { kind: email, smtp: "\${HR_TEST_SMTP_URL:-}", to: ops@example.com }\n`,
    );
    const ok = await runCli(['validate', unset]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(
      ok.stderr,
      /note: .*PLAN_ENV at notify\[0\]\.smtp: is empty because HR_TEST_SMTP_URL is not set/,
    );
  });

  it('check: exit 0 and a status table when every trigger is ok', async () => {
    const file = plan(
      'ok.yaml',
      `${HOST}triggers:\n  - name: cpus-present\n    expr: cpus\n    critical: { when: "< 1", action: "no CPUs?" }\n`,
    );
    const r = await runCli(['check', '--plan', file, '--no-store']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /cpus-present\s+ok/);
  });

  it('check --json: critical exits 2 and reports the action', async () => {
    const file = plan(
      'crit.yaml',
      `${HOST}triggers:\n  - name: always\n    expr: cpus\n    critical: { when: ">= 1", action: "Double worker count NOW" }\n`,
    );
    const r = await runCli(['check', '--plan', file, '--no-store', '--json']);
    assert.equal(r.code, 2, r.stderr);
    const doc = JSON.parse(r.stdout) as {
      status: string;
      exit_code: number;
      triggers: { status: string; action: string }[];
    };
    assert.equal(doc.status, 'critical');
    assert.equal(doc.exit_code, 2);
    assert.equal(doc.triggers[0]!.action, 'Double worker count NOW');
  });

  it('check: a warning with for goes pending, then firing on a later run (state persists)', async () => {
    const file = plan(
      'pend.yaml',
      `${HOST}triggers:\n  - name: slow\n    expr: cpus\n    for: 1s\n    warning: { when: ">= 1", action: look }\n`,
    );
    const store = join(dir, 'state.db');
    const first = await runCli(['check', '--plan', file, '--store', store, '--json']);
    assert.equal(first.code, 0, first.stderr);
    assert.equal(
      (JSON.parse(first.stdout) as { triggers: { status: string }[] }).triggers[0]!.status,
      'pending',
    );
    await new Promise((r) => setTimeout(r, 1100));
    const second = await runCli(['check', '--plan', file, '--store', store, '--json']);
    assert.equal(second.code, 1, second.stderr);
    assert.equal(
      (JSON.parse(second.stdout) as { triggers: { status: string }[] }).triggers[0]!.status,
      'warning',
    );
  });

  it('check: a dead source makes its triggers unknown, exit 3', async () => {
    const file = plan(
      'dead.yaml',
      'sources:\n  prom: { kind: prometheus, url: "http://127.0.0.1:9" }\nmetrics:\n  up: { from: prom, query: up }\ntriggers:\n  - name: up\n    expr: up\n    critical: { when: "< 1" }\n',
    );
    const r = await runCli(['check', '--plan', file, '--no-store', '--json', '--timeout', '3s']);
    assert.equal(r.code, 3, r.stderr);
    const doc = JSON.parse(r.stdout) as {
      triggers: { status: string; reason: string }[];
      sources: Record<string, { state: string }>;
    };
    assert.equal(doc.triggers[0]!.status, 'unknown');
    assert.equal(doc.sources.prom!.state, 'error');
  });

  it('check: the built-in source-down trigger fires for a dead source after source_down.for', async () => {
    const file = plan(
      'down.yaml',
      `source_down: { for: 0s, action: "restart the exporter" }\nsources:\n  prom: { kind: prometheus, url: "http://127.0.0.1:9" }\n  me: { kind: host }\nmetrics:\n  up: { from: prom, query: up }\n  cpus: { from: me, field: cpus }\n`,
    );
    const r = await runCli(['check', '--plan', file, '--no-store', '--json', '--timeout', '3s']);
    assert.equal(r.code, 2, r.stderr);
    const doc = JSON.parse(r.stdout) as {
      triggers: {
        trigger: string;
        status: string;
        action: string;
        instances: { labels: Record<string, string> }[];
      }[];
    };
    const down = doc.triggers.find((t) => t.trigger === 'source-down')!;
    assert.equal(down.status, 'critical');
    assert.equal(down.action, 'restart the exporter');
    assert.deepEqual(
      down.instances.map((i) => i.labels),
      [{ source: 'prom', kind: 'prometheus' }],
    );
  });

  it('init writes a plan from a template and refuses to overwrite it', async () => {
    const out = join(dir, 'headroom.yaml');
    const r = await runCli(['init', '--template', 'local', '--out', out]);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(existsSync(out));
    assert.match(readFileSync(out, 'utf8'), /kind: host/);
    const again = await runCli(['init', '--template', 'local', '--out', out]);
    assert.equal(again.code, 64);
    assert.match(again.stderr, /FILE_EXISTS.*--force/s);
    const unknown = await runCli(['init', '--template', 'nope', '--out', join(dir, 'x.yaml')]);
    assert.equal(unknown.code, 64);
    assert.match(unknown.stderr, /choose one of: .*irisx/);
  });

  it('replay prints every state change from a CSV', async () => {
    const file = plan(
      'replay.yaml',
      `${HOST}triggers:\n  - name: mem\n    expr: mem\n    for: 2s\n    warning: { when: "> 50%" }\n`,
    );
    const csv = join(dir, 'samples.csv');
    writeFileSync(csv, 'time,mem\n0,0.1\n1,0.6\n2,0.6\n3,0.6\n4,0.2\n');
    const r = await runCli(['replay', '--plan', file, '--csv', csv, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as { transitions: { t: string; from: string; to: string }[] };
    assert.deepEqual(
      doc.transitions.map((t) => [t.t.slice(17, 19), t.from, t.to]),
      [
        ['01', 'inactive', 'pending'],
        ['03', 'pending', 'firing'],
        ['04', 'firing', 'inactive'],
      ],
    );
  });

  it('replay names a CSV column that is no plan metric', async () => {
    const file = plan('replay2.yaml', HOST);
    const csv = join(dir, 'bad.csv');
    writeFileSync(csv, 'time,memory\n0,1\n');
    const r = await runCli(['replay', '--plan', file, '--csv', csv]);
    assert.equal(r.code, 3);
    assert.match(
      r.stderr,
      /bad\.csv:1: CSV_INVALID: column "memory" names no metric.*hint: .*mem, cpus/s,
    );
  });

  it('export prometheus-rules writes one rule per level with for and action', async () => {
    const file = plan(
      'export.yaml',
      `${HOST}triggers:\n  - name: mem\n    expr: mem\n    for: 10m\n    warning: { when: "> 70%", action: scale }\n    critical: { when: "> 85%" }\n`,
    );
    const r = await runCli(['export', 'prometheus-rules', '--plan', file]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /alert: mem\n\s+expr: \(headroom_mem\) > 0\.7\n\s+for: 10m/);
    assert.match(r.stdout, /severity: critical/);
  });

  it('watch keeps samples and alert state in the store across cycles', async () => {
    const file = plan(
      'watch.yaml',
      `${HOST}triggers:\n  - name: slow\n    expr: cpus\n    for: 1s\n    warning: { when: ">= 1" }\n`,
    );
    const store = join(dir, 'watch.db');
    const r = await runCli([
      'watch',
      '--plan',
      file,
      '--store',
      store,
      '--cycles',
      '4',
      '--interval',
      '500ms',
      '--json',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const statuses = r.stdout
      .trim()
      .split(/\n(?=\{)/)
      .map((d) => (JSON.parse(d) as { triggers: { status: string }[] }).triggers[0]!.status);
    // pending while `for: 1s` runs, then warning; how many of each depends on the machine's speed.
    assert.equal(statuses[0], 'pending');
    assert.equal(statuses.at(-1), 'warning');
    assert.match(statuses.join(' '), /^(pending )+(warning ?)+$/);
    const again = await runCli(['check', '--plan', file, '--store', store, '--json']);
    assert.equal(
      (JSON.parse(again.stdout) as { triggers: { status: string }[] }).triggers[0]!.status,
      'warning',
    );
  });

  it('an unknown option is a usage error (exit 64)', async () => {
    const r = await runCli(['check', '--plan', 'x.yaml', '--bogus']);
    assert.equal(r.code, 64);
    assert.match(r.stderr, /unknown option/);
  });
});

describe('aggregation across series', () => {
  it('replay sums a metric over its series at every step', async () => {
    const file = plan(
      'agg.yaml',
      'sources:\n  prom: { kind: prometheus, url: "http://127.0.0.1:9" }\nmetrics:\n  pending: { from: prom, query: pending }\ntriggers:\n  - name: total-depth\n    expr: sum(pending)\n    warning: { when: "> 100" }\n  - name: streams\n    expr: count(pending)\n    critical: { when: "< 3" }\n',
    );
    const csv = join(dir, 'agg.csv');
    writeFileSync(
      csv,
      'time,pending{stream="SMS"},pending{stream="EMAIL"},pending{stream="HOOKS"}\n0,30,30,30\n15,40,40,30\n30,10,10,10\n',
    );
    const r = await runCli(['replay', '--plan', file, '--csv', csv, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as {
      transitions: { trigger: string; to: string; value: number }[];
    };
    assert.deepEqual(
      doc.transitions.map((t) => [t.trigger, t.to, t.value]),
      [
        ['total-depth', 'firing', 110],
        ['total-depth', 'inactive', 110],
      ],
    );
  });
});
