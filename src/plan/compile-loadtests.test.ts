import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { asHeadroomErrors, type HeadroomError } from '../errors.ts';
import type { PlanLoadTest } from '../loadtest/types.ts';
import { parsePlan } from './load.ts';
import type { Plan } from './types.ts';

/** A plan with an API (40 req/s per replica), a BullMQ-fed mailer and a request-rate metric. */
const BASE = `version: 1
name: test
sources:
  prom: { kind: prometheus, url: "http://127.0.0.1:9090" }
  q: { kind: bullmq, url: "redis://127.0.0.1:6379" }
metrics:
  api_request_rate: { from: prom, query: "sum(rate(http_requests_total[5m]))", unit: req/s }
  emails_waiting: { from: q, queue: emails, field: waiting }
components:
  api: { kind: service, per_replica: { requests: 40 req/s, cpu: 1 vCPU }, replicas: 2 }
  mailer: { kind: worker, queue: emails_waiting, per_replica: { throughput: 100 job/s } }
triggers:
  - { name: rate, expr: api_request_rate, warning: { when: "> 100 req/s" } }
`;

const REQUESTS = `  requests:
    - { name: list, url: "http://127.0.0.1:3000/tickets", weight: 3 }
    - { name: create, method: post, url: "http://127.0.0.1:3000/tickets", body: "{}", weight: 1, expect_status: [201, "300-302"] }
`;

function compile(loadtests: string, extra = ''): Plan {
  return parsePlan(`${BASE}${extra}loadtests:\n${loadtests}`, 'plan.yaml', { env: {} });
}

function scenario(plan: Plan, name: string): PlanLoadTest {
  const found = plan.loadtests.find((l) => l.name === name);
  assert.ok(found, `no scenario ${name}`);
  return found;
}

function errorsOf(loadtests: string, extra = ''): HeadroomError[] {
  try {
    compile(loadtests, extra);
  } catch (err) {
    return asHeadroomErrors(err);
  }
  assert.fail('expected the plan to be rejected');
}

/** 1-based line of the first line of the plan text containing `needle`. */
function lineOf(loadtests: string, needle: string, extra = ''): number {
  const lines = `${BASE}${extra}loadtests:\n${loadtests}`.split('\n');
  const i = lines.findIndex((l) => l.includes(needle));
  assert.ok(i >= 0, `"${needle}" is not in the plan`);
  return i + 1;
}

