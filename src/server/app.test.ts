import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Fastify from 'fastify';
import { NOW, shopPlan } from '../../test/helpers/capacity-plan.ts';
import { buildCapacityModel } from '../capacity/index.ts';
import { parsePlan } from '../plan/load.ts';
import { roadmapData } from '../report/roadmap-data.ts';
import { ServeLoop } from '../runtime/serve-loop.ts';
import { openSqliteStore, type SqliteStore } from '../store/sqlite.ts';
import { buildApp } from './app.ts';
import { assertSafeListen, isLoopback, tokenMatches } from './auth.ts';
import { isDashboardPath, NOT_BUILT, registerDashboard } from './dashboard.ts';
import { initialState, type ServeState } from './state.ts';
import { UpdateHub } from './events.ts';

function shopState(): ServeState {
  const plan = shopPlan();
  const model = buildCapacityModel({ plan, now: NOW, current: {}, history: [] });
  const roadmap = roadmapData(model, [], {
    producedAt: NOW,
    horizonMs: 3 * 365 * 86_400_000,
    source: { kind: 'live', frames: 0, sourceErrors: [] },
  });
  return {
    ...initialState('shop', 'shop.yaml', NOW - 60_000),
    at: NOW,
    statuses: [
      {
        trigger: 'storage',
        status: 'warning',
        severity: 'warning',
        value: 0.75,
        since: NOW - 600_000,
        health: 'ok',
        instances: [],
      },
      { trigger: 'db-conns', status: 'ok', since: NOW - 600_000, health: 'ok', instances: [] },
    ],
    transitions: [
      {
        t: NOW - 600_000,
        trigger: 'storage',
        severity: 'warning',
        labels: {},
        from: 'inactive',
        to: 'pending',
        value: 0.72,
      },
      {
        t: NOW - 300_000,
        trigger: 'storage',
        severity: 'warning',
        labels: {},
        from: 'pending',
        to: 'firing',
        value: 0.75,
      },
    ],
    sources: { prom: { kind: 'prometheus', state: 'ok' } },
    roadmap,
  };
}

