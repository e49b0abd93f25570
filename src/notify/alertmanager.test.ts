import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AlertmanagerNotifier, type PostableAlert } from './alertmanager.ts';
import type { AlertEvent } from './notifier.ts';
import { startRecorder, type Recorder } from './test-server.ts';

const AT = Date.UTC(2025, 0, 6, 9, 0, 0);
const EVENT: AlertEvent = {
  plan: 'shop',
  trigger: 'cpu-high',
  severity: 'warning',
  state: 'firing',
  labels: { pod: 'a', alertname: 'not-this' },
  value: 0.75,
  action: 'scale out',
  at: AT,
  since: AT - 60_000,
};

let rec: Recorder;
before(async () => (rec = await startRecorder()));
after(() => rec.close());

describe('alertmanager notifier', () => {
  it('POSTs a list of one alert to /api/v2/alerts', async () => {
    rec.requests.length = 0;
    const am = new AlertmanagerNotifier({ url: `${rec.base}/` });
    assert.equal(am.refresh, true);
    await am.send(EVENT);
    const [r] = rec.requests;
    assert.equal(r!.method, 'POST');
    assert.equal(r!.path, '/api/v2/alerts');
    assert.equal(r!.headers['content-type'], 'application/json');
    assert.deepEqual(r!.json, [
      {
        labels: { pod: 'a', alertname: 'cpu-high', severity: 'warning', plan: 'shop' },
        annotations: {
          summary:
            '[FIRING] warning cpu-high {alertname="not-this",pod="a"} = 0.75 (plan shop): scale out',
          value: '0.75',
          action: 'scale out',
        },
        startsAt: '2025-01-06T08:59:00.000Z',
      },
    ]);
  });

  it('sets endsAt for a resolved alert, under a path prefix', async () => {
    rec.requests.length = 0;
    await new AlertmanagerNotifier({ url: `${rec.base}/am`, token: 't0k' }).send({
      ...EVENT,
      state: 'resolved',
      at: AT + 600_000,
    });
    const [r] = rec.requests;
    assert.equal(r!.path, '/am/api/v2/alerts');
    assert.equal(r!.headers.authorization, 'Bearer t0k');
    const [alert] = r!.json as PostableAlert[];
    assert.equal(alert!.startsAt, '2025-01-06T08:59:00.000Z');
    assert.equal(alert!.endsAt, '2025-01-06T09:10:00.000Z');
    // Without a known start, startsAt is left out (Alertmanager then uses endsAt).
    rec.requests.length = 0;
    const { since: _since, ...unknown } = EVENT;
    await new AlertmanagerNotifier({ url: rec.base }).send({ ...unknown, state: 'resolved' });
    const [late] = rec.requests[0]!.json as PostableAlert[];
    assert.equal(late!.startsAt, undefined);
    assert.equal(late!.endsAt, '2025-01-06T09:00:00.000Z');
  });

  it('reports a 500 and a timeout', async () => {
    await assert.rejects(
      new AlertmanagerNotifier({ url: `${rec.base}/fail` }).send(EVENT),
      /alertmanager alertmanager: http:\/\/127\.0\.0\.1:\d+\/fail\/api\/v2\/alerts answered HTTP 500/,
    );
    await assert.rejects(
      new AlertmanagerNotifier({ url: `${rec.base}/slow`, timeoutMs: 100 }).send(EVENT),
      /did not answer within 0.1s/,
    );
  });
});
