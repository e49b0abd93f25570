import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startRecorder, type Recorder } from '../notify/test-server.ts';
import { parsePlan } from '../plan/load.ts';
import type { Transition, TriggerStatus } from '../rules/types.ts';
import { openSqliteStore } from '../store/sqlite.ts';
import { NotifyStage } from './notify-stage.ts';

const T0 = Date.UTC(2025, 0, 6, 9, 0, 0);
const fired: Transition = {
  t: T0,
  trigger: 'backlog',
  severity: 'critical',
  labels: { queue: 'sms' },
  from: 'pending',
  to: 'firing',
  value: 900,
};
const firingStatus: TriggerStatus[] = [
  {
    trigger: 'backlog',
    status: 'critical',
    severity: 'critical',
    value: 900,
    since: T0,
    health: 'ok',
    instances: [
      {
        labels: { queue: 'sms' },
        severity: 'critical',
        state: 'firing',
        value: 900,
        activeAt: T0 - 60_000,
        firedAt: T0,
      },
    ],
  },
];
const ACTIONS = [
  { name: 'backlog', levels: [{ severity: 'critical' as const, action: 'add workers' }] },
];

let rec: Recorder;
before(async () => (rec = await startRecorder()));
after(() => rec.close());

const planWith = (notify: string) =>
  parsePlan(`version: 1\nname: shop\nnotify:\n${notify}`, 'shop.yaml', { env: {} });

describe('NotifyStage', () => {
  it('is off without a notify section', () => {
    const stage = new NotifyStage(
      parsePlan('version: 1\nname: shop\n', 'shop.yaml', { env: {} }),
      [],
      {
        now: () => T0,
      },
    );
    assert.equal(stage.configured, false);
    assert.deepEqual(stage.health(), { state: 'off' });
  });

  it('sends the transitions that fire, with the level action and since from the history', async () => {
    rec.requests.length = 0;
    const lines: string[] = [];
    const stage = new NotifyStage(
      planWith(`  - { kind: webhook, url: "${rec.base}/hook" }\n  - { kind: log }\n`),
      ACTIONS,
      { now: () => T0, stream: { write: (s: string) => lines.push(s) } },
    );
    await stage.run(T0, [fired], firingStatus, [
      { ...fired, t: T0 - 60_000, from: 'inactive', to: 'pending' },
    ]);
    await stage.settled();
    const body = rec.requests[0]!.json as { state: string; action: string; since: string };
    assert.deepEqual(
      [body.state, body.action, body.since],
      ['firing', 'add workers', new Date(T0 - 60_000).toISOString()],
    );
    assert.equal(lines.length, 1);
    assert.deepEqual(
      stage.view().channels.map((c) => [c.channel, c.sent]),
      [
        ['webhook', 1],
        ['log', 1],
      ],
    );
    assert.deepEqual(stage.health(), { state: 'ok' });
  });

  it('re-sends active alerts to Alertmanager every refreshMs, and to no other channel', async () => {
    rec.requests.length = 0;
    let now = T0;
    const stage = new NotifyStage(
      planWith(
        `  - { kind: alertmanager, url: "${rec.base}/am" }\n  - { kind: webhook, url: "${rec.base}/hook" }\n`,
      ),
      ACTIONS,
      { now: () => now, refreshMs: 60_000 },
    );
    const paths = () => rec.requests.map((r) => r.path);
    await stage.run(now, [fired], firingStatus, []);
    await stage.settled();
    // The firing event, then the first refresh (queued behind it, skipped: the queue was not empty).
    assert.deepEqual(paths(), ['/am/api/v2/alerts', '/hook']);
    now += 30_000;
    await stage.run(now, [], firingStatus, []);
    await stage.settled();
    assert.equal(rec.requests.length, 2);
    now += 30_000;
    await stage.run(now, [], firingStatus, []);
    await stage.settled();
    assert.deepEqual(paths(), ['/am/api/v2/alerts', '/hook', '/am/api/v2/alerts']);
    const [alert] = rec.requests[2]!.json as { labels: Record<string, string>; startsAt: string }[];
    assert.equal(alert!.labels.alertname, 'backlog');
    assert.equal(alert!.startsAt, new Date(T0 - 60_000).toISOString());
  });

  it('is err while a channel is down, with what waits; lists entries that gave no channel', async () => {
    const stage = new NotifyStage(
      planWith(
        `  - { kind: webhook, name: hook, url: "${rec.base}/fail" }\n  - { kind: slack, url: "\${SLACK_WEBHOOK_URL:-}" }\n`,
      ),
      ACTIONS,
      { now: () => T0 },
    );
    await stage.run(T0, [fired], firingStatus, []);
    await stage.settled();
    const health = stage.health();
    assert.equal(health.state, 'err');
    assert.match(
      health.lastError!,
      /webhook hook: .* answered HTTP 500: upstream exploded \(1 waiting\)/,
    );
    assert.deepEqual(
      stage.view().problems.map((p) => [p.channel, p.kind]),
      [['slack', 'disabled']],
    );
  });

  it('keeps what waits in the store: a restart delivers it, in order', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'headroom-notify-'));
    const store = await openSqliteStore({ path: join(dir, 'h.db') });
    try {
      rec.requests.length = 0;
      const down = new NotifyStage(
        planWith(`  - { kind: webhook, name: hook, url: "${rec.base}/fail" }\n`),
        ACTIONS,
        { now: () => T0, store },
      );
      await down.run(T0, [fired], firingStatus, []);
      await down.run(
        T0 + 1000,
        [{ ...fired, t: T0 + 1000, from: 'firing', to: 'inactive' }],
        [],
        [],
      );
      await down.settled();
      assert.equal(down.view().channels[0]!.queued, 2);

      // The next serve: same channel name, now reachable.
      const back = new NotifyStage(
        planWith(`  - { kind: webhook, name: hook, url: "${rec.base}/hook" }\n`),
        ACTIONS,
        { now: () => T0 + 60_000, store },
      );
      await back.run(T0 + 60_000, [], [], []);
      await back.settled();
      assert.equal(back.restored, 2);
      const delivered = rec.requests
        .filter((r) => r.path === '/hook')
        .map((r) => (r.json as { state: string }).state);
      assert.deepEqual(delivered, ['firing', 'resolved']);
      assert.deepEqual(await store.loadState('notify:shop'), {});
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