describe('loadtests: k6 options compile into scenarios', () => {
  const K6 = `${REQUESTS}  measures: api.requests
  thresholds:
    http_req_duration: ["p(95)<300", "p(99)<500"]
    http_req_failed: ["rate<0.01"]
  scenarios:
    smoke: { executor: constant-vus, vus: 5, duration: 1m }
    load:
      executor: ramping-vus
      startVUs: 0
      stages: [{ duration: 5m, target: 100 }, { duration: 10m, target: 100 }, { duration: 5m, target: 0 }]
    per-minute: { executor: constant-arrival-rate, rate: 600, timeUnit: 1m, duration: 2m, preAllocatedVUs: 20 }
    as-quantity: { executor: constant-arrival-rate, rate: 100 req/s, timeUnit: 1m, duration: 30s, preAllocatedVUs: 5, maxVUs: 50 }
    ramp: { executor: ramping-arrival-rate, stages: [{ duration: 1m, target: 50 }], maxVUs: 10 }
    breakpoint:
      executor: ramping-arrival-rate
      startRate: 10
      stages: [{ duration: 4m, target: 1000 }, { duration: 6m, target: 2000 }]
      breakpoint: true
      step: 20s
      thresholds:
        "http_req_duration{name:list}": ["p(95)<200"]
    three-x: { executor: constant-arrival-rate, rate: 3 * api_request_rate, duration: 10m, preAllocatedVUs: 50, maxVUs: 500 }
`;
  const plan = compile(K6);

  it('keeps the scenarios in plan order with their k6 executors', () => {
    assert.deepEqual(
      plan.loadtests.map((l) => [l.name, l.executor]),
      [
        ['smoke', 'constant-vus'],
        ['load', 'ramping-vus'],
        ['per-minute', 'constant-arrival-rate'],
        ['as-quantity', 'constant-arrival-rate'],
        ['ramp', 'ramping-arrival-rate'],
        ['breakpoint', 'breakpoint'],
        ['three-x', 'constant-arrival-rate'],
      ],
    );
  });

  it('durations in ms, stages as written, and k6 defaults for what is left out', () => {
    assert.deepEqual(scenario(plan, 'smoke').settings, { vus: 5, durationMs: 60_000 });
    assert.deepEqual(scenario(plan, 'load').settings, {
      startVUs: 0,
      stages: [
        { durationMs: 300_000, target: 100 },
        { durationMs: 600_000, target: 100 },
        { durationMs: 300_000, target: 0 },
      ],
      gracefulRampDownMs: 30_000,
    });
    assert.deepEqual(scenario(plan, 'ramp').settings, {
      startRate: 0,
      timeUnitMs: 1000,
      stages: [{ durationMs: 60_000, target: 50 }],
      maxVUs: 10,
    });
  });

  it('maxVUs defaults to preAllocatedVUs; a rate quantity is converted to the time unit', () => {
    const perMinute = scenario(plan, 'per-minute');
    assert.deepEqual(perMinute.settings, {
      rate: 600,
      timeUnitMs: 60_000,
      durationMs: 120_000,
      maxVUs: 20,
    });
    assert.equal(perMinute.maxLoad, 10, '600 a minute is 10 a second');
    const quantity = scenario(plan, 'as-quantity');
    assert.equal(quantity.settings.rate, 6000, '100 req/s is 6000 per 1m time unit');
    assert.equal(quantity.maxLoad, 100);
  });

  it('a formula amount stays a formula, and its peak is known only when the run starts', () => {
    const threeX = scenario(plan, 'three-x');
    assert.deepEqual(threeX.settings.rate, { expr: '3 * api_request_rate' });
    assert.equal(threeX.maxLoad, Number.POSITIVE_INFINITY);
    assert.equal(threeX.maxDurationMs, 600_000);
  });

  it('bounds: longest run and highest load each scenario declares', () => {
    assert.deepEqual(
      ['smoke', 'load', 'breakpoint'].map((n) => [
        scenario(plan, n).maxDurationMs,
        scenario(plan, n).maxLoad,
      ]),
      [
        [60_000, 5],
        [1_230_000, 100],
        [600_000, 2000],
      ],
    );
  });

  it('section thresholds apply to every scenario; a scenario adds its own after them', () => {
    const show = (l: PlanLoadTest): string[] =>
      l.thresholds.map((t) => `${t.metric}${JSON.stringify(t.tags)} ${t.expr}`);
    assert.deepEqual(show(scenario(plan, 'smoke')), [
      'http_req_duration{} p(95)<300',
      'http_req_duration{} p(99)<500',
      'http_req_failed{} rate<0.01',
    ]);
    assert.deepEqual(show(scenario(plan, 'breakpoint')).slice(3), [
      'http_req_duration{"name":"list"} p(95)<200',
    ]);
  });

  it('section requests and measures apply to every HTTP scenario', () => {
    const smoke = scenario(plan, 'smoke');
    assert.deepEqual(smoke.measures, { component: 'api', resource: 'requests' });
    assert.deepEqual(
      smoke.requests.map((r) => [r.name, r.method, r.url, r.weight, r.body, r.timeoutMs]),
      [
        ['list', 'GET', 'http://127.0.0.1:3000/tickets', 3, undefined, 60_000],
        ['create', 'POST', 'http://127.0.0.1:3000/tickets', 1, '{}', 60_000],
      ],
    );
    const [list, create] = smoke.requests;
    assert.deepEqual([200, 399, 400, 500].map(list!.expectStatus), [true, true, false, false]);
    assert.deepEqual([201, 200, 301, 303].map(create!.expectStatus), [true, false, true, false]);
  });

  it('a queue scenario resolves its worker, and measures the pool throughput by default', () => {
    const queued = compile(`${REQUESTS}  measures: api.requests
  scenarios:
    mail: { executor: constant-arrival-rate, rate: 20, duration: 1m, queue: { ref: mailer, job: { name: send, data: { to: a } } } }
`);
    const mail = scenario(queued, 'mail');
    assert.deepEqual(mail.queue, {
      ref: 'mailer',
      source: 'q',
      kind: 'bullmq',
      name: 'emails',
      job: { name: 'send', data: { to: 'a' } },
      component: 'mailer',
    });
    assert.deepEqual(mail.requests, []);
    assert.deepEqual(mail.measures, { component: 'mailer', resource: 'throughput' });
  });

  it('a plan without loadtests has none', () => {
    assert.deepEqual(parsePlan(BASE, 'plan.yaml', { env: {} }).loadtests, []);
  });
});

interface BadCase {
  name: string;
  loadtests: string;
  code: string;
  path: string;
  /** Text on the line the error must point at. */
  at?: string;
  message?: RegExp;
  hint?: RegExp;
}