describe('serve API', () => {
  const state = shopState();

  it('GET /api/status: overall status, stages, sources and trigger counts', async () => {
    const app = await buildApp({ state: () => state });
    const r = await app.inject({ method: 'GET', url: '/api/status' });
    assert.equal(r.statusCode, 200);
    const doc = r.json() as {
      plan: string;
      status: string;
      triggers: Record<string, number>;
      sources: Record<string, unknown>;
    };
    assert.equal(doc.plan, 'shop');
    assert.equal(doc.status, 'warning');
    assert.deepEqual(doc.triggers, { ok: 1, pending: 0, warning: 1, critical: 0, unknown: 0 });
    assert.ok(doc.sources.prom);
  });

  const routes = [
    { url: '/api/triggers', check: (d: unknown) => assert.equal((d as unknown[]).length, 2) },
    {
      url: '/api/alerts?limit=1',
      check: (d: unknown) => assert.equal((d as { to: string }[])[0]!.to, 'firing'),
    },
    { url: '/api/components', check: (d: unknown) => assert.equal((d as unknown[]).length, 4) },
    {
      url: '/api/forecast',
      check: (d: unknown) =>
        assert.equal(
          (d as { breaking_points: { component: string }[] }).breaking_points[0]!.component,
          'store',
        ),
    },
    {
      url: '/api/tiers',
      check: (d: unknown) =>
        assert.equal((d as { next_step: { tier: string } }).next_step.tier, 'Large'),
    },
    {
      url: '/api/costs',
      check: (d: unknown) => assert.equal((d as { totalMonthlyUsd: number }).totalMonthlyUsd, 100),
    },
    { url: '/api/checklist', check: (d: unknown) => assert.deepEqual(d, []) },
    {
      url: '/api/openapi.json',
      check: (d: unknown) =>
        assert.ok((d as { paths: Record<string, unknown> }).paths['/api/status']),
    },
  ];
  for (const route of routes) {
    it(`GET ${route.url}`, async () => {
      const app = await buildApp({ state: () => state });
      const r = await app.inject({ method: 'GET', url: route.url });
      assert.equal(r.statusCode, 200, r.body);
      route.check(r.json());
    });
  }

  it('GET /metrics: Prometheus exposition with trigger states, utilization and days to each threshold', async () => {
    const app = await buildApp({ state: () => state });
    const r = await app.inject({ method: 'GET', url: '/metrics' });
    assert.equal(r.statusCode, 200);
    assert.match(String(r.headers['content-type']), /text\/plain/);
    assert.match(r.body, /headroom_trigger_status\{plan="shop",trigger="storage"\} 1/);
    assert.match(
      r.body,
      /headroom_resource_utilization\{plan="shop",component="store",resource="storage"\} 0\.5/,
    );
    assert.match(
      r.body,
      /headroom_days_to_threshold\{plan="shop",component="store",resource="storage",severity="warning"\} 280/,
    );
  });

  it('GET /api/notify: each channel with its counts and errors, the entries that gave none; in /metrics too', async () => {
    const app = await buildApp({ state: () => state });
    const none = await app.inject({ method: 'GET', url: '/api/notify' });
    assert.equal(none.statusCode, 404);
    assert.equal((none.json() as { error: { code: string } }).error.code, 'NOT_CONFIGURED');
    const withNotify: ServeState = {
      ...state,
      notify: {
        channels: [
          {
            channel: 'hook',
            kind: 'webhook',
            severities: ['critical'],
            state: 'err',
            sent: 3,
            failed: 2,
            dropped: 0,
            queued: 1,
            lastSentAt: NOW,
            lastError: 'webhook hook: http://127.0.0.1:9/x answered HTTP 503',
            lastErrorAt: NOW + 60_000,
          },
        ],
        problems: [{ channel: 'slack', kind: 'disabled', message: 'notify[1].url: is empty' }],
      },
    };
    const live = await buildApp({ state: () => withNotify });
    const r = await live.inject({ method: 'GET', url: '/api/notify' });
    assert.equal(r.statusCode, 200, r.body);
    assert.deepEqual(r.json(), {
      channels: [
        {
          channel: 'hook',
          kind: 'webhook',
          severities: ['critical'],
          state: 'err',
          sent: 3,
          failed: 2,
          dropped: 0,
          queued: 1,
          last_sent_at: new Date(NOW).toISOString(),
          last_error: 'webhook hook: http://127.0.0.1:9/x answered HTTP 503',
          last_error_at: new Date(NOW + 60_000).toISOString(),
        },
      ],
      problems: [{ channel: 'slack', kind: 'disabled', message: 'notify[1].url: is empty' }],
    });
    const m = await live.inject({ method: 'GET', url: '/metrics' });
    assert.match(
      m.body,
      /headroom_notifications_total\{plan="shop",channel="hook",kind="webhook",outcome="failed"\} 2/,
    );
    assert.match(
      m.body,
      /headroom_notifications_queued\{plan="shop",channel="hook",kind="webhook"\} 1/,
    );
  });

  const bad = [
    { name: 'an unknown route', url: '/api/nothing', status: 404, code: 'NOT_FOUND' },
    {
      name: 'a limit that is no number',
      url: '/api/alerts?limit=ten',
      status: 400,
      code: 'BAD_REQUEST',
    },
    {
      name: 'a limit out of range',
      url: '/api/alerts?limit=100000',
      status: 400,
      code: 'BAD_REQUEST',
    },
    {
      name: 'an unknown query field',
      url: '/api/alerts?since=yesterday',
      status: 400,
      code: 'BAD_REQUEST',
    },
  ];
  for (const c of bad) {
    it(`answers ${c.name} with ${c.status} and a message, never a 500`, async () => {
      const app = await buildApp({ state: () => state });
      const r = await app.inject({ method: 'GET', url: c.url });
      assert.equal(r.statusCode, c.status);
      const doc = r.json() as { error: { code: string; message: string } };
      assert.equal(doc.error.code, c.code);
      assert.ok(doc.error.message.length > 5);
    });
  }

  it('refuses a huge body with 413, not 500', async () => {
    const app = await buildApp({ state: () => state });
    const r = await app.inject({
      method: 'POST',
      url: '/api/status',
      payload: 'x'.repeat(200_000),
      headers: { 'content-type': 'application/json' },
    });
    assert.ok(r.statusCode === 413 || r.statusCode === 404, String(r.statusCode));
  });

  it('says the forecast is not ready yet with 503', async () => {
    const app = await buildApp({ state: () => ({ ...state, roadmap: undefined }) });
    const r = await app.inject({ method: 'GET', url: '/api/forecast' });
    assert.equal(r.statusCode, 503);
    assert.equal((r.json() as { error: { code: string } }).error.code, 'NOT_READY');
  });
});

