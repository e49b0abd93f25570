import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HeadroomError } from '../errors.ts';
import {
  evaluateThresholds,
  formatThreshold,
  parseThresholdArg,
  parseThresholdSet,
} from './thresholds.ts';
import type { MetricsView } from './types.ts';

/** A view of 100 requests (2 failed, 5 dropped) over 10 s, latencies 1..100 ms. */
const VIEW: MetricsView = {
  durationS: 10,
  dropped: 5,
  count: (tags) => (tags?.name === 'search' ? 10 : 100),
  failed: () => 2,
  percentileMs: (p) => Math.max(1, Math.ceil(p)),
  meanMs: () => 50.5,
  minMs: () => 1,
  maxMs: () => 100,
};

const EMPTY: MetricsView = {
  durationS: 0,
  dropped: 0,
  count: () => 0,
  failed: () => 0,
  percentileMs: () => undefined,
  meanMs: () => undefined,
  minMs: () => undefined,
  maxMs: () => undefined,
};

describe('thresholds: parsing k6 grammar', () => {
  const cases: [string, string, string, Partial<ReturnType<typeof parseThresholdArg>>][] = [
    [
      'p(95) in ms',
      'http_req_duration: p(95)<300',
      'http_req_duration: p(95)<300',
      { aggregation: 'p(95)', op: '<', value: 300 },
    ],
    [
      'spaces and a decimal percentile',
      'http_req_duration: p( 99.9 ) <= 500',
      'http_req_duration: p(99.9)<=500',
      { aggregation: 'p(99.9)' },
    ],
    ['a rate', 'http_req_failed: rate<0.01', 'http_req_failed: rate<0.01', { value: 0.01 }],
    [
      'a tag filter',
      'http_req_duration{name:listTickets}: med<200',
      'http_req_duration{name:listTickets}: med<200',
      { tags: { name: 'listTickets' } },
    ],
    ['a counter', 'dropped_iterations: count<1', 'dropped_iterations: count<1', { op: '<' }],
    ['strict equality', 'http_reqs: count===100', 'http_reqs: count===100', { op: '===' }],
  ];
  for (const [name, text, formatted, expected] of cases) {
    it(name, () => {
      const t = parseThresholdArg(text, '--threshold');
      assert.equal(formatThreshold(t), formatted);
      for (const [k, v] of Object.entries(expected)) assert.deepEqual(t[k as keyof typeof t], v);
    });
  }

  const bad: [string, () => unknown, RegExp][] = [
    [
      'an unknown metric, with a suggestion',
      () => parseThresholdArg('http_req_durations: p(95)<3', 'x'),
      /did you mean http_req_duration/,
    ],
    [
      'an aggregation the type lacks',
      () => parseThresholdArg('http_req_failed: p(95)<3', 'x'),
      /has only|has rate/,
    ],
    [
      'a doubled operator',
      () => parseThresholdArg('http_req_duration: p(95)<<300', 'x'),
      /"<300" in "p\(95\)<<300" is not a number/,
    ],
    [
      'a percentile above 100',
      () => parseThresholdArg('http_req_duration: p(101)<3', 'x'),
      /between 0 and 100/,
    ],
    ['no metric', () => parseThresholdArg('p(95)<300', 'x'), /no "metric:"/],
    [
      'a value that is not a number',
      () => parseThresholdArg('http_req_duration: avg<fast', 'x'),
      /not a number/,
    ],
    [
      'a malformed tag filter',
      () => parseThresholdArg('http_req_duration{name}: avg<1', 'x'),
      /name:value/,
    ],
    [
      'a bad delayAbortEval',
      () =>
        parseThresholdSet(
          'http_req_failed',
          [{ threshold: 'rate<0.1', delayAbortEval: 'soon' }],
          's',
        ),
      /not a duration/,
    ],
    [
      'an entry of the wrong shape',
      () => parseThresholdSet('http_req_failed', [42], 's'),
      /string or/,
    ],
  ];
  for (const [name, run, message] of bad) {
    it(`rejects ${name}`, () => {
      assert.throws(
        run,
        (err: unknown) =>
          err instanceof HeadroomError &&
          err.code === 'LOADTEST_CONFIG' &&
          message.test(err.message + ' ' + (err.hint ?? '')),
      );
    });
  }

  it("reads k6's options form with abortOnFail and delayAbortEval", () => {
    const [a, b] = parseThresholdSet(
      'http_req_duration',
      ['p(95)<300', { threshold: 'p(99)<500', abortOnFail: true, delayAbortEval: '10s' }],
      'loadtests.thresholds.http_req_duration',
    );
    assert.equal(a!.abortOnFail, false);
    assert.equal(b!.abortOnFail, true);
    assert.equal(b!.delayAbortEvalMs, 10_000);
    assert.equal(b!.source, 'loadtests.thresholds.http_req_duration[1]');
  });
});

describe('thresholds: judging a run', () => {
  const judge = (text: string, view = VIEW) =>
    evaluateThresholds([parseThresholdArg(text, 't')], view)[0]!;
  const cases: [string, string, boolean, number | undefined][] = [
    ['p(95) holds', 'http_req_duration: p(95)<300', true, 95],
    ['p(99) fails', 'http_req_duration: p(99)<50', false, 99],
    ['avg', 'http_req_duration: avg<=50.5', true, 50.5],
    ['med is p(50)', 'http_req_duration: med<50', false, 50],
    ['failed share', 'http_req_failed: rate<0.01', false, 0.02],
    ['requests per second', 'http_reqs: rate>=10', true, 10],
    ['dropped count', 'dropped_iterations: count<1', false, 5],
    ['tagged count', 'iterations{name:search}: count==10', true, 10],
  ];
  for (const [name, text, ok, value] of cases) {
    it(name, () => {
      const r = judge(text);
      assert.equal(r.ok, ok);
      assert.equal(r.value, value);
    });
  }
  it('fails a trend threshold when nothing was measured', () => {
    const r = judge('http_req_duration: p(95)<300', EMPTY);
    assert.equal(r.ok, false);
    assert.equal(r.value, undefined);
  });
  it('names the metric with its tag filter', () => {
    assert.equal(
      judge('http_req_duration{name:search}: max<1000').metric,
      'http_req_duration{name:search}',
    );
  });
});
