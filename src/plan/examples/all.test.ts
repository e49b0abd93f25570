import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { close, EXAMPLES, FILES, loadExample } from './load-example.ts';

const SEEDS = ['irisx', 'honeyjar', 'insightdesk', 'cfi', 'roleferry'];

describe('every example plan loads', () => {
  for (const file of FILES) {
    it(`${file} validates and compiles with an empty environment`, () => {
      const plan = loadExample(basename(file, '.yaml'));
      assert.equal(plan.name, basename(file, '.yaml'));
      assert.ok(plan.triggers.length > 0, 'a plan with no triggers watches nothing');
    });
  }

  it('the five seed roadmaps and the local plan are all there', () => {
    for (const name of [...SEEDS, 'local']) {
      assert.ok(FILES.includes(`${name}.yaml`), `examples/${name}.yaml is missing`);
    }
  });

  it('each seed plan opens with a comment naming its roadmap', () => {
    for (const name of SEEDS) {
      const first = readFileSync(join(EXAMPLES, `${name}.yaml`), 'utf8').split('\n')[0]!;
      assert.match(first, /^# .*seed roadmap 00\d/, `${name}.yaml: ${first}`);
    }
  });

  it('warning thresholds come before critical ones, and tiers climb', () => {
    for (const file of FILES) {
      const plan = loadExample(basename(file, '.yaml'));
      for (const t of plan.triggers) {
        const [w, c] = [
          t.levels.find((l) => l.severity === 'warning'),
          t.levels.find((l) => l.severity === 'critical'),
        ];
        if (w && c && w.condition.op.startsWith('>')) {
          assert.ok(w.condition.threshold < c.condition.threshold, `${plan.name}/${t.name}`);
        }
      }
      for (let i = 1; i < plan.tiers.length; i++) {
        for (const [driver, bound] of Object.entries(plan.tiers[i]!.until)) {
          const previous = plan.tiers[i - 1]!.until[driver];
          if (previous !== undefined)
            assert.ok(bound > previous, `${plan.name} ${plan.tiers[i]!.name}.${driver}`);
        }
      }
    }
  });

  it('closed gaps stay closed: no dry_run stand-ins, no lead times in actions, no forced checklists', () => {
    for (const file of FILES) {
      const plan = loadExample(basename(file, '.yaml'));
      for (const [name, a] of Object.entries(plan.raw.autoscale ?? {}))
        assert.notEqual(a.dry_run, true, `${plan.name} autoscale ${name}: use from_tier`);
      for (const l of plan.triggers.flatMap((t) => t.levels))
        assert.doesNotMatch(l.action ?? '', /lead time|timeline/i, `${plan.name}: use lead_time`);
      for (const list of plan.raw.checklist ?? [])
        assert.doesNotMatch(list.name, /review|disaster|change log|load test/i, plan.name);
      for (const t of plan.tiers) {
        const range = t.costRangeUsd;
        if (range) close(t.monthlyCostUsd!, (range[0] + range[1]) / 2, `${plan.name} ${t.name}`);
      }
    }
  });
});
