import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { publishSubject, subjectMatches } from './nats-jetstream.ts';

describe('subjectMatches', () => {
  const cases: [string, string, boolean][] = [
    ['sms.>', 'sms.send', true],
    ['sms.>', 'sms', false],
    ['sms.*', 'sms.send', true],
    ['sms.*', 'sms.send.now', false],
    ['sms.send', 'sms.send', true],
    ['sms.send', 'sms.other', false],
    ['*.send', 'mail.send', true],
  ];
  for (const [filter, subject, want] of cases) {
    test(`${filter} ${want ? 'captures' : 'does not capture'} ${subject}`, () =>
      assert.equal(subjectMatches(filter, subject), want));
  }
});

describe('publishSubject', () => {
  const cases = [
    {
      name: 'the job name when the stream captures it',
      subjects: ['sms.>'],
      job: 'sms.send',
      want: 'sms.send',
    },
    {
      name: 'the first literal subject otherwise',
      subjects: ['sms.*', 'sms.in'],
      job: 'send',
      want: 'sms.in',
    },
    {
      name: 'a wildcard filled by the job name',
      subjects: ['sms.>'],
      job: 'send',
      want: 'sms.send',
    },
    {
      name: 'a wildcard filled by `loadtest` when the name is no token',
      subjects: ['a.*.b'],
      job: 'x.y',
      want: 'a.loadtest.b',
    },
    { name: 'nothing when the stream has no subject', subjects: [], job: 'send', want: undefined },
  ];
  for (const c of cases) {
    test(c.name, () => assert.equal(publishSubject(c.subjects, c.job), c.want));
  }
});
