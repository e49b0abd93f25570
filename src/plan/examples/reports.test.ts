import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runCli } from '../../../test/helpers/cli.ts';

interface ReportDoc {
  plan: { name: string };
  tiers: { name: string; position: string }[];
  breakingPoints: { component: string; severity: string }[];
  resources: unknown[];
  scenarios: { name: string }[];
  source: { sourceErrors: string[] };
}

// Every example plan regenerates its roadmap on this machine, whichever of its sources are up
// (no Prometheus runs here: its numbers fall back to the plan's models and static values).
describe('example plans: headroom report', () => {
  for (const name of ['irisx', 'honeyjar', 'insightdesk', 'cfi', 'roleferry']) {
    it(`${name} produces a report with its tiers and breaking points`, async () => {
      const r = await runCli(
        ['report', '--plan', `examples/${name}.yaml`, '--no-store', '--timeout', '3s', '--json'],
        {
          timeoutMs: 60_000,
        },
      );
      assert.equal(r.code, 0, r.stderr);
      const doc = JSON.parse(r.stdout) as ReportDoc;
      assert.equal(doc.plan.name, name);
      assert.ok(doc.tiers.length >= 3, 'the roadmap’s phases');
      assert.equal(doc.tiers.filter((t) => t.position === 'deployed').length, 1);
      assert.ok(doc.resources.length > 0);
      assert.ok(doc.breakingPoints.length > 0);
      const md = await runCli(
        ['report', '--plan', `examples/${name}.yaml`, '--no-store', '--timeout', '3s'],
        { timeoutMs: 60_000 },
      );
      assert.equal(md.code, 0, md.stderr);
      assert.match(md.stdout, new RegExp(`^# ${name} — Scaling Roadmap`));
    });
  }
});
