import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { QueueStepFigures } from './meter.ts';
import type { PacedSegment } from './pace.ts';
import {
  queueReport,
  sustainedThroughput,
  type QueueRunOutcome,
  type QueueStep,
} from './report.ts';

function step(index: number, offered: number, completionRate: number, held: boolean): QueueStep {
  const paced: PacedSegment = {
    startedAt: 1000 * index,
    endedAt: 1000 * index + 2000,
    added: offered * 2,
    failed: 0,
    dropped: 0,
    latenciesMs: [1, 2, 3],
    errors: {},
    concurrency: 0.1,
  };
  const figures: QueueStepFigures = {
    offered,
    added: offered * 2,
    completed: completionRate * 2,
    completionRate,
    backlogStart: 0,
    backlogEnd: held ? 1 : 50,
    backlogGrowth: held ? 1 : 50,
    held,
    completionsFrom: 'conservation',
    durationS: 2,
  };
  return { index, paced, figures, verdict: { ok: held } };
}

function outcome(steps: QueueStep[], extra: Partial<QueueRunOutcome> = {}): QueueRunOutcome {
  return {
    spec: { ref: 'w', source: 's', kind: 'bullmq', name: 'emails', job: { name: 'j', data: {} } },
    scenario: 'cli',
    executor: 'breakpoint',
    description: 'bullmq queue emails',
    steps,
    pool: { workers: 4, from: 'replicas.current' },
    backlogStart: 7,
    backlogEnd: 9,
    durationS: 10,
    interrupted: false,
    search: { rate: 40, reason: 'resolved' },
    ...extra,
  };
}

describe('queue report', () => {
  const steps = [step(0, 20, 20, true), step(1, 40, 39, true), step(2, 60, 45, false)];

  test('sustained throughput is the best completion rate of a step whose backlog held', () => {
    assert.equal(sustainedThroughput(steps), 39);
    assert.equal(sustainedThroughput([step(0, 60, 45, false)]), 0);
  });

  test('per worker, jobs left, and the breakpoint with the best completion rate of any step', () => {
    const report = queueReport(outcome(steps));
    assert.equal(report.queue.per_worker, 39 / 4);
    assert.equal(report.queue.jobs_left, 2);
    assert.deepEqual(report.breakpoint, {
      rate: 40,
      concurrency: 0.1,
      reason: 'resolved',
      max_throughput: 45,
    });
    assert.equal(report.ok, true);
    assert.deepEqual(
      report.stages.map((s) => [s.target, s.rate, s.ok]),
      [
        [20, 20, true],
        [40, 39, true],
        [60, 45, false],
      ],
    );
  });

  test('a run the backlog bound stopped is not ok and says why', () => {
    const report = queueReport(outcome(steps, { stoppedBy: 'the backlog grew by 200 jobs' }));
    assert.equal(report.ok, false);
    assert.equal(report.queue.stopped_by, 'the backlog grew by 200 jobs');
    assert.equal(report.breakpoint?.reason, 'the backlog grew by 200 jobs');
  });

  test('an executor run is ok only when the pool kept up in every stage', () => {
    const { search: _search, ...rest } = outcome(steps);
    const report = queueReport({ ...rest, executor: 'constant-arrival-rate' });
    assert.equal(report.ok, false);
    assert.equal(report.breakpoint, undefined);
  });

  test('without a known pool size there is no per-worker figure', () => {
    const report = queueReport(outcome(steps, { pool: { from: 'unknown' } }));
    assert.equal(report.queue.per_worker, undefined);
    assert.equal(report.queue.workers, undefined);
  });
});