describe('serve access', () => {
  it('needs the token on every route when one is set', async () => {
    const app = await buildApp({ state: () => shopState(), token: 's3cret-token' });
    assert.equal((await app.inject({ method: 'GET', url: '/api/status' })).statusCode, 401);
    assert.equal(
      (
        await app.inject({
          method: 'GET',
          url: '/metrics',
          headers: { authorization: 'Bearer wrong' },
        })
      ).statusCode,
      401,
    );
    const ok = await app.inject({
      method: 'GET',
      url: '/api/status',
      headers: { authorization: 'Bearer s3cret-token' },
    });
    assert.equal(ok.statusCode, 200);
  });

  it('knows loopback, and refuses to listen beyond it without a token', () => {
    assert.ok(isLoopback('127.0.0.1') && isLoopback('localhost') && isLoopback('::1'));
    assert.ok(!isLoopback('0.0.0.0') && !isLoopback('10.0.0.5'));
    assert.throws(() => assertSafeListen('0.0.0.0', undefined), /without an access token/);
    assert.doesNotThrow(() => assertSafeListen('0.0.0.0', 'token'));
    assert.ok(tokenMatches('Bearer abc', 'abc'));
    assert.ok(
      !tokenMatches('Bearer abcd', 'abc') &&
        !tokenMatches(undefined, 'abc') &&
        !tokenMatches('abc', 'abc'),
    );
  });
});

describe('serve loop', () => {
  let dir: string;
  let store: SqliteStore;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'headroom-serve-'));
    store = await openSqliteStore({ path: join(dir, 'h.db') });
  });
  after(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs collect → store → evaluate → forecast (in a worker thread) on this machine and records every stage', async () => {
    const plan = parsePlan(
      `version: 1\nname: me\ninterval: 1s\nsources:\n  me: { kind: host }\nmetrics:\n  mem: { from: me, field: memory_utilization }\ncomponents:\n  box:\n    capacity: { memory: 100% }\n    usage: { memory: mem }\ntriggers:\n  - { name: mem, expr: box.memory.utilization, warning: { when: "> 99.9%" } }\n`,
      'me.yaml',
      { env: {} },
    );
    const loop = new ServeLoop({ plan, store, now: Date.now });
    await loop.step();
    await loop.settled();
    await loop.stop();
    const s = loop.state;
    assert.deepEqual(s.stages, {
      ...s.stages,
      collect: { ...s.stages.collect, state: 'ok' },
      store: { ...s.stages.store, state: 'ok' },
      evaluate: { ...s.stages.evaluate, state: 'ok' },
      autoscale: { state: 'off' },
      forecast: { ...s.stages.forecast, state: 'ok' },
    });
    assert.equal(s.statuses.find((t) => t.trigger === 'mem')?.status, 'ok');
    assert.ok(s.roadmap && s.roadmap.resources[0]!.utilization! > 0);
    assert.equal(s.sources.me?.state, 'ok');
  });
});

