import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Bucket, RunMetrics } from './metrics.ts';

const ok = (name = 'req'): { ok: true; name: string; status: number } => ({
  ok: true,
  name,
  status: 200,
});

describe('Bucket', () => {
  it('percentiles of 1..1000 ms are within HdrHistogram precision (0.1 %), min/max/mean exact', () => {
    const b = new Bucket();
    for (let ms = 1; ms <= 1000; ms++) b.record(ms, true);
    for (const p of [50, 90, 95, 99]) {
      const got = b.percentileMs(p)!;
      assert.ok(Math.abs(got - p * 10) <= p * 10 * 0.001 + 0.001, `p${p} = ${got}`);
    }
    assert.equal(b.percentileMs(100), 1000);
    assert.equal(b.minMs, 1);
    assert.equal(b.maxMs, 1000);
    assert.equal(b.sumMs / b.count, 500.5);
  });

  it('keeps microseconds: 0.25 ms and 0.75 ms stay apart', () => {
    const b = new Bucket();
    b.record(0.25, true);
    b.record(0.75, true);
    assert.ok(Math.abs(b.percentileMs(50)! - 0.25) < 0.001);
  });

  it('an empty bucket has no percentile', () => {
    assert.equal(new Bucket().percentileMs(95), undefined);
  });
});

describe('RunMetrics', () => {
  it('judges tags: by name, by status, both, and an unknown tag selects nothing', () => {
    const m = new RunMetrics(0);
    m.startStage(0, 1_000_000);
    for (let i = 0; i < 90; i++) {
      m.begin(i);
      m.complete(i + 1, 0, 10, ok('list'));
    }
    for (let i = 0; i < 10; i++) {
      m.begin(i);
      m.complete(i + 1, 0, 500, { ok: false, name: 'create', status: 500 });
    }
    const v = m.view(1000);
    assert.equal(v.count(), 100);
    assert.equal(v.failed(), 10);
    assert.equal(v.count({ name: 'list' }), 90);
    assert.equal(v.failed({ name: 'create' }), 10);
    assert.equal(v.count({ status: '500' }), 10);
    assert.equal(v.count({ name: 'list', status: '500' }), 0);
    assert.equal(v.percentileMs(50, { name: 'create' }), 500);
    assert.ok(Math.abs(v.percentileMs(50)! - 10) < 0.01);
    assert.equal(v.maxMs(), 500);
    assert.equal(v.meanMs({ name: 'list' }), 10);
    assert.equal(v.count({ method: 'GET' }), 0);
    assert.equal(v.percentileMs(95, { name: 'nope' }), undefined);
    assert.equal(v.durationS, 1);
  });

  it('a request without a response counts as status 0, as in k6', () => {
    const m = new RunMetrics(0);
    m.startStage(0, 0);
    m.begin(0);
    m.complete(5, 0, 5, { ok: false, name: 'req', error: 'ECONNREFUSED' });
    assert.equal(m.view(10).count({ status: '0' }), 1);
    assert.deepEqual([...m.wholeRun().statusCounts()], [[0, 1]]);
    assert.deepEqual([...m.errors], [['ECONNREFUSED', 1]]);
  });

  it('latency belongs to the stage an iteration started in, completions to the stage they ended in', () => {
    const m = new RunMetrics(0);
    m.startStage(0, 0);
    m.begin(900);
    m.startStage(1000, 1000);
    m.complete(1500, 0, 600, ok());
    m.endStage(2000, 2000);
    assert.equal(m.stageView(0, 2000).count(), 1);
    assert.equal(m.stageView(0, 2000).percentileMs(50), 600);
    assert.equal(m.stageView(1, 2000).count(), 0);
    assert.equal(m.stages[0]!.completed, 0);
    assert.equal(m.stages[1]!.completed, 1);
  });

  it('concurrency is the time average of iterations in flight, per stage', () => {
    const m = new RunMetrics(0);
    m.startStage(0, 0);
    // Two in flight for the first half of stage 0, none for the second half.
    m.begin(0);
    m.begin(0);
    m.complete(500, 0, 500, ok());
    m.complete(500, 0, 500, ok());
    m.startStage(1000, 1000);
    m.begin(1000);
    m.endStage(2000, 2000);
    assert.equal(m.stageConcurrency(0, 3000), 1);
    assert.equal(m.stageConcurrency(1, 3000), 1);
    assert.equal(m.concurrency(2000), 1);
  });

  it('counts drops per stage and for the run', () => {
    const m = new RunMetrics(0);
    m.startStage(0, 0);
    m.drop(0);
    m.startStage(10, 10);
    m.drop(1);
    m.drop(1);
    assert.equal(m.dropped, 3);
    assert.equal(m.stageView(1, 20).dropped, 2);
    assert.equal(m.view(20).dropped, 3);
  });

  it('the recent window: rate over about a second and p95 over the last 5 s only', () => {
    const m = new RunMetrics(0);
    m.startStage(0, 0);
    // 100 slow completions in second 0, then 50 fast ones per second in seconds 6 and 7.
    for (let i = 0; i < 100; i++) {
      m.begin(i);
      m.complete(i * 5, 0, 900, ok());
    }
    for (let i = 0; i < 100; i++) {
      m.begin(6000 + i * 20);
      m.complete(6000 + i * 20, 0, 2, ok());
    }
    const r = m.recent(8000);
    assert.ok(Math.abs(r.rate - 50) < 1e-9, `rate ${r.rate}`);
    assert.ok(Math.abs(r.p95Ms! - 2) < 0.01, 'the slow second 0 has left the window');
    assert.equal(m.recent(20_000).rate, 0);
    assert.equal(m.recent(20_000).p95Ms, undefined);
  });

  it('recording a known request allocates no new buckets', () => {
    const m = new RunMetrics(0);
    m.startStage(0, 0);
    const outcome = ok();
    m.begin(0);
    m.complete(1, 0, 1, outcome);
    const bucket = m.stages[0]!.buckets.byName.get('req')!.get(200)!;
    for (let i = 0; i < 10_000; i++) {
      m.begin(i);
      m.complete(i + 1, 0, 1, outcome);
    }
    assert.equal(m.stages[0]!.buckets.byName.get('req')!.get(200), bucket);
    assert.equal(bucket.count, 10_001);
  });

  it('the whole run is the merge of its stages, by tag, however often it is asked', () => {
    const m = new RunMetrics(0);
    m.startStage(0, 0);
    m.begin(0);
    m.complete(1, 0, 4, ok('a'));
    m.startStage(10, 10);
    m.begin(10);
    m.complete(11, 1, 8, { ok: false, name: 'b', status: 503 });
    for (let i = 0; i < 3; i++) {
      const v = m.view(20);
      assert.equal(v.count(), 2);
      assert.equal(v.failed({ name: 'b' }), 1);
      assert.equal(v.maxMs(), 8);
    }
    assert.deepEqual([m.count, m.failed], [2, 1]);
    assert.deepEqual([...m.wholeRun().statusCounts()].sort(), [
      [200, 1],
      [503, 1],
    ]);
  });
});
