import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AlertEvent } from './notifier.ts';
import { SLACK_COLOURS, SlackNotifier } from './slack.ts';
import { startRecorder, type Recorder } from './test-server.ts';

const AT = Date.UTC(2025, 0, 6, 9, 0, 0);
const EVENT: AlertEvent = {
  plan: 'shop',
  trigger: 'queue-depth',
  severity: 'warning',
  state: 'firing',
  labels: { queue: 'sms<1>' },
  value: 5000,
  action: 'add a worker',
  at: AT,
};

interface SlackBody {
  channel?: string;
  text: string;
  blocks: { type: string; text: { type: string; text: string } }[];
  attachments: {
    color: string;
    blocks: { type: string; fields?: { text: string }[]; text?: { text: string } }[];
  }[];
}

let rec: Recorder;
before(async () => (rec = await startRecorder()));
after(() => rec.close());

describe('slack notifier', () => {
  it('posts text plus blocks, coloured by severity, with the channel override', async () => {
    rec.requests.length = 0;
    await new SlackNotifier({ url: `${rec.base}/services/T0/B0/xyz`, channel: '#alerts' }).send(
      EVENT,
    );
    const [r] = rec.requests;
    assert.equal(r!.method, 'POST');
    assert.equal(r!.path, '/services/T0/B0/xyz');
    assert.equal(r!.headers['content-type'], 'application/json');
    const body = r!.json as SlackBody;
    assert.equal(body.channel, '#alerts');
    assert.match(body.text, /^\[FIRING\] warning queue-depth/);
    assert.equal(body.blocks[0]!.type, 'section');
    assert.match(
      body.blocks[0]!.text.text,
      /^:large_orange_circle: \*Warning:\* `queue-depth` on plan \*shop\*/,
    );
    assert.equal(body.attachments[0]!.color, SLACK_COLOURS.warning);
    const details = JSON.stringify(body.attachments[0]!.blocks);
    assert.match(details, /\*Value\*\\n5000/);
    assert.match(details, /sms&lt;1&gt;/, 'mrkdwn is escaped');
    assert.match(details, /\*Action\*\\nadd a worker/);
  });

  it('says when an alert resolved, in green, without the action', async () => {
    rec.requests.length = 0;
    await new SlackNotifier({ url: `${rec.base}/hook` }).send({
      ...EVENT,
      severity: 'critical',
      state: 'resolved',
    });
    const body = rec.requests[0]!.json as SlackBody;
    assert.equal(body.channel, undefined);
    assert.match(body.text, /^\[RESOLVED\]/);
    assert.match(body.blocks[0]!.text.text, /^:white_check_mark: \*Resolved:\* critical/);
    assert.equal(body.attachments[0]!.color, SLACK_COLOURS.resolved);
    assert.doesNotMatch(JSON.stringify(body), /add a worker/);
  });

  it('reports a 500 without the secret URL path', async () => {
    const slack = new SlackNotifier({ name: 'p1', url: `${rec.base}/fail/secret-token` });
    await assert.rejects(slack.send(EVENT), (err: Error) => {
      assert.match(
        err.message,
        /^slack p1: the Slack webhook at 127\.0\.0\.1:\d+ answered HTTP 500/,
      );
      assert.doesNotMatch(err.message, /secret-token/);
      return true;
    });
  });

  it('reports a timeout', async () => {
    const slack = new SlackNotifier({ url: `${rec.base}/slow`, timeoutMs: 100 });
    await assert.rejects(slack.send(EVENT), /did not answer within 0.1s/);
  });
});
