import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Transition } from '../rules/types.ts';
import { eventsFrom, type AlertEvent, type Notifier } from './notifier.ts';
import { Outbox } from './outbox.ts';
import { startRecorder, type Recorder } from './test-server.ts';
import { WebhookNotifier } from './webhook.ts';

const T0 = Date.UTC(2025, 0, 6, 9, 0, 0);
const tr = (p: Partial<Transition>): Transition => ({
  t: T0,
  trigger: 'cpu-high',
  severity: 'critical',
  labels: {},
  from: 'pending',
  to: 'firing',
  value: 1,
  ...p,
});

let rec: Recorder;
before(async () => (rec = await startRecorder()));
after(() => rec.close());

describe('Outbox', () => {
  it('sends firing and resolved events to accepting channels; never pending or suppressed', async () => {
    rec.requests.length = 0;
    const events = eventsFrom('shop', [
      tr({ from: 'inactive', to: 'pending', labels: { pod: 'p' } }),
      tr({ severity: 'warning', suppressed: true }),
      tr({}),
      tr({ severity: 'warning', labels: { pod: 'w' } }),
      tr({ t: T0 + 1, from: 'firing', to: 'inactive' }),
    ]);
    const all = new WebhookNotifier({ name: 'all', url: `${rec.base}/all` });
    const crit = new WebhookNotifier({
      name: 'crit',
      url: `${rec.base}/crit`,
      severities: ['critical'],
    });
    const outbox = new Outbox([all, crit], { now: () => 7 });
    outbox.push(events);
    await outbox.flush();
    assert.deepEqual(outbox.view(), [
      {
        channel: 'all',
        kind: 'webhook',
        state: 'ok',
        sent: 3,
        failed: 0,
        dropped: 0,
        queued: 0,
        lastSentAt: 7,
      },
      {
        channel: 'crit',
        kind: 'webhook',
        severities: ['critical'],
        state: 'ok',
        sent: 2,
        failed: 0,
        dropped: 0,
        queued: 0,
        lastSentAt: 7,
      },
    ]);
    const seen = (path: string) =>
      rec.requests
        .filter((r) => r.path === path)
        .map((r) => {
          const b = r.json as { severity: string; state: string; labels: Record<string, string> };
          return `${b.state} ${b.severity} ${JSON.stringify(b.labels)}`;
        });
    assert.deepEqual(seen('/all'), [
      'firing critical {}',
      'firing warning {"pod":"w"}',
      'resolved critical {}',
    ]);
    assert.deepEqual(seen('/crit'), ['firing critical {}', 'resolved critical {}']);
  });

  it('never throws: a 500, a timeout and a throwing channel are counted, and their events wait', async () => {
    const [event] = eventsFrom('shop', [tr({})]);
    const hang: Notifier = { kind: 'custom', name: 'hang', send: () => new Promise(() => {}) };
    const boom: Notifier = {
      kind: 'custom',
      name: 'boom',
      send: () => {
        throw new Error('sync boom');
      },
    };
    const outbox = new Outbox(
      [
        new WebhookNotifier({ name: 'fail', url: `${rec.base}/fail` }),
        new WebhookNotifier({ name: 'slow', url: `${rec.base}/slow`, timeoutMs: 100 }),
        hang,
        boom,
      ],
      { timeoutMs: 200, now: () => 42 },
    );
    outbox.push([event!, event!] as AlertEvent[]);
    await outbox.flush();
    const views = outbox.view();
    // The first event fails and blocks the second (order is kept): one failure, two queued.
    assert.deepEqual(
      views.map((v) => [v.channel, v.state, v.sent, v.failed, v.queued, v.lastErrorAt]),
      [
        ['fail', 'err', 0, 1, 2, 42],
        ['slow', 'err', 0, 1, 2, 42],
        ['hang', 'err', 0, 1, 2, 42],
        ['boom', 'err', 0, 1, 2, 42],
      ],
    );
    assert.match(views[0]!.lastError!, /answered HTTP 500: upstream exploded/);
    assert.match(views[1]!.lastError!, /did not answer within 0.1s/);
    assert.match(views[2]!.lastError!, /custom hang: no answer within 0.2s/);
    assert.equal(views[3]!.lastError, 'sync boom');
    assert.equal(outbox.queued, 8);
  });

  it('retries a channel that was down, in order, once it is back', async () => {
    let up = false;
    const got: string[] = [];
    const flaky: Notifier = {
      kind: 'custom',
      name: 'flaky',
      send: async (e) => {
        if (!up) throw new Error('connection refused');
        got.push(`${e.state} ${e.trigger}`);
      },
    };
    const outbox = new Outbox([flaky]);
    outbox.push(eventsFrom('shop', [tr({ trigger: 'a' })]));
    await outbox.flush();
    outbox.push(eventsFrom('shop', [tr({ trigger: 'a', from: 'firing', to: 'inactive' })]));
    await outbox.flush();
    assert.deepEqual(got, []);
    assert.equal(outbox.view()[0]!.failed, 2);
    up = true;
    await outbox.flush();
    assert.deepEqual(got, ['firing a', 'resolved a']);
    assert.deepEqual(
      [outbox.view()[0]!.state, outbox.view()[0]!.sent, outbox.view()[0]!.queued],
      ['ok', 2, 0],
    );
  });

  it('drops, and counts, events older than maxAgeMs and those beyond a full queue', async () => {
    let now = 0;
    const down: Notifier = {
      kind: 'custom',
      name: 'down',
      send: () => Promise.reject(new Error('down')),
    };
    const outbox = new Outbox([down], { maxQueue: 3, maxAgeMs: 60_000, now: () => now });
    outbox.push(
      eventsFrom(
        'shop',
        ['a', 'b', 'c', 'd', 'e'].map((trigger) => tr({ trigger })),
      ),
    );
    let [v] = outbox.view();
    assert.deepEqual([v!.dropped, v!.queued], [2, 3]);
    assert.match(v!.lastError!, /queue full \(3 events\): dropped the 2 oldest/);
    now = 61_000;
    await outbox.flush();
    [v] = outbox.view();
    assert.deepEqual([v!.dropped, v!.queued, v!.failed], [5, 0, 0]);
    assert.match(v!.lastError!, /gave up after 1 min of retries/);
  });

  it('runs one flush at a time; a flush asked for meanwhile runs right after', async () => {
    let inFlight = 0;
    let most = 0;
    const sent: string[] = [];
    const slow: Notifier = {
      kind: 'custom',
      name: 'slow',
      send: async (e) => {
        most = Math.max(most, ++inFlight);
        await new Promise((r) => setTimeout(r, 20));
        sent.push(e.trigger);
        inFlight--;
      },
    };
    const outbox = new Outbox([slow]);
    outbox.push(eventsFrom('shop', [tr({ trigger: 'a' })]));
    const first = outbox.flush();
    outbox.push(eventsFrom('shop', [tr({ trigger: 'b' })]));
    const second = outbox.flush();
    assert.equal(first, second);
    await second;
    assert.deepEqual(sent, ['a', 'b']);
    assert.equal(most, 1);
  });

  it('pushes to the channels `only` picks', async () => {
    const got: string[] = [];
    const mk = (name: string, refresh: boolean): Notifier => ({
      kind: 'custom',
      name,
      refresh,
      send: async (e) => void got.push(`${name} ${e.trigger}`),
    });
    const outbox = new Outbox([mk('am', true), mk('slack', false)]);
    outbox.push(
      eventsFrom('shop', [tr({ trigger: 'x' })]),
      (n, queued) => n.refresh === true && queued === 0,
    );
    await outbox.flush();
    assert.deepEqual(got, ['am x']);
  });
});