describe('serve live events', () => {
  it('streams the status, then each alert change as the loop steps', async () => {
    let state = shopState();
    const hub = new UpdateHub();
    const app = await buildApp({ state: () => state, updates: hub });
    const url = await app.listen({ host: '127.0.0.1', port: 0 });
    const abort = new AbortController();
    try {
      const res = await fetch(`${url}/api/events`, { signal: abort.signal });
      assert.match(String(res.headers.get('content-type')), /text\/event-stream/);
      const reader = res.body!.getReader();
      let text = '';
      const readUntil = async (pattern: RegExp): Promise<void> => {
        while (!pattern.test(text)) {
          const { value, done } = await reader.read();
          if (done) throw new Error(`stream ended: ${text}`);
          text += new TextDecoder().decode(value);
        }
      };
      await readUntil(/event: status\ndata: \{"plan":"shop"/);
      state = {
        ...state,
        transitions: [
          ...state.transitions,
          {
            t: NOW + 60_000,
            trigger: 'storage',
            severity: 'critical',
            labels: {},
            from: 'inactive',
            to: 'firing',
            value: 0.9,
          },
        ],
      };
      hub.notify();
      await readUntil(
        /event: alert\ndata: \{"t":"[^"]+","trigger":"storage","severity":"critical"/,
      );
      // Only the new change: the two older transitions are not replayed.
      assert.equal(text.match(/event: alert/g)?.length, 1);
    } finally {
      abort.abort();
      await app.close();
    }
  });
});

describe('serve dashboard', () => {
  let web: string;
  before(() => {
    web = mkdtempSync(join(tmpdir(), 'headroom-web-'));
    mkdirSync(join(web, 'assets'));
    writeFileSync(join(web, 'index.html'), '<!doctype html><title>headroom</title>');
    writeFileSync(join(web, 'assets', 'index-abc123.js'), 'console.log(1);');
  });
  after(() => rmSync(web, { recursive: true, force: true }));

  it('serves the built page at / and its assets, the page re-read after a rebuild, the assets cached', async () => {
    const app = Fastify();
    await registerDashboard(app, { root: web });
    const page = await app.inject({ method: 'GET', url: '/?token=abc' });
    assert.equal(page.statusCode, 200);
    assert.match(page.headers['content-type'] as string, /^text\/html/);
    assert.equal(page.headers['cache-control'], 'no-cache');
    assert.match(page.body, /<title>headroom<\/title>/);
    const asset = await app.inject({ method: 'GET', url: '/assets/index-abc123.js' });
    assert.equal(asset.statusCode, 200);
    assert.match(asset.headers['content-type'] as string, /javascript/);
    assert.equal(asset.headers['cache-control'], 'public, max-age=31536000, immutable');
    assert.equal((await app.inject({ method: 'GET', url: '/assets/gone.js' })).statusCode, 404);
  });

  it('answers / with 503 and what to run while web/dist is missing', async () => {
    const app = Fastify();
    await registerDashboard(app, { root: join(web, 'not-built') });
    const r = await app.inject({ method: 'GET', url: '/' });
    assert.equal(r.statusCode, 503);
    assert.match(r.headers['content-type'] as string, /^text\/plain/);
    assert.equal(r.body, NOT_BUILT);
    assert.match(r.body, /run `npm run build:web`/);
  });

  it('keeps /api/* and /metrics as they are beside it', async () => {
    const app = await buildApp({ state: () => shopState() });
    const missing = await app.inject({ method: 'GET', url: '/api/nope' });
    assert.equal(missing.statusCode, 404);
    assert.equal((missing.json() as { error: { code: string } }).error.code, 'NOT_FOUND');
    assert.equal((await app.inject({ method: 'GET', url: '/api/status' })).statusCode, 200);
    assert.match((await app.inject({ method: 'GET', url: '/metrics' })).body, /headroom_/);
    const page = await app.inject({ method: 'GET', url: '/' });
    assert.ok([200, 503].includes(page.statusCode), `/ answered ${page.statusCode}`);
  });

  it('with a token, serves the page without one (it holds no data) and still guards every API route', async () => {
    const app = await buildApp({ state: () => shopState(), token: 's3cret-token' });
    const page = await app.inject({ method: 'GET', url: '/?token=s3cret-token' });
    assert.ok([200, 503].includes(page.statusCode), `/ answered ${page.statusCode}`);
    for (const url of ['/api/status', '/api/events', '/metrics', '/assets/../api/status', '/nope'])
      assert.equal((await app.inject({ method: 'GET', url })).statusCode, 401, url);
    assert.ok(isDashboardPath('/') && isDashboardPath('/index.html'));
    assert.ok(isDashboardPath('/assets/index-abc123.js') && isDashboardPath('/?token=x'));
    assert.ok(!isDashboardPath('/api/status') && !isDashboardPath('/metrics'));
    assert.ok(!isDashboardPath('/assets/../api/status') && !isDashboardPath('/assets/%2e%2e/x'));
  });
});
