import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AlertEvent } from './notifier.ts';
import { dedupKey, PAGERDUTY_EVENTS_URL, PagerDutyNotifier } from './pagerduty.ts';
import { startRecorder, type Recorder } from './test-server.ts';

const AT = Date.UTC(2025, 0, 6, 9, 0, 0);
const EVENT: AlertEvent = {
  plan: 'shop',
  trigger: 'cpu-high',
  severity: 'critical',
  state: 'firing',
  labels: { pod: 'a', zone: 'eu' },
  value: 0.93,
  action: 'scale out',
  at: AT,
  since: AT - 60_000,
};

interface PdBody {
  routing_key: string;
  event_action: string;
  dedup_key: string;
  payload: {
    summary: string;
    source: string;
    severity: string;
    timestamp: string;
    custom_details: Record<string, unknown>;
  };
}

let rec: Recorder;
before(async () => (rec = await startRecorder(202)));
after(() => rec.close());

describe('pagerduty notifier', () => {
  it('defaults to the Events API v2 URL', () => {
    assert.equal(PAGERDUTY_EVENTS_URL, 'https://events.pagerduty.com/v2/enqueue');
  });

  it('triggers, then resolves with the same dedup_key', async () => {
    rec.requests.length = 0;
    const pd = new PagerDutyNotifier({ routingKey: 'R0UT1NG', url: `${rec.base}/v2/enqueue` });
    await pd.send(EVENT);
    await pd.send({ ...EVENT, state: 'resolved', at: AT + 600_000 });
    const [trigger, resolve] = rec.requests;
    assert.equal(trigger!.method, 'POST');
    assert.equal(trigger!.path, '/v2/enqueue');
    assert.equal(trigger!.headers['content-type'], 'application/json');
    const t = trigger!.json as PdBody;
    const r = resolve!.json as PdBody;
    assert.equal(t.routing_key, 'R0UT1NG');
    assert.equal(t.event_action, 'trigger');
    assert.equal(r.event_action, 'resolve');
    assert.equal(t.dedup_key, 'shop/cpu-high/critical/pod="a",zone="eu"');
    assert.equal(r.dedup_key, t.dedup_key);
    assert.equal(t.payload.severity, 'critical');
    assert.equal(t.payload.source, 'headroom/shop');
    assert.equal(t.payload.timestamp, '2025-01-06T09:00:00.000Z');
    assert.match(t.payload.summary, /^\[FIRING\] critical cpu-high/);
    assert.deepEqual(t.payload.custom_details, {
      plan: 'shop',
      trigger: 'cpu-high',
      severity: 'critical',
      labels: { pod: 'a', zone: 'eu' },
      value: '0.93',
      action: 'scale out',
      since: '2025-01-06T08:59:00.000Z',
    });
  });

  it('keeps dedup_key within 255 characters and distinct', () => {
    const long = { ...EVENT, labels: { path: 'x'.repeat(400) } };
    const other = { ...EVENT, labels: { path: `${'x'.repeat(399)}y` } };
    assert.ok(dedupKey(long).length <= 255);
    assert.notEqual(dedupKey(long), dedupKey(other));
  });

  it('reports a 500 without the routing key, and a timeout', async () => {
    const pd = new PagerDutyNotifier({
      name: 'p0',
      routingKey: 'R0UT1NG',
      url: `${rec.base}/fail`,
    });
    await assert.rejects(pd.send(EVENT), (err: Error) => {
      assert.match(err.message, /^pagerduty p0: .* answered HTTP 500/);
      assert.doesNotMatch(err.message, /R0UT1NG/);
      return true;
    });
    const slow = new PagerDutyNotifier({
      routingKey: 'k',
      url: `${rec.base}/slow`,
      timeoutMs: 100,
    });
    await assert.rejects(slow.send(EVENT), /did not answer within 0.1s/);
  });
});
