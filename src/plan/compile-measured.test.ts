import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { asHeadroomErrors, type HeadroomError } from '../errors.ts';
import { parsePlan } from './load.ts';
import type { Plan } from './types.ts';

const HEADER = `version: 1
name: test
params:
  container_vcpu: 1 vCPU
  response_time: 200 ms
`;

/** A plan whose api capacity is a formula (3.5 req/s per replica) and whose db has a total. */
function plan(apiMeasured: string, extra = ''): string {
  return `${HEADER}components:
  api:
    kind: service
    per_replica: { requests: container_vcpu * 70% / response_time, cpu: 1 vCPU }
    replicas: 2
    measured:
${apiMeasured}
  db: { kind: database, capacity: { connections: 100 conn } }
triggers:
  - { name: api, expr: api.requests.capacity, warning: { when: "< 1 req/s" } }
${extra}`;
}

const GOOD = `      requests:
        value: 41 req/s
        replicas: 2
        held: ["http_req_duration: p(95)<300"]
        at: "2026-12-07T10:00:00Z"
        scenario: breakpoint
        method: breakpoint
        formula: 3.5 req/s`;

function compile(text: string): Plan {
  return parsePlan(text, 'plan.yaml', { env: {} });
}

function only(text: string): HeadroomError {
  try {
    compile(text);
  } catch (err) {
    const errors = asHeadroomErrors(err);
    assert.equal(errors.length, 1, errors.map((e) => e.message).join('; '));
    return errors[0]!;
  }
  assert.fail('expected the plan to be rejected');
}

describe('components.<c>.measured', () => {
  it('compiles into plan.measured in canonical units, per replica for a per-replica resource', () => {
    assert.deepEqual(compile(plan(GOOD)).measured, [
      {
        component: 'api',
        resource: 'requests',
        value: 41,
        perReplica: true,
        replicas: 2,
        held: ['http_req_duration: p(95)<300'],
        at: '2026-12-07T10:00:00Z',
        scenario: 'breakpoint',
        method: 'breakpoint',
        formula: 3.5,
      },
    ]);
  });

  it('a total may be recorded for a per-replica resource; units convert (2460 req/min is 41/s)', () => {
    const m = compile(
      plan(
        `      requests: { value: 2460 req/min, per: total, at: "2026-12-07T10:00:00Z", scenario: cli, method: probe }`,
      ),
    ).measured[0]!;
    assert.deepEqual([m.value, m.perReplica, m.held, m.method], [41, false, [], 'probe']);
  });

  it('a capacity resource defaults to a total', () => {
    const text = `${HEADER}components:
  db:
    capacity: { connections: 100 conn }
    measured: { connections: { value: 90 conn, at: "2026-12-07T10:00:00Z", scenario: s, method: breakpoint } }
triggers:
  - { name: db, expr: db.connections.capacity, warning: { when: "< 1" } }
`;
    assert.equal(compile(text).measured[0]!.perReplica, false);
  });

  it('a resource the component does not declare is a reference error with a suggestion', () => {
    const e = only(plan(GOOD.replace('      requests:', '      request:')));
    assert.equal(e.code, 'PLAN_REFERENCE');
    assert.equal(e.location.path, 'components.api.measured.request');
    assert.equal(e.location.line, 12);
    assert.match(e.hint!, /did you mean "requests"/);
  });

  it('a value in another unit than the resource is a unit error', () => {
    const e = only(plan(GOOD.replace('value: 41 req/s', 'value: 41 GB')));
    assert.equal(e.code, 'PLAN_UNIT');
    assert.equal(e.location.path, 'components.api.measured.requests.value');
    assert.equal(e.location.line, 13);
    assert.match(e.message, /a rate \(per second\)/);
  });

  it('the formula it was compared with is checked the same way', () => {
    const e = only(plan(GOOD.replace('formula: 3.5 req/s', 'formula: 3.5 conn')));
    assert.equal(e.code, 'PLAN_UNIT');
    assert.equal(e.location.path, 'components.api.measured.requests.formula');
  });

  it('a time that is not ISO 8601 is a schema error', () => {
    const e = only(plan(GOOD.replace('"2026-12-07T10:00:00Z"', 'last tuesday')));
    assert.equal(e.code, 'PLAN_SCHEMA');
    assert.equal(e.location.path, 'components.api.measured.requests.at');
    assert.match(e.hint!, /2026-12-07T10:00:00Z/);
  });

  it('a method other than breakpoint or probe is refused', () => {
    const e = only(plan(GOOD.replace('method: breakpoint', 'method: guess')));
    assert.equal(e.code, 'PLAN_SCHEMA');
    assert.equal(e.location.path, 'components.api.measured.requests.method');
  });
});

describe('checklist items may name a load-test scenario', () => {
  const LOADTESTS = `loadtests:
  requests: [{ name: home, url: "http://127.0.0.1:3000/" }]
  scenarios:
    three-x: { executor: constant-vus, vus: 3, duration: 1m }
`;
  const checklist = (ref: string): string =>
    `checklist:\n  - name: Before Phase 2\n    items:\n      - Write runbooks\n      - { item: Load test to 3x current capacity, loadtest: ${ref} }\n`;

  it('a known scenario compiles', () => {
    const p = compile(plan(GOOD, `${checklist('three-x')}${LOADTESTS}`));
    assert.deepEqual(p.raw.checklist![0]!.items[1], {
      item: 'Load test to 3x current capacity',
      loadtest: 'three-x',
    });
  });

  it('an unknown scenario is a reference error with a suggestion', () => {
    const e = only(plan(GOOD, `${checklist('three-xx')}${LOADTESTS}`));
    assert.equal(e.code, 'PLAN_REFERENCE');
    assert.equal(e.location.path, 'checklist[0].items[1].loadtest');
    assert.equal(e.location.line, 27);
    assert.match(e.hint!, /did you mean "three-x"/);
  });

  it('a plan without loadtests says to declare the scenario', () => {
    const e = only(plan(GOOD, checklist('three-x')));
    assert.equal(e.code, 'PLAN_REFERENCE');
    assert.match(e.hint!, /declare a load-test scenario named "three-x"/);
  });
});
