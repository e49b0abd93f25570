// `headroom loadtest --plan` as a user runs it: a plan whose API capacity is the roadmap's guess
// (3.5 req/s per replica), a local service that really takes about 200 req/s, a breakpoint run
// with --write that records the measurement in the plan (comments kept), then whatif and report
// reading measured beside formula, and a checklist item ticked by the scenario's passing run.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../helpers/cli.ts';

const PLAN = `# The shop's roadmap, as written by hand.
version: 1
name: shopfront
params:
  container_vcpu: 1 vCPU
  efficiency: 70% # "efficiency factor 0.7"
  avg_response_time: 200 ms
sources:
  me: { kind: host }
metrics:
  cpu: { from: me, field: cpu_utilization }
drivers:
  users: { value: 100 }
components:
  api:
    kind: service
    # req/s = vCPU × efficiency / response time: 3.5 per replica
    per_replica: { requests: container_vcpu * efficiency / avg_response_time }
    model: { requests: users * 1 req/min }
    replicas: { current: 2, max: 40 }
loadtests:
  requests:
    - { name: home, url: "\${SHOP_URL}/" }
  measures: api.requests
  thresholds:
    http_req_duration: ["p(95)<100"]
  scenarios:
    smoke: { executor: constant-vus, vus: 2, duration: 2s }
    breakpoint:
      executor: ramping-arrival-rate
      startRate: 20
      stages: [{ duration: 90s, target: 2000 }]
      maxVUs: 500
      breakpoint: true
      step: 2s
checklist:
  - name: Before launch
    items:
      - { item: Smoke test the shop, loadtest: smoke }
`;

let server: Server;
let dir: string;
let env: Record<string, string>;

/** A service that serves two requests at a time, 10 ms each: about 200 req/s. */
function startShop(): Promise<Server> {
  let busy = 0;
  const waiting: (() => void)[] = [];
  const s = createServer((_req, res) => {
    const serve = () => {
      busy++;
      setTimeout(() => {
        res.end('ok');
        busy--;
        waiting.shift()?.();
      }, 10);
    };
    if (busy < 2) serve();
    else waiting.push(serve);
  });
  return new Promise((resolve) => s.listen(0, '127.0.0.1', () => resolve(s)));
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'headroom-loadtest-plan-'));
  writeFileSync(join(dir, 'plan.yaml'), PLAN);
  server = await startShop();
  env = { SHOP_URL: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
});

after(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  rmSync(dir, { recursive: true, force: true });
});

const cli = (args: string[]) => runCli(args, { env, cwd: dir, timeoutMs: 180_000 });

describe('loadtest --plan', { timeout: 300_000 }, () => {
  it('ticks the checklist item once its scenario has passed', async () => {
    const before = await cli(['report', '--plan', 'plan.yaml']);
    assert.match(before.stdout, /Smoke test the shop[^\n]*never run/);
    const run = await cli(['loadtest', '--plan', 'plan.yaml', '--scenario', 'smoke', '--json']);
    assert.equal(run.code, 0, run.stderr);
    const report = JSON.parse(run.stdout) as { ok: boolean; scenario: string; requests: number };
    assert.equal(report.scenario, 'smoke');
    assert.ok(report.requests > 50);
    const after = await cli(['report', '--plan', 'plan.yaml']);
    assert.match(after.stdout, /\[x\] Smoke test the shop[^\n]*passed/);
  });

  it('--write records the measured capacity in the plan, and whatif uses it', async () => {
    const run = await cli([
      'loadtest',
      '--plan',
      'plan.yaml',
      '--scenario',
      'breakpoint',
      '--write',
      '--json',
    ]);
    assert.ok([0, 99].includes(run.code), run.stderr);
    const report = JSON.parse(run.stdout) as { breakpoint: { rate: number } };
    // Two at a time, 10 ms each: the p95 budget of 100 ms holds until close to 200 req/s.
    assert.ok(report.breakpoint.rate > 120 && report.breakpoint.rate < 230, run.stdout);
    const text = readFileSync(join(dir, 'plan.yaml'), 'utf8');
    assert.match(text, /# The shop's roadmap, as written by hand\./);
    assert.match(text, /# req\/s = vCPU × efficiency \/ response time: 3\.5 per replica/);
    assert.match(text, /measured:\s*\n\s+requests:/);
    const whatif = await cli(['whatif', '--plan', 'plan.yaml', '--set', 'users=6000', '--json']);
    assert.equal(whatif.code, 0, whatif.stderr);
    const answer = JSON.parse(whatif.stdout) as {
      resources: {
        resource: string;
        capacity: number;
        formula_capacity: number;
        measured: { value: number } | null;
      }[];
    };
    const api = answer.resources.find((r) => r.resource === 'requests')!;
    assert.ok(
      Math.abs(api.formula_capacity - 7) < 1e-9,
      `formula 2 × 3.5/s: ${api.formula_capacity}`,
    );
    assert.ok(Math.abs(api.capacity - report.breakpoint.rate) / report.breakpoint.rate < 0.02);
    assert.ok(api.measured !== null);
  });
});
