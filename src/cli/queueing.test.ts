import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../../test/helpers/cli.ts';

let dir: string;
before(() => (dir = mkdtempSync(join(tmpdir(), 'headroom-queueing-'))));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('headroom erlang', () => {
  // Call Centre Helper's worked example: 100 calls per 30 minutes of 3 minutes each (10
  // erlangs); 80 % answered within 20 s needs 14 agents; with 13, 28.53 % wait, 17.12 s on average.
  it('sizes the published call-centre example and judges a pool of 13', async () => {
    const r = await runCli([
      'erlang',
      '--rate',
      '200/h',
      '--service-time',
      '3 min',
      '--slo',
      'wait_p80 <= 20s',
      '--servers',
      '13',
      '--json',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as {
      offered_load_erlangs: number;
      servers_for_slo: number;
      pool: {
        probability_of_wait: number;
        mean_wait_seconds: number;
        max_rate_per_second_for_slo: number;
      };
    };
    assert.ok(Math.abs(doc.offered_load_erlangs - 10) < 1e-9);
    assert.equal(doc.servers_for_slo, 14);
    assert.equal(doc.pool.probability_of_wait.toPrecision(4), '0.2853');
    assert.equal(doc.pool.mean_wait_seconds.toPrecision(4), '17.12');
    assert.ok(
      doc.pool.max_rate_per_second_for_slo < 200 / 3600,
      '13 agents fall short of 200 calls an hour',
    );
  });

  const bad = [
    {
      name: 'a rate without time',
      args: ['--rate', '100', '--service-time', '2s', '--servers', '3'],
      text: /--rate "100" is not a rate/,
    },
    {
      name: 'a bad objective',
      args: ['--rate', '1/s', '--service-time', '2s', '--slo', 'p95 < 3s'],
      text: /not a wait objective/,
    },
    {
      name: 'neither --slo nor --servers',
      args: ['--rate', '1/s', '--service-time', '2s'],
      text: /needs --slo or --servers/,
    },
  ];
  for (const c of bad) {
    it(`refuses ${c.name}`, async () => {
      const r = await runCli(['erlang', ...c.args]);
      assert.equal(r.code, 64);
      assert.match(r.stderr, c.text);
    });
  }
});

describe('headroom usl', () => {
  it('recovers contention and coherency from load-test results, and the peak', async () => {
    const [lambda, sigma, kappa] = [1000, 0.05, 0.001];
    const rows = [1, 2, 4, 8, 16, 32, 48, 64].map(
      (n) => `${n},${(lambda * n) / (1 + sigma * (n - 1) + kappa * n * (n - 1))}`,
    );
    const file = join(dir, 'loadtest.csv');
    writeFileSync(file, `users,rps\n${rows.join('\n')}\n`);
    const r = await runCli(['usl', '--csv', file, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as {
      lambda: number;
      sigma: number;
      kappa: number;
      r_squared: number;
      peak: { n: number };
    };
    assert.ok(Math.abs(doc.lambda / lambda - 1) < 1e-3, String(doc.lambda));
    assert.ok(Math.abs(doc.sigma / sigma - 1) < 1e-2, String(doc.sigma));
    assert.ok(Math.abs(doc.kappa / kappa - 1) < 1e-2, String(doc.kappa));
    assert.ok(Math.abs(doc.peak.n - Math.sqrt((1 - sigma) / kappa)) < 0.5);
  });

  it('says how many measurements the fit needs', async () => {
    const file = join(dir, 'short.csv');
    writeFileSync(file, 'users,rps\n1,100\n2,190\n4,350\n');
    const r = await runCli(['usl', '--csv', file]);
    assert.equal(r.code, 3);
    assert.match(r.stderr, /at least 6 measurements; .* has 3/);
  });
});
