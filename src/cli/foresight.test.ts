import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../../test/helpers/cli.ts';
import { SHOP_PLAN } from '../../test/helpers/capacity-plan.ts';
import { openSqliteStore } from '../store/sqlite.ts';

let dir: string;
let planFile: string;
let historyFile: string;
const DAY = 86_400_000;
const T0 = Date.UTC(2026, 0, 1);

/** 60 days of the shop: 600 → 1,190 companies, 0.8 MB each + 100 MB, 2,000 SMS a day. */
function shopHistory(): string {
  const rows = ['time,companies_count,storage_used,db_conns,sms_sent_total'];
  for (let i = 0; i < 60; i++) {
    const companies = 600 + i * 10;
    rows.push(
      `${new Date(T0 + i * DAY).toISOString()},${companies},${1e8 + 0.8e6 * companies},${20 + (i % 3)},${i * 2000}`,
    );
  }
  return `${rows.join('\n')}\n`;
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'headroom-foresight-'));
  planFile = join(dir, 'shop.yaml');
  writeFileSync(planFile, SHOP_PLAN);
  historyFile = join(dir, 'history.csv');
  writeFileSync(historyFile, shopHistory());
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe('headroom forecast --csv', () => {
  const fixture = join('test', 'fixtures', 'forecast', 'ec2_disk_write_bytes_1ef3de.csv');

  it('forecasts a real CloudWatch series with DST duplicates: N points with intervals', async () => {
    const r = await runCli(['forecast', '--csv', fixture, '--horizon', '12', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as {
      model: string;
      step_seconds: number;
      forecast: { t: string; value: number; lower: number; upper: number }[];
      hygiene: { duplicates: number };
    };
    assert.equal(doc.step_seconds, 300);
    assert.equal(doc.forecast.length, 12);
    assert.ok(doc.hygiene.duplicates > 0, 'the DST repeat is reported');
    for (const p of doc.forecast) {
      assert.ok(p.lower <= p.value && p.value <= p.upper, JSON.stringify(p));
      assert.ok(Number.isFinite(p.value));
    }
    const times = doc.forecast.map((p) => Date.parse(p.t));
    assert.ok(times.every((t, i) => i === 0 || t - times[i - 1]! === 300_000));
  });

  const bad = [
    { name: 'no horizon', args: ['--csv', fixture], code: 64, text: /--horizon is required/ },
    {
      name: 'a column that does not exist',
      args: ['--csv', fixture, '--horizon', '3', '--value-column', 'bytes'],
      code: 64,
      text: /"bytes" is not a column.*\n.*timestamp, value/,
    },
    {
      name: 'both --csv and --plan',
      args: ['--csv', fixture, '--plan', 'x.yaml', '--horizon', '3'],
      code: 64,
      text: /exactly one of/,
    },
    {
      name: 'a level that is no percentage',
      args: ['--csv', fixture, '--horizon', '3', '--level', '180'],
      code: 64,
      text: /--level "180"/,
    },
  ];
  for (const c of bad) {
    it(`refuses ${c.name}, naming it`, async () => {
      const r = await runCli(['forecast', ...c.args]);
      assert.equal(r.code, c.code, r.stderr);
      assert.match(r.stderr, c.text);
      assert.doesNotMatch(r.stderr, /\n\s+at /);
    });
  }

  it('names the line of a bad time', async () => {
    const file = join(dir, 'bad-time.csv');
    writeFileSync(file, 'timestamp,value\n2026-01-01 00:00:00,1\nyesterday,2\n');
    const r = await runCli(['forecast', '--csv', file, '--horizon', '3']);
    assert.equal(r.code, 3);
    assert.match(
      r.stderr,
      new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:3:1: CSV_INVALID`),
    );
  });
});

describe('headroom forecast --plan', () => {
  it('lists breaking points with dates and driver values', async () => {
    const r = await runCli(['forecast', '--plan', planFile, '--history', historyFile, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const points = JSON.parse(r.stdout) as {
      component: string;
      resource: string;
      severity: string;
      at: string | null;
      driver_values: Record<string, number>;
      basis: string;
    }[];
    const full = points.find((p) => p.component === 'store' && p.severity === 'capacity')!;
    assert.equal(full.basis, 'model');
    assert.ok(full.at !== null);
    // Calibrated on the history: full at (2 GB − 100 MB) / 0.8 MB = 2,375 companies.
    assert.ok(Math.abs(full.driver_values.companies! - 2375) < 15, JSON.stringify(full));
    const dated = points.filter((p) => p.at !== null).map((p) => Date.parse(p.at!));
    assert.deepEqual(
      dated,
      [...dated].sort((a, b) => a - b),
      'first on top',
    );
  });
});

describe('headroom whatif', () => {
  it('answers --set companies=5000 with what breaks, the tier and the cost', async () => {
    const r = await runCli([
      'whatif',
      '--plan',
      planFile,
      '--history',
      historyFile,
      '--set',
      'companies=5000',
      '--json',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as {
      first_to_break: { component: string } | null;
      tier: { needed?: string; deployed?: string };
      monthly_cost: { now_usd: number; whatif_usd: number; delta_usd: number };
      resources: {
        component: string;
        status: string;
        replicas?: { needed: number; max: number };
      }[];
    };
    assert.equal(doc.first_to_break?.component, 'api');
    assert.equal(doc.tier.deployed, 'Small');
    assert.equal(doc.tier.needed, 'Large');
    // Tier cost $100 → $400, plus the SMS bill (2,000 a day at $0.01) growing with companies.
    const sms = doc.monthly_cost.now_usd - 100;
    assert.ok(
      Math.abs(sms - (2000 * 0.01 * 2_629_800) / 86_400) < 1,
      JSON.stringify(doc.monthly_cost),
    );
    const companiesNow = 1190;
    assert.ok(
      Math.abs(doc.monthly_cost.whatif_usd - (400 + (sms * 5000) / companiesNow)) < 1,
      JSON.stringify(doc.monthly_cost),
    );
    assert.deepEqual(doc.resources.find((x) => x.component === 'api')?.replicas?.needed, 9);
  });

  it('prints a table for people', async () => {
    const r = await runCli([
      'whatif',
      '--plan',
      planFile,
      '--history',
      historyFile,
      '--scale',
      '10x',
      '--for',
      '24h',
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /first to break: api\.requests/);
    assert.match(r.stdout, /over the duration: \$\d/);
  });

  const bad = [
    { name: 'neither --set nor --scale', args: [], text: /needs --set or --scale/ },
    {
      name: 'an unknown driver',
      args: ['--set', 'customers=5'],
      text: /"customers" is neither a driver.*\n.*drivers: companies/,
    },
    { name: 'a bad scale', args: ['--scale', 'ten'], text: /--scale "ten"/ },
  ];
  for (const c of bad) {
    it(`refuses ${c.name}, saying what to write`, async () => {
      const r = await runCli(['whatif', '--plan', planFile, '--history', historyFile, ...c.args]);
      assert.equal(r.code, 64, r.stderr);
      assert.match(r.stderr, c.text);
    });
  }
});

describe('headroom report', () => {
  it('regenerates the roadmap from history: capacity, phases, breaking points, costs', async () => {
    const out = join(dir, 'roadmap.md');
    const r = await runCli(['report', '--plan', planFile, '--history', historyFile, '--out', out]);
    assert.equal(r.code, 0, r.stderr);
    const md = readFileSync(out, 'utf8');
    for (const heading of [
      '# shop — Scaling Roadmap',
      '## Summary',
      '## 🎯 Current Capacity',
      '## 🚀 Scaling Phases',
      '## 💥 Breaking Points',
      '## 💰 Cost Projections',
      '## 🧯 Disaster Scenarios',
    ])
      assert.ok(md.includes(heading), `missing ${heading}`);
    assert.match(
      md,
      /First to break:\*\* store storage \(full\) on \d{4}-\d{2}-\d{2}, at 2,3\d\d companies\. Fix: Large \(\+\$300\/month\)/,
    );
    assert.match(md, /Small — CURRENT/);
    assert.match(md, /fitted over \d+ points: usage = /);
    assert.match(md, /break-even at \d+ paying/);
    assert.match(md, /_Produced \d{4}-\d{2}-\d{2}/);
  });

  it('reads the history `watch` recorded in the store, even with the source down now', async () => {
    const file = join(dir, 'store.db');
    const store = await openSqliteStore({ path: file });
    const now = Date.now();
    const samples = [];
    for (let i = 0; i < 60; i++) {
      const at = now - (60 - i) * DAY;
      const companies = 600 + i * 10;
      samples.push(
        { metric: 'companies_count', labels: {}, value: companies, at },
        { metric: 'storage_used', labels: {}, value: 1e8 + 0.8e6 * companies, at },
      );
    }
    await store.append(samples);
    await store.close();
    const r = await runCli([
      'report',
      '--plan',
      planFile,
      '--store',
      file,
      '--timeout',
      '2s',
      '--json',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as {
      source: { kind: string; frames: number; sourceErrors: string[] };
      drivers: { name: string; method: string; perWeek: number }[];
      resources: { ref: { component: string }; calibration?: { method: string; slope: number } }[];
    };
    assert.equal(doc.source.kind, 'live');
    assert.ok(doc.source.frames >= 60, String(doc.source.frames));
    assert.ok(doc.source.sourceErrors.some((e) => e.startsWith('prom:')));
    const companies = doc.drivers.find((d) => d.name === 'companies')!;
    assert.equal(companies.method, 'fitted');
    assert.equal((companies as unknown as { now: number }).now, 1190, 'the last recorded value');
    assert.ok(Math.abs(companies.perWeek - 70) < 7, String(companies.perWeek));
    const store_ = doc.resources.find((x) => x.ref.component === 'store')!;
    assert.equal(store_.calibration?.method, 'history');
    assert.ok(Math.abs(store_.calibration!.slope - 0.8) < 0.01);
  });

  it('still reports when its source is down, and says so', async () => {
    const r = await runCli([
      'report',
      '--plan',
      planFile,
      '--no-store',
      '--timeout',
      '2s',
      '--json',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as {
      source: { sourceErrors: string[] };
      resources: unknown[];
      breakingPoints: unknown[];
    };
    assert.ok(
      doc.source.sourceErrors.some((e) => e.startsWith('prom:')),
      JSON.stringify(doc.source),
    );
    assert.equal(doc.resources.length, 4);
    assert.ok(
      doc.breakingPoints.length > 0,
      'static values and the model still give breaking points',
    );
  });
});
