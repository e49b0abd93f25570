import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parsePlan } from '../plan/load.ts';
import { createNotifiers } from './from-plan.ts';

const plan = (notify: string, env: Record<string, string> = {}) =>
  parsePlan(`version: 1\nname: shop\nnotify:\n${notify}`, 'headroom.yaml', { env });

describe('createNotifiers', () => {
  it('builds one channel per entry, named by name or kind', () => {
    const { notifiers, problems } = createNotifiers(
      plan(
        [
          '  - { kind: log }',
          '  - { kind: slack, name: p1, url: "${SLACK_WEBHOOK_URL:-}", channel: "#alerts", severities: [warning, critical] }',
          '  - { kind: pagerduty, routing_key: "${PD:-}", severities: [critical], timeout: 5s }',
          '  - { kind: webhook, url: "https://hooks.example.com/x", token: "${TOKEN}" }',
          '  - { kind: alertmanager, url: "${AM:-http://127.0.0.1:9093}" }',
          '  - { kind: log }',
          '',
        ].join('\n'),
        { SLACK_WEBHOOK_URL: 'https://hooks.slack.com/services/T/B/x', PD: 'key', TOKEN: 't' },
      ),
    );
    assert.deepEqual(problems, []);
    assert.deepEqual(
      notifiers.map((n) => [n.kind, n.name, n.severities]),
      [
        ['log', 'log', undefined],
        ['slack', 'p1', ['warning', 'critical']],
        ['pagerduty', 'pagerduty', ['critical']],
        ['webhook', 'webhook', undefined],
        ['alertmanager', 'alertmanager', undefined],
        ['log', 'log-2', undefined],
      ],
    );
  });

  it('disables an entry whose secret is empty, naming the variable to set', () => {
    const { notifiers, problems } = createNotifiers(
      plan(
        [
          '  - { kind: log }',
          '  - { kind: pagerduty, name: p0, routing_key: "${PAGERDUTY_ROUTING_KEY:-}" }',
          '  - { kind: slack, url: "${SLACK_WEBHOOK_URL:-}" }',
          '',
        ].join('\n'),
      ),
    );
    assert.deepEqual(
      notifiers.map((n) => n.name),
      ['log'],
    );
    assert.equal(problems.length, 2);
    const [pd, slack] = problems;
    assert.equal(pd!.kind, 'disabled');
    assert.equal(pd!.channel, 'p0');
    assert.equal(
      pd!.message,
      'notify[1].routing_key: is empty because PAGERDUTY_ROUTING_KEY is not set: channel "p0" is disabled',
    );
    assert.equal(pd!.error.code, 'PLAN_ENV');
    assert.equal(pd!.error.location.line, 5);
    assert.match(pd!.error.hint!, /export PAGERDUTY_ROUTING_KEY=/);
    assert.match(
      slack!.message,
      /^notify\[2\]\.url: is empty because SLACK_WEBHOOK_URL is not set/,
    );
  });

  it('builds an email channel from an SMTP URL, and disables it when the URL is unset', () => {
    const entries = [
      '  - { kind: email, name: p2, smtp: "${SMTP_URL:-}", to: "${ALERT_EMAIL:-ops@localhost}", severities: [warning] }',
      '  - { kind: email, smtp: "smtp://127.0.0.1:2525", to: [a@example.com, b@example.com], from: "hr <hr@example.com>" }',
      '',
    ].join('\n');
    const unset = createNotifiers(plan(entries));
    assert.deepEqual(
      unset.notifiers.map((n) => [n.kind, n.name]),
      [['email', 'email']],
    );
    assert.equal(unset.problems[0]!.kind, 'disabled');
    assert.match(
      unset.problems[0]!.message,
      /^notify\[0\]\.smtp: is empty because SMTP_URL is not set/,
    );
    const set = createNotifiers(plan(entries, { SMTP_URL: 'smtps://u:p@mail.example.com' }));
    assert.deepEqual(set.problems, []);
    assert.deepEqual(
      set.notifiers.map((n) => [n.kind, n.name, n.severities]),
      [
        ['email', 'p2', ['warning']],
        ['email', 'email', undefined],
      ],
    );
  });

  it('rejects an email entry with a bad relay URL or address, at the field', () => {
    const { problems } = createNotifiers(
      plan(
        [
          '  - { kind: email, smtp: "http://mail:25", to: ops@example.com }',
          '  - { kind: email, smtp: "smtp://mail:25", to: "not an address" }',
          '  - { kind: email, to: ops@example.com }',
          '',
        ].join('\n'),
      ),
    );
    assert.deepEqual(
      problems.map((p) => p.message.split(':')[0]),
      ['notify[0].smtp', 'notify[1].to', 'notify[2].smtp'],
    );
    assert.match(problems[0]!.message, /smtp:\/\/ or smtps:\/\//);
    assert.match(problems[2]!.message, /write the SMTP relay/);
  });

  it('locates bad fields: unknown field, bad URL, missing routing key, bad timeout', () => {
    const { notifiers, problems } = createNotifiers(
      plan(
        [
          '  - { kind: slack, url: "https://hooks.slack.com/x", chanel: "#a" }',
          '  - { kind: webhook, url: "ftp://x" }',
          '  - { kind: pagerduty }',
          '  - { kind: alertmanager, url: "http://am:9093", timeout: 0s }',
          '',
        ].join('\n'),
      ),
    );
    assert.deepEqual(notifiers, []);
    assert.deepEqual(
      problems.map((p) => [p.kind, p.error.code, p.message.split(':')[0]]),
      [
        ['invalid', 'PLAN_UNKNOWN_FIELD', 'notify[0].chanel'],
        ['invalid', 'PLAN_SCHEMA', 'notify[1].url'],
        ['invalid', 'PLAN_SCHEMA', 'notify[2].routing_key'],
        ['invalid', 'PLAN_SCHEMA', 'notify[3].timeout'],
      ],
    );
    assert.match(problems[0]!.error.hint!, /did you mean "channel"\?/);
    assert.equal(problems[1]!.error.location.line, 5);
  });
});
