import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AlertEvent } from './notifier.ts';
import { startRecorder, type Recorder } from './test-server.ts';
import { WebhookNotifier } from './webhook.ts';

const AT = Date.UTC(2025, 0, 6, 9, 0, 0);
const EVENT: AlertEvent = {
  plan: 'shop',
  trigger: 'cpu-high',
  severity: 'critical',
  state: 'firing',
  labels: { pod: 'a' },
  value: 0.93,
  action: 'scale out',
  at: AT,
  since: AT - 60_000,
};

let rec: Recorder;
before(async () => (rec = await startRecorder(204)));
after(() => rec.close());

describe('webhook notifier', () => {
  it('POSTs the event as JSON with the bearer token', async () => {
    rec.requests.length = 0;
    await new WebhookNotifier({ url: `${rec.base}/hook?x=1`, token: 's3cret' }).send(EVENT);
    const [r] = rec.requests;
    assert.equal(r!.method, 'POST');
    assert.equal(r!.path, '/hook?x=1');
    assert.equal(r!.headers['content-type'], 'application/json');
    assert.equal(r!.headers.authorization, 'Bearer s3cret');
    assert.deepEqual(r!.json, {
      version: 1,
      plan: 'shop',
      trigger: 'cpu-high',
      severity: 'critical',
      state: 'firing',
      labels: { pod: 'a' },
      value: 0.93,
      action: 'scale out',
      at: '2025-01-06T09:00:00.000Z',
      since: '2025-01-06T08:59:00.000Z',
      summary: '[FIRING] critical cpu-high {pod="a"} = 0.93 (plan shop): scale out',
    });
  });

  it('sends no authorization without a token, and null for an infinite value', async () => {
    rec.requests.length = 0;
    await new WebhookNotifier({ url: `${rec.base}/hook` }).send({
      ...EVENT,
      value: Infinity,
      state: 'resolved',
    });
    const [r] = rec.requests;
    assert.equal(r!.headers.authorization, undefined);
    assert.equal((r!.json as { value: unknown }).value, null);
    assert.equal((r!.json as { state: unknown }).state, 'resolved');
  });

  it('reports a 500 with the status and body, without the token', async () => {
    const hook = new WebhookNotifier({ name: 'ops', url: `${rec.base}/fail`, token: 's3cret' });
    await assert.rejects(hook.send(EVENT), (err: Error & { status?: number }) => {
      assert.match(err.message, /webhook ops: .*\/fail answered HTTP 500: upstream exploded/);
      assert.equal(err.status, 500);
      assert.doesNotMatch(err.message, /s3cret/);
      return true;
    });
  });

  it('reports a timeout', async () => {
    const hook = new WebhookNotifier({ url: `${rec.base}/slow`, timeoutMs: 100 });
    await assert.rejects(hook.send(EVENT), /did not answer within 0.1s/);
  });
});
