import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Sample } from '../../sources/source.ts';
import type { QueueTargetSpec } from '../types.ts';
import { growthAllowance, readingOf, stepFigures, type QueueReading } from './meter.ts';

const at = (atMs: number, backlog: number, inHand = 0, processed?: number): QueueReading => ({
  atMs,
  backlog,
  inHand,
  ...(processed !== undefined ? { processed } : {}),
});

function spec(kind: QueueTargetSpec['kind']): QueueTargetSpec {
  return { ref: 'q', source: 's', kind, name: 'q', job: { name: 'j', data: {} } };
}

function sample(metric: string, value: number, labels: Record<string, string> = {}): Sample {
  return { metric, value, labels, at: 0 };
}

describe('stepFigures', () => {
  const cases = [
    {
      name: 'a pool that keeps up: completions by conservation equal the jobs added',
      args: { start: at(0, 2), end: at(2000, 2), added: 100, offered: 50 },
      want: {
        completed: 100,
        completionRate: 50,
        backlogGrowth: 0,
        held: true,
        from: 'conservation',
      },
    },
    {
      name: 'a pool that falls behind: the backlog grows, completions are what it took',
      args: { start: at(0, 0), end: at(2000, 60), added: 200, offered: 100, workers: 3 },
      want: {
        completed: 140,
        completionRate: 70,
        backlogGrowth: 60,
        held: false,
        from: 'conservation',
      },
    },
    {
      name: 'jobs in hand at the end are not charged to the step',
      args: { start: at(0, 0, 0), end: at(1000, 3, 3), added: 50, offered: 50, workers: 3 },
      want: {
        completed: 50,
        completionRate: 50,
        backlogGrowth: 3,
        held: true,
        from: 'conservation',
      },
    },
    {
      name: "BullMQ's completed count is used when it agrees with conservation",
      args: {
        start: at(0, 0, 0, 1000),
        end: at(1000, 3, 3, 1046),
        added: 50,
        offered: 50,
        workers: 3,
      },
      want: { completed: 49, completionRate: 49, backlogGrowth: 3, held: true, from: 'counted' },
    },
    {
      name: 'a trimmed completed set (removeOnComplete) falls back to conservation',
      args: {
        start: at(0, 0, 0, 1000),
        end: at(1000, 0, 0, 1000),
        added: 50,
        offered: 50,
        workers: 3,
      },
      want: {
        completed: 50,
        completionRate: 50,
        backlogGrowth: 0,
        held: true,
        from: 'conservation',
      },
    },
    {
      name: 'a backlog that shrinks (older jobs drain) counts as completions beyond the adds',
      args: { start: at(0, 40), end: at(1000, 0), added: 20, offered: 20 },
      want: {
        completed: 60,
        completionRate: 60,
        backlogGrowth: -40,
        held: true,
        from: 'conservation',
      },
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const f = stepFigures(c.args);
      assert.deepEqual(
        {
          completed: f.completed,
          completionRate: f.completionRate,
          backlogGrowth: f.backlogGrowth,
          held: f.held,
          from: f.completionsFrom,
        },
        c.want,
      );
    });
  }

  test('growth within one job per worker plus 5 % of the adds still holds; beyond it fails', () => {
    assert.equal(growthAllowance(200, 3), 13);
    const base = { start: at(0, 0), added: 200, offered: 100, workers: 3 };
    assert.equal(stepFigures({ ...base, end: at(2000, 13) }).held, true);
    assert.equal(stepFigures({ ...base, end: at(2000, 14) }).held, false);
  });
});

describe('readingOf', () => {
  test('BullMQ: waiting + prioritized + active, and completed + failed as processed', () => {
    const samples = [
      sample('backlog', 5),
      sample('active', 2),
      sample('completed', 10),
      sample('failed', 1),
    ];
    assert.deepEqual(readingOf(spec('bullmq'), samples, 7), {
      atMs: 7,
      backlog: 7,
      inHand: 2,
      processed: 11,
    });
  });

  test('Celery: the lists plus the unacked hash', () => {
    const samples = [sample('length', 4), sample('unacked', 3)];
    assert.deepEqual(readingOf(spec('redis-list'), samples, 7), { atMs: 7, backlog: 7, inHand: 3 });
  });

  test('RabbitMQ: ready, with the consumer count', () => {
    const samples = [sample('ready', 9), sample('consumers', 3)];
    assert.deepEqual(readingOf(spec('rabbitmq'), samples, 7), {
      atMs: 7,
      backlog: 9,
      inHand: 0,
      consumers: 3,
    });
  });

  test('JetStream: the most loaded consumer of the stream', () => {
    const samples = [
      sample('num_pending', 5, { consumer: 'a' }),
      sample('ack_pending', 3, { consumer: 'a' }),
      sample('num_pending', 20, { consumer: 'b' }),
      sample('ack_pending', 1, { consumer: 'b' }),
    ];
    assert.deepEqual(readingOf(spec('nats-jetstream'), samples, 7), {
      atMs: 7,
      backlog: 21,
      inHand: 1,
      consumers: 2,
    });
  });

  test('JetStream without a consumer is refused: nobody would take the jobs', () => {
    assert.throws(() => readingOf(spec('nats-jetstream'), [], 7), /no consumer reads stream "q"/);
  });
});
