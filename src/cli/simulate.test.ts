import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../../test/helpers/cli.ts';

const BURST = fileURLToPath(new URL('../../test/fixtures/simulate/burst.csv', import.meta.url));
const BASE = ['simulate', '--trace', BURST, '--service-time', 'exp:6s', '--slo', 'wait_p95<=30s'];
const KEYS = [
  'policy',
  'jobs',
  'worker_seconds',
  'minutes',
  'slo_violation_minutes',
  'wait_mean',
  'wait_p50',
  'wait_p95',
  'wait_p99',
  'max_replicas',
  'scale_events',
];

let dir: string;
before(() => (dir = mkdtempSync(join(tmpdir(), 'headroom-simulate-'))));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('headroom simulate', { concurrency: 4 }, () => {
  it('prints the summary of one policy as one JSON document, the same for the same seed', async () => {
    const args = [...BASE, '--policy', 'target-latency', '--startup', '30s', '--json'];
    const [a, b, other] = await Promise.all([
      runCli(args),
      runCli(args),
      runCli([...args, '--seed', '2']),
    ]);
    assert.equal(a.code, 0, a.stderr);
    const doc = JSON.parse(a.stdout) as Record<string, number | string>;
    assert.deepEqual(Object.keys(doc), KEYS);
    assert.equal(doc.policy, 'target-latency');
    assert.equal(doc.jobs, 1035);
    assert.equal(doc.minutes, 30);
    assert.ok((doc.worker_seconds as number) > 0);
    assert.equal(a.stdout, b.stdout);
    assert.notEqual(a.stdout, other.stdout);
  });

  it('compares policies on the same jobs: a JSON array, a table, and a chart', async () => {
    const chart = join(dir, 'out.svg');
    const list = 'hpa,step,target-latency,predictive,oracle,fixed:6';
    const [json, text] = await Promise.all([
      runCli([...BASE, '--compare', list, '--json']),
      runCli([...BASE, '--compare', list, '--chart', chart]),
    ]);
    assert.equal(json.code, 0, json.stderr);
    const rows = JSON.parse(json.stdout) as { policy: string; jobs: number }[];
    assert.deepEqual(
      rows.map((r) => r.policy),
      list.split(','),
    );
    assert.ok(rows.every((r) => r.jobs === 1035));
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /1,035 jobs over 30 minutes; service exp:6s, wait_p95 <= 30s/);
    assert.match(text.stdout, /policy\s+worker-hours\s+violating min\s+minutes OK/);
    assert.match(text.stdout, /^oracle\s/m);
    assert.match(text.stdout, /chart written to/);
    const svg = readFileSync(chart, 'utf8');
    assert.match(svg, /^<svg/);
    assert.match(svg, />predictive</);
  });

  it('reads one row per arrival, with service times from a column', async () => {
    const file = join(dir, 'arrivals.csv');
    const rows = Array.from(
      { length: 300 },
      (_, i) => `${1_700_000_000 + i * 0.7 + (i % 7) * 0.05},${1 + (i % 3)}`,
    );
    writeFileSync(file, `time,seconds\n${rows.join('\n')}\n`);
    const r = await runCli([
      'simulate',
      '--trace',
      file,
      '--service-time',
      'column:seconds',
      '--slo',
      'wait_mean <= 2s',
      '--policy',
      'fixed:4',
      '--json',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as { jobs: number; minutes: number };
    assert.equal(doc.jobs, 300);
    assert.equal(doc.minutes, 4);
  });

  const bad: { name: string; args: string[]; code: number; text: RegExp }[] = [
    {
      name: 'neither --policy nor --compare',
      args: BASE,
      code: 64,
      text: /exactly one of --policy or --compare/,
    },
    {
      name: 'an unknown policy',
      args: [...BASE, '--policy', 'magic'],
      code: 64,
      text: /--policy "magic" is not a policy\n {2}hint: choose hpa, step/,
    },
    {
      name: 'a bad service time',
      args: [
        'simulate',
        '--trace',
        BURST,
        '--service-time',
        'gamma:2s',
        '--slo',
        'wait_p95<=30s',
        '--policy',
        'hpa',
      ],
      code: 64,
      text: /--service-time "gamma:2s": unknown distribution/,
    },
    {
      name: 'a bad objective',
      args: [
        'simulate',
        '--trace',
        BURST,
        '--service-time',
        '2s',
        '--slo',
        'p95 < 30',
        '--policy',
        'hpa',
      ],
      code: 64,
      text: /--slo "p95 < 30" is not a wait objective/,
    },
    {
      name: 'max below min',
      args: [...BASE, '--policy', 'hpa', '--min', '5', '--max', '2'],
      code: 64,
      text: /--max 2 is below --min 5/,
    },
    {
      name: 'a bad start-up',
      args: [...BASE, '--policy', 'hpa', '--startup', 'soon'],
      code: 64,
      text: /--startup "soon" is not a duration/,
    },
    {
      name: 'a fixed pool above max',
      args: [...BASE, '--compare', 'hpa,fixed:500'],
      code: 64,
      text: /--compare fixed:500 is outside --min 1 .. --max 100/,
    },
    {
      name: 'a missing trace',
      args: [
        'simulate',
        '--trace',
        '/nonexistent/t.csv',
        '--service-time',
        '2s',
        '--slo',
        'wait_p95<=30s',
        '--policy',
        'hpa',
      ],
      code: 3,
      text: /\/nonexistent\/t.csv: CSV_INVALID: cannot read \/nonexistent\/t.csv: ENOENT/,
    },
  ];
  for (const c of bad) {
    it(`refuses ${c.name}`, async () => {
      const r = await runCli(c.args);
      assert.equal(r.code, c.code, r.stderr);
      assert.match(r.stderr, c.text);
    });
  }

  it('names the file and line of a bad trace row, also in JSON', async () => {
    const file = join(dir, 'bad.csv');
    writeFileSync(file, 'time,count\n0,5\n60,7\n120,many\n180,2\n');
    const r = await runCli([
      'simulate',
      '--trace',
      file,
      '--service-time',
      '2s',
      '--slo',
      'wait_p95<=30s',
      '--policy',
      'hpa',
      '--json',
    ]);
    assert.equal(r.code, 3);
    const doc = JSON.parse(r.stdout) as {
      ok: boolean;
      errors: { code: string; file: string; line: number; message: string }[];
    };
    assert.equal(doc.ok, false);
    assert.deepEqual(
      [doc.errors[0]!.code, doc.errors[0]!.file, doc.errors[0]!.line],
      ['CSV_INVALID', file, 4],
    );
    assert.match(doc.errors[0]!.message, /"many" is not a count of arrivals/);
  });
});
