import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HeadroomError } from '../errors.ts';
import { EXAMPLES, FILES } from '../plan/examples/load-example.ts';
import { loadPlan } from '../plan/load.ts';
import type { MeasuredCapacity } from './types.ts';
import { readableQuantity, writeMeasured } from './write-measured.ts';

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'headroom-write-measured-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** A measurement of `component.resource` worth 41 in canonical units. */
function measurement(component: string, resource: string, perReplica: boolean): MeasuredCapacity {
  return {
    component,
    resource,
    value: 41,
    perReplica,
    replicas: 2,
    held: ['http_req_duration: p(95)<300', 'http_req_failed: rate<0.01'],
    at: '2026-12-07T10:00:00Z',
    scenario: 'breakpoint',
    method: 'breakpoint',
  };
}

/** What changed between two texts: the old and new middles once the common prefix and suffix are removed. */
function change(before: string, after: string): { removed: string; added: string; at: number } {
  let start = 0;
  while (start < before.length && before[start] === after[start]) start++;
  let end = 0;
  while (
    end < before.length - start &&
    end < after.length - start &&
    before[before.length - 1 - end] === after[after.length - 1 - end]
  ) {
    end++;
  }
  return {
    removed: before.slice(start, before.length - end),
    added: after.slice(start, after.length - end),
    at: start,
  };
}

/** Every component resource of a plan with a capacity: `[component, resource, perReplica]`. */
function capacities(file: string): [string, string, boolean][] {
  const plan = loadPlan(file, { env: {} });
  return Object.entries(plan.raw.components ?? {}).flatMap(([name, c]) => [
    ...Object.keys(c.capacity ?? {}).map((r): [string, string, boolean] => [name, r, false]),
    ...Object.keys(c.per_replica ?? {})
      .filter((r) => c.capacity?.[r] === undefined)
      .map((r): [string, string, boolean] => [name, r, true]),
  ]);
}

describe('writeMeasured on every example plan', () => {
  for (const name of FILES) {
    it(`${name}: each capacity is recorded in place; the rest of the file is unchanged`, () => {
      const file = join(dir, name);
      copyFileSync(join(EXAMPLES, name), file);
      const original = readFileSync(file, 'utf8');
      const seen = new Set<string>();
      for (const [component, resource, perReplica] of capacities(file)) {
        // One resource per component: a second one into an existing `measured:` is tested below.
        if (seen.has(component)) continue;
        seen.add(component);
        const text = readFileSync(file, 'utf8');
        writeMeasured(file, measurement(component, resource, perReplica));
        const written = readFileSync(file, 'utf8');
        const { removed, added } = change(text, written);
        assert.equal(
          removed,
          '',
          `${component}: only inserted, nothing of the user's text removed`,
        );
        assert.match(added, new RegExp(`^ +measured:\\n +${resource}:\\n +value: 41\\b`));
        assert.doesNotMatch(added, /#/, 'no comment was moved into the new block');
        const m = loadPlan(file).measured.find(
          (x) => x.component === component && x.resource === resource,
        );
        assert.ok(m, `${component}.${resource} compiles into plan.measured`);
        assert.deepEqual([m.value, m.perReplica, m.held.length], [41, perReplica, 2]);
      }
      assert.ok(seen.size > 0, `${name} has a capacity to record`);
      // Every comment line of the original is still there, in order.
      const comments = (t: string) => t.split('\n').filter((l) => /^\s*#/.test(l));
      assert.deepEqual(comments(readFileSync(file, 'utf8')), comments(original));
    });
  }
});

describe('writeMeasured edits', () => {
  it('replaces an older measurement of the same resource, and adds another beside it', () => {
    const file = join(dir, 'replace.yaml');
    copyFileSync(join(EXAMPLES, 'insightdesk.yaml'), file);
    writeMeasured(file, measurement('api', 'requests', true));
    const first = readFileSync(file, 'utf8');
    writeMeasured(file, { ...measurement('api', 'requests', true), value: 52.25, method: 'probe' });
    const second = readFileSync(file, 'utf8');
    const { removed, added } = change(first, second);
    assert.match(removed, /41/);
    assert.match(added, /52\.25/);
    assert.equal(second.match(/ requests:\n\s+value:/g)?.length, 1, 'one measurement of requests');
    writeMeasured(file, { ...measurement('api', 'cpu', true), value: 1.5 });
    const plan = loadPlan(file);
    assert.deepEqual(
      plan.measured.map((m) => [m.resource, m.value, m.method]),
      [
        ['requests', 52.25, 'probe'],
        ['cpu', 1.5, 'breakpoint'],
      ],
    );
    assert.match(readFileSync(file, 'utf8'), /value: 52\.25 req\/s/);
  });

  it('writes into a component written as a flow mapping', () => {
    const file = join(dir, 'flow.yaml');
    const text = `version: 1
name: flow
# the pool
components:
  pool: { kind: worker, per_replica: { throughput: 100 job/s } } # one line
triggers:
  - { name: t, expr: pool.throughput.capacity, warning: { when: "< 1 job/s" } }
`;
    writeFileSync(file, text);
    writeMeasured(file, { ...measurement('pool', 'throughput', true), value: 120 });
    const written = readFileSync(file, 'utf8');
    assert.match(written, /# the pool\n/);
    assert.match(written, /\} # one line\n/);
    assert.match(written, /value: 120 job\/s/);
    assert.equal(loadPlan(file).measured[0]!.value, 120);
  });

  it('refuses a resource the plan has no capacity for, and leaves the file alone', () => {
    const file = join(dir, 'refuse.yaml');
    copyFileSync(join(EXAMPLES, 'roleferry.yaml'), file);
    const text = readFileSync(file, 'utf8');
    assert.throws(
      () => writeMeasured(file, measurement('workers', 'throughput', true)),
      (err: unknown) =>
        err instanceof HeadroomError &&
        err.code === 'LOADTEST_CONFIG' &&
        /no capacity workers\.throughput/.test(err.message),
    );
    assert.equal(readFileSync(file, 'utf8'), text);
  });
});

describe('readableQuantity', () => {
  const cases: [string, number, string, string | undefined, string][] = [
    ['a rate with its count noun', 41, '1/s', 'req', '41 req/s'],
    ['a rate without one', 3.456789, '1/s', undefined, '3.457/s'],
    ['bytes in the largest unit that fits', 2.5e9, 'B', undefined, '2.5 GB'],
    ['a count with its noun', 90, '', 'conn', '90 conn'],
    ['a plain number', 0.7, '', undefined, '0.7'],
    ['a duration', 0.2, 's', undefined, '0.2 s'],
  ];
  for (const [name, value, unit, noun, expected] of cases) {
    it(name, () => assert.equal(readableQuantity(value, unit, noun), expected));
  }
});