const scenarioWith = (fields: string, requests = REQUESTS): string =>
  `${requests}  scenarios:\n    s: { ${fields} }\n`;

const BAD: BadCase[] = [
  {
    name: 'an unknown executor suggests the closest one',
    loadtests: scenarioWith('executor: ramping-vu, stages: [{ duration: 1m, target: 5 }]'),
    code: 'PLAN_REFERENCE',
    path: 'loadtests.scenarios.s.executor',
    at: 'ramping-vu',
    hint: /did you mean "ramping-vus"/,
  },
  {
    name: 'a k6 executor headroom does not run says so',
    loadtests: scenarioWith('executor: shared-iterations'),
    code: 'PLAN_SCHEMA',
    path: 'loadtests.scenarios.s.executor',
    message: /does not run k6's shared-iterations executor/,
  },
  {
    name: 'a k6 field headroom does not run says so',
    loadtests: scenarioWith('executor: constant-vus, duration: 1m, startTime: 30s'),
    code: 'PLAN_SCHEMA',
    path: 'loadtests.scenarios.s.startTime',
    message: /headroom does not run k6's "startTime"/,
    hint: /one scenario at a time/,
  },
  {
    name: 'a field of another executor is refused, not ignored',
    loadtests: scenarioWith('executor: constant-vus, duration: 1m, rate: 5'),
    code: 'PLAN_SCHEMA',
    path: 'loadtests.scenarios.s.rate',
    message: /rate does not apply to constant-vus/,
    hint: /vus, duration/,
  },
  {
    name: 'a missing required field is named',
    loadtests: scenarioWith('executor: constant-arrival-rate, rate: 5'),
    code: 'PLAN_SCHEMA',
    path: 'loadtests.scenarios.s',
    message: /needs "duration"/,
  },
  {
    name: 'a scenario with neither requests nor queue',
    loadtests: scenarioWith('executor: constant-vus, duration: 1m', ''),
    code: 'PLAN_SCHEMA',
    path: 'loadtests.scenarios.s',
    message: /neither requests nor a queue/,
  },
  {
    name: 'a request URL that is not http(s)',
    loadtests: scenarioWith(
      'executor: constant-vus, duration: 1m',
      '  requests: [{ name: a, url: "ftp://127.0.0.1/x" }]\n',
    ),
    code: 'PLAN_SCHEMA',
    path: 'loadtests.requests[0].url',
    at: 'ftp://',
    message: /not an http\(s\) URL/,
  },
  {
    name: 'a weight of 0',
    loadtests: scenarioWith(
      'executor: constant-vus, duration: 1m',
      '  requests: [{ name: a, url: "http://127.0.0.1/", weight: 0 }]\n',
    ),
    code: 'PLAN_SCHEMA',
    path: 'loadtests.requests[0].weight',
    message: /weight 0 is not above 0/,
  },
  {
    name: 'two requests with one name',
    loadtests: scenarioWith(
      'executor: constant-vus, duration: 1m',
      '  requests: [{ name: a, url: "http://127.0.0.1/" }, { name: a, url: "http://127.0.0.1/b" }]\n',
    ),
    code: 'PLAN_DUPLICATE',
    path: 'loadtests.requests[1].name',
  },
  {
    name: 'a status that is not one',
    loadtests: scenarioWith(
      'executor: constant-vus, duration: 1m',
      '  requests: [{ name: a, url: "http://127.0.0.1/", expect_status: [2000] }]\n',
    ),
    code: 'PLAN_SCHEMA',
    path: 'loadtests.requests[0].expect_status[0]',
  },
  {
    name: 'a duration that is not one',
    loadtests: scenarioWith('executor: constant-vus, duration: soon'),
    code: 'PLAN_SCHEMA',
    path: 'loadtests.scenarios.s.duration',
    message: /"soon" is not a duration/,
  },
  {
    name: 'a bare number where a duration belongs (k6 reads milliseconds, plans seconds)',
    loadtests: scenarioWith('executor: constant-vus, duration: 60'),
    code: 'PLAN_SCHEMA',
    path: 'loadtests.scenarios.s.duration',
    hint: /"60s".*k6 reads a bare number as milliseconds/,
  },
  {
    name: 'an expression over an unknown name',
    loadtests: scenarioWith(
      'executor: constant-arrival-rate, rate: 3 * api_request_rat, duration: 1m',
    ),
    code: 'PLAN_REFERENCE',
    path: 'loadtests.scenarios.s.rate',
    hint: /did you mean "api_request_rate"/,
  },
  {
    name: 'VUs written as a rate',
    loadtests: scenarioWith('executor: constant-vus, vus: api_request_rate, duration: 1m'),
    code: 'PLAN_UNIT',
    path: 'loadtests.scenarios.s.vus',
    message: /a rate \(per second\), but a number of VUs belongs here/,
  },
  {
    name: 'a fraction of a VU',
    loadtests: scenarioWith('executor: constant-vus, vus: 2.5, duration: 1m'),
    code: 'PLAN_SCHEMA',
    path: 'loadtests.scenarios.s.vus',
  },
  {
    name: 'measures naming an unknown component',
    loadtests: `${REQUESTS}  measures: apii.requests\n  scenarios:\n    s: { executor: constant-vus, duration: 1m }\n`,
    code: 'PLAN_REFERENCE',
    path: 'loadtests.measures',
    hint: /did you mean "api"/,
  },
  {
    name: 'measures naming a resource the component has no capacity for',
    loadtests: scenarioWith('executor: constant-vus, duration: 1m, measures: api.request'),
    code: 'PLAN_REFERENCE',
    path: 'loadtests.scenarios.s.measures',
    hint: /did you mean "requests"/,
  },
  {
    name: 'breakpoint: true on a closed-loop executor',
    loadtests: scenarioWith('executor: constant-vus, duration: 1m, breakpoint: true'),
    code: 'PLAN_SCHEMA',
    path: 'loadtests.scenarios.s.breakpoint',
  },
  {
    name: 'a breakpoint whose stages never rise above its start',
    loadtests: scenarioWith(
      'executor: ramping-arrival-rate, breakpoint: true, startRate: 50, stages: [{ duration: 1m, target: 20 }]',
    ),
    code: 'PLAN_SCHEMA',
    path: 'loadtests.scenarios.s.stages',
  },
  {
    name: 'a breakpoint growth that does not grow',
    loadtests: scenarioWith(
      'executor: ramping-arrival-rate, breakpoint: true, startRate: 5, growth: 1, stages: [{ duration: 1m, target: 20 }]',
    ),
    code: 'PLAN_SCHEMA',
    path: 'loadtests.scenarios.s.growth',
  },
  {
    name: 'maxVUs below preAllocatedVUs',
    loadtests: scenarioWith(
      'executor: constant-arrival-rate, rate: 5, duration: 1m, preAllocatedVUs: 10, maxVUs: 5',
    ),
    code: 'PLAN_SCHEMA',
    path: 'loadtests.scenarios.s.maxVUs',
  },
  {
    name: 'a queue ref that is neither a worker nor a queue metric',
    loadtests: scenarioWith(
      'executor: constant-vus, duration: 1m, queue: { ref: mailerr, job: { name: x } }',
      '',
    ),
    code: 'PLAN_REFERENCE',
    path: 'loadtests.scenarios.s.queue.ref',
  },
  {
    name: 'an unknown field in a scenario suggests the k6 one',
    loadtests: scenarioWith('executor: constant-vus, duration: 1m, vu: 5'),
    code: 'PLAN_UNKNOWN_FIELD',
    path: 'loadtests.scenarios.s.vu',
    hint: /did you mean "vus"/,
  },
  {
    name: 'a threshold that is not k6 grammar points at its entry',
    loadtests: `${REQUESTS}  thresholds:\n    http_req_duration: ["p(95)<300", "p95 under 300"]\n  scenarios:\n    s: { executor: constant-vus, duration: 1m }\n`,
    code: 'PLAN_SCHEMA',
    path: 'loadtests.thresholds.http_req_duration[1]',
    at: 'p95 under 300',
  },
];

describe('loadtests: every mistake is located, with a hint', () => {
  for (const c of BAD) {
    it(c.name, () => {
      const errors = errorsOf(c.loadtests);
      const e = errors.find((x) => x.location.path === c.path);
      assert.ok(
        e,
        `no error at ${c.path}: ${errors.map((x) => `${x.location.path} ${x.code} ${x.message}`).join('; ')}`,
      );
      assert.equal(e.code, c.code, e.message);
      assert.equal(e.location.file, 'plan.yaml');
      assert.ok(e.location.line !== undefined && e.location.column !== undefined, 'located');
      if (c.at) assert.equal(e.location.line, lineOf(c.loadtests, c.at));
      if (c.message) assert.match(e.message, c.message);
      assert.ok(e.hint, 'every error says what to do');
      if (c.hint) assert.match(e.hint, c.hint);
    });
  }
});
