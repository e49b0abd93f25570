import { stripVTControlCharacters } from 'node:util';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RunMetrics } from './metrics.ts';
import {
  assembleReport,
  breakpointReport,
  renderSummary,
  requestBreakdown,
  stageSummary,
  type ReportParts,
} from './summary.ts';
import type { LoadTestReport } from './types.ts';

/** The text without colour: picocolors colours tables when `CI` is set, as CI runs do. */
const plain = (text: string): string => stripVTControlCharacters(text);

/** A run of two 1-s stages: 100 iterations of 10 ms in the first (5 failed), 200 of 20 ms in the second. */
function twoStages(): RunMetrics {
  const m = new RunMetrics(0);
  m.startStage(0, 1_700_000_000_000);
  for (let i = 0; i < 100; i++) {
    m.begin(i * 10);
    m.complete(
      i * 10 + 10,
      0,
      10,
      i < 5 ? { ok: false, name: 'a', status: 500 } : { ok: true, name: 'a', status: 200 },
    );
  }
  m.startStage(1000, 1_700_000_001_000);
  for (let i = 0; i < 200; i++) {
    m.begin(1000 + i * 5);
    m.complete(1000 + i * 5 + 4, 1, 20, { ok: true, name: i % 2 ? 'a' : 'b', status: 200 });
  }
  m.endStage(2000, 1_700_000_002_000);
  return m;
}

const parts = (over: Partial<ReportParts> = {}): ReportParts => ({
  scenario: 'cli',
  executor: 'ramping-arrival-rate',
  target: 'GET http://127.0.0.1:3000/',
  nowMs: 2000,
  stages: [],
  thresholds: [],
  interrupted: false,
  ...over,
});

describe('stageSummary', () => {
  it('gives each stage its own requests, rate, latency, failures, concurrency and wall-clock bounds', () => {
    const m = twoStages();
    const s0 = stageSummary(m, 0, { target: 100, targetKind: 'rate' }, 2000);
    const s1 = stageSummary(m, 1, { target: 200, targetKind: 'rate' }, 2000);
    assert.equal(s0.requests, 100);
    assert.equal(s0.rate, 100);
    assert.equal(s0.failed_rate, 0.05);
    assert.ok(Math.abs(s0.latency.p50 - 0.01) < 1e-4);
    assert.equal(s0.started_at, 1_700_000_000_000);
    assert.equal(s0.ended_at, 1_700_000_001_000);
    assert.equal(s0.duration_s, 1);
    assert.ok(Math.abs(s1.concurrency - 0.8) < 1e-9, `${s1.concurrency}`); // 4 ms of every 5
    assert.equal(s1.rate, 200);
    assert.ok(Math.abs(s1.latency.max - 0.02) < 1e-9);
  });
});

describe('assembleReport', () => {
  it('sums the run: requests, rate over its length, failures, and ok from the thresholds', () => {
    const m = twoStages();
    const report = assembleReport(
      m,
      parts({
        thresholds: [{ metric: 'http_req_failed', expr: 'rate<0.01', ok: true, value: 0.0167 }],
      }),
    );
    assert.equal(report.requests, 300);
    assert.equal(report.rate, 150);
    assert.ok(Math.abs(report.failed_rate - 5 / 300) < 1e-12);
    assert.equal(report.ok, true);
    assert.equal('aborted_by' in report, false);
  });

  it('an interrupted or aborted run is never ok', () => {
    const m = twoStages();
    assert.equal(assembleReport(m, parts({ interrupted: true })).ok, false);
    const aborted = assembleReport(m, parts({ abortedBy: 'http_req_failed: rate<0.01' }));
    assert.equal(aborted.ok, false);
    assert.equal(aborted.aborted_by, 'http_req_failed: rate<0.01');
  });
});

describe('breakpointReport', () => {
  it('reports the highest held rate, its concurrency, the best throughput and the step verdicts', () => {
    const m = twoStages();
    const report = breakpointReport(m, {
      verdicts: [
        { offered: 100, ok: true },
        { offered: 200, ok: false, reason: 'p(95)<15 failed' },
      ],
      offered: [100, 200],
      move: { kind: 'done', rate: 100, reason: 'http_req_duration: p(95)<15 failed at 200/s' },
      endMs: 2000,
      description: 'GET http://127.0.0.1:3000/',
      scenario: 'cli',
      thresholds: [],
      interrupted: false,
    });
    assert.equal(report.executor, 'breakpoint');
    assert.equal(report.breakpoint!.rate, 100);
    assert.equal(report.breakpoint!.max_throughput, 200);
    assert.ok(Math.abs(report.breakpoint!.concurrency - 1) < 1e-9);
    assert.deepEqual(
      report.stages.map((s) => [s.ok, s.reason]),
      [
        [true, undefined],
        [false, 'p(95)<15 failed'],
      ],
    );
    assert.equal(report.ok, true);
  });

  it('is not ok when not even the first step held', () => {
    const m = twoStages();
    const report = breakpointReport(m, {
      verdicts: [{ offered: 100, ok: false, reason: 'failures' }],
      offered: [100, 200],
      move: { kind: 'done', rate: 0, reason: 'the first step failed' },
      endMs: 2000,
      description: 'x',
      scenario: 'cli',
      thresholds: [],
      interrupted: false,
    });
    assert.equal(report.breakpoint!.rate, 0);
    assert.equal(report.ok, false);
  });
});

describe('renderSummary', () => {
  const report = (over: Partial<LoadTestReport> = {}): LoadTestReport => ({
    ...assembleReport(twoStages(), parts()),
    thresholds: [
      { metric: 'http_req_duration', expr: 'p(95)<300', ok: true, value: 19.8 },
      { metric: 'http_req_failed', expr: 'rate<0.01', ok: false, value: 0.0167 },
    ],
    ...over,
  });

  it('marks each threshold ✓ or ✗ with its value in the metric’s unit', () => {
    const text = plain(renderSummary(report()));
    assert.match(text, /✓ http_req_duration: p\(95\)<300 {2}\(19\.8ms\)/);
    assert.match(text, /✗ http_req_failed: rate<0\.01 {2}\(1\.67%\)/);
  });

  it('aligns the metric lines k6-style and lists requests by status and error', () => {
    const m = twoStages();
    const text = plain(renderSummary(report(), requestBreakdown(m)));
    const metricLines = text.split('\n').filter((l) => /^ {2}[a-z_]+\.{3,}: /.test(l));
    assert.ok(metricLines.length >= 6, text);
    assert.equal(new Set(metricLines.map((l) => l.indexOf(':'))).size, 1, 'colons line up');
    assert.match(text, /statuses\.+: 200: 295 {2}500: 5/);
    assert.match(text, /http_reqs\.+: 300 {2}150\/s/);
    assert.match(text, /request +requests +failed +p95/, 'two names: a table by name');
  });

  it('shows the stages table, and a breakpoint and interruption when there are', () => {
    const r = report({
      stages: [stageSummary(twoStages(), 0, { target: 100, targetKind: 'rate' }, 2000)],
      interrupted: true,
      breakpoint: {
        rate: 1234,
        concurrency: 12.3,
        reason: 'p(95) failed at 1,357/s',
        max_throughput: 1300,
      },
    });
    const text = plain(renderSummary(r));
    assert.match(text, /stage +target +duration +requests +rate +p95 +failed +dropped +in flight/);
    assert.match(text, / 0 +100\/s +1s +100 +100\/s/);
    assert.match(text, /breakpoint: 1,234\/s held/);
    assert.match(text, /interrupted: the figures are partial/);
  });
});
