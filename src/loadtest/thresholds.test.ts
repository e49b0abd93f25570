import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HeadroomError } from '../errors.ts';
import {
  evaluateThresholds,
  formatThreshold,
  formatThresholdValue,
  parseThreshold,
  parseThresholdArg,
  parseThresholdSet,
} from './thresholds.ts';
import type { MetricsView, Threshold } from './types.ts';

interface Sample {
  name: string;
  status: number;
  ms: number;
  ok: boolean;
}

/** A `MetricsView` over explicit samples, selecting by `name` and `status` as the runner's does. */
function viewOf(samples: Sample[], durationS: number, dropped = 0): MetricsView {
  const pick = (tags?: Record<string, string>): Sample[] =>
    samples.filter(
      (s) =>
        (tags?.name === undefined || tags.name === s.name) &&
        (tags?.status === undefined || tags.status === String(s.status)),
    );
  const sorted = (tags?: Record<string, string>): number[] =>
    pick(tags)
      .map((s) => s.ms)
      .sort((a, b) => a - b);
  return {
    durationS,
    dropped,
    count: (tags) => pick(tags).length,
    failed: (tags) => pick(tags).filter((s) => !s.ok).length,
    percentileMs: (p, tags) => {
      const ms = sorted(tags);
      return ms.length === 0 ? undefined : ms[Math.max(0, Math.ceil((p / 100) * ms.length) - 1)];
    },
    meanMs: (tags) => {
      const ms = sorted(tags);
      return ms.length === 0 ? undefined : ms.reduce((a, b) => a + b, 0) / ms.length;
    },
    minMs: (tags) => sorted(tags)[0],
    maxMs: (tags) => sorted(tags).at(-1),
  };
}

/** 100 requests over 10 s with 3 dropped: `list` takes 1..90 ms and succeeds; `create` takes 101..110 ms, two of them 500s. */
const VIEW = viewOf(
  [
    ...Array.from({ length: 90 }, (_, i) => ({ name: 'list', status: 200, ms: i + 1, ok: true })),
    ...Array.from({ length: 10 }, (_, i) => ({
      name: 'create',
      status: i < 2 ? 500 : 201,
      ms: 101 + i,
      ok: i >= 2,
    })),
  ],
  10,
  3,
);
const EMPTY = viewOf([], 10);

/** The error a parse throws, as a user reads it. */
function failure(run: () => unknown): {
  message: string;
  hint: string;
  path?: string;
  column?: number;
} {
  try {
    run();
  } catch (err) {
    assert.ok(err instanceof HeadroomError, `not a HeadroomError: ${String(err)}`);
    assert.equal(err.code, 'LOADTEST_CONFIG');
    return { message: err.message, hint: err.hint ?? '', ...err.location };
  }
  assert.fail('expected an error');
}

describe('parseThresholdArg: what k6 accepts', () => {
  const cases: {
    name: string;
    text: string;
    want: Partial<Threshold>;
  }[] = [
    {
      name: 'p(95), ms',
      text: 'http_req_duration: p(95)<300',
      want: { metric: 'http_req_duration', aggregation: 'p(95)', op: '<', value: 300 },
    },
    {
      name: 'a decimal percentile, spaced',
      text: 'http_req_duration: p(99.9) < 500',
      want: { aggregation: 'p(99.9)', value: 500, expr: 'p(99.9) < 500' },
    },
    {
      name: 'spaces inside p( )',
      text: 'http_req_duration: p( 90 )<=250',
      want: { aggregation: 'p(90)', op: '<=' },
    },
    {
      name: 'p(0) and p(100) are the bounds',
      text: 'http_req_duration: p(100)<1000',
      want: { aggregation: 'p(100)' },
    },
    { name: 'avg', text: 'http_req_duration: avg<200', want: { aggregation: 'avg', op: '<' } },
    { name: 'med', text: 'http_req_duration: med<=100', want: { aggregation: 'med', op: '<=' } },
    { name: 'max', text: 'http_req_duration: max<1000', want: { aggregation: 'max' } },
    {
      name: 'min, >',
      text: 'http_req_duration: min>0',
      want: { aggregation: 'min', op: '>', value: 0 },
    },
    {
      name: 'iteration_duration is a Trend too',
      text: 'iteration_duration: p(99)<800',
      want: { metric: 'iteration_duration' },
    },
    {
      name: 'the Rate http_req_failed',
      text: 'http_req_failed: rate<0.01',
      want: { metric: 'http_req_failed', aggregation: 'rate', value: 0.01 },
    },
    {
      name: 'a Counter rate per second, >=',
      text: 'http_reqs: rate>=100',
      want: { metric: 'http_reqs', aggregation: 'rate', op: '>=' },
    },
    {
      name: 'a Counter count, ==',
      text: 'iterations: count==1000',
      want: { metric: 'iterations', op: '==' },
    },
    {
      name: '=== as k6 allows',
      text: 'dropped_iterations: count===0',
      want: { op: '===', value: 0 },
    },
    { name: '!=', text: 'dropped_iterations: count!=5', want: { op: '!=' } },
    { name: 'an exponent', text: 'http_req_failed: rate<1e-3', want: { value: 0.001 } },
    { name: 'a negative number', text: 'http_req_duration: min>-1', want: { value: -1 } },
    {
      name: 'a name tag',
      text: 'http_req_duration{name:listTickets}: p(95)<300',
      want: { tags: { name: 'listTickets' } },
    },
    {
      name: 'a status tag',
      text: 'http_req_failed{status:500}: rate<0.5',
      want: { tags: { status: '500' } },
    },
    {
      name: 'two tags, spaced and quoted',
      text: `http_req_duration{ name: "list", status: '200' }: avg<50`,
      want: { tags: { name: 'list', status: '200' } },
    },
    {
      name: 'no space after the colon',
      text: 'http_req_duration:p(95)<300',
      want: { expr: 'p(95)<300' },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const t = parseThresholdArg(c.text, '--threshold');
      for (const [k, v] of Object.entries(c.want)) assert.deepEqual(t[k as keyof Threshold], v, k);
      assert.equal(t.source, '--threshold');
      assert.equal(t.abortOnFail, false);
    });
  }

  it('formats back as written: metric, tag filter, colon, expression', () => {
    const t = parseThresholdArg('http_req_duration{name:listTickets}:  p(95)<300 ', 'x');
    assert.equal(formatThreshold(t), 'http_req_duration{name:listTickets}: p(95)<300');
  });
});

describe('parseThresholdArg: mistakes, located', () => {
  const cases: { name: string; text: string; message: string; column?: number; hint?: RegExp }[] = [
    {
      name: 'a doubled operator',
      text: 'http_req_duration: p(95)<<300',
      message: '"p(95)<<300": expected a number after "<"',
      column: 26,
    },
    {
      name: 'no number',
      text: 'http_req_duration: avg<',
      message: '"avg<": expected a number after "<"',
      column: 24,
    },
    {
      name: 'a word for a number',
      text: 'http_req_duration: avg<fast',
      message: '"avg<fast": expected a number after "<"',
      hint: /milliseconds/,
    },
    {
      name: 'a unit after the number',
      text: 'http_req_duration: p(95)<300ms',
      message: '"p(95)<300ms": unexpected "ms" after 300',
      column: 29,
      hint: /plain milliseconds/,
    },
    {
      name: 'a percent sign on a rate',
      text: 'http_req_failed: rate<1%',
      message: '"rate<1%": unexpected "%" after 1',
      hint: /0\.01 for 1 %/,
    },
    {
      name: 'words after the number',
      text: 'http_req_duration: p(95)<300 always',
      message: '"p(95)<300 always": unexpected "always" after 300',
    },
    {
      name: 'an infinite number',
      text: 'http_reqs: count<1e999',
      message: '"count<1e999": 1e999 is not a finite number',
    },
    {
      name: 'no operator',
      text: 'http_req_duration: p(95) 300',
      message: '"p(95) 300": expected an operator (<, <=, >, >=, ==, ===, !=) after "p(95)"',
      column: 26,
    },
    {
      name: '=< for <=',
      text: 'http_req_duration: p(95)=<300',
      message: '"p(95)=<300": expected an operator (<, <=, >, >=, ==, ===, !=) after "p(95)"',
      hint: /==/,
    },
    {
      name: 'an empty expression',
      text: 'http_req_duration:   ',
      message: 'the threshold expression is empty',
    },
    {
      name: 'p95 for p(95)',
      text: 'http_req_duration: p95<300',
      message: '"p95<300": unknown aggregation "p95"',
      column: 20,
      hint: /write p\(95\)/,
    },
    {
      name: 'mean for avg',
      text: 'http_req_duration: mean<300',
      message: '"mean<300": unknown aggregation "mean"',
      hint: /k6 writes avg/,
    },
    {
      name: 'a misspelt aggregation',
      text: 'http_req_failed: rte<0.1',
      message: '"rte<0.1": unknown aggregation "rte"',
      hint: /did you mean rate\?/,
    },
    {
      name: 'no aggregation',
      text: 'http_req_duration: <300',
      message: '"<300": expected an aggregation',
      hint: /avg, min, med, max, p\(N\)/,
    },
    {
      name: 'avg on a Rate',
      text: 'http_req_failed: avg<0.01',
      message: '"avg<0.01": http_req_failed has only rate',
      hint: /k6 Rate/,
    },
    {
      name: 'p(N) on a Counter',
      text: 'http_reqs: p(95)<100',
      message: '"p(95)<100": http_reqs has only count and rate',
      hint: /k6 Counter/,
    },
    {
      name: 'count on a Trend',
      text: 'http_req_duration: count<10',
      message: '"count<10": http_req_duration has only avg, min, med, max and p(N)',
    },
    {
      name: "a Gauge's value",
      text: 'http_req_duration: value<10',
      message: '"value<10": http_req_duration has only avg, min, med, max and p(N)',
    },
    {
      name: 'a percentile above 100',
      text: 'http_req_duration: p(101)<3',
      message: '"p(101)<3": a percentile is between 0 and 100, not 101',
      column: 22,
    },
    {
      name: 'a negative percentile',
      text: 'http_req_duration: p(-1)<3',
      message: '"p(-1)<3": a percentile is between 0 and 100, not -1',
    },
    {
      name: 'a percentile that is not a number',
      text: 'http_req_duration: p(x)<3',
      message: '"p(x)<3": expected a number inside p( )',
    },
    {
      name: 'an unclosed percentile',
      text: 'http_req_duration: p(95<3',
      message: '"p(95<3": expected ")" after p(95',
    },
    {
      name: 'a misspelt metric',
      text: 'http_req_durations: p(95)<300',
      message: '"http_req_durations" is not a metric headroom measures',
      column: 1,
      hint: /did you mean http_req_duration\? headroom measures dropped_iterations, http_req_duration, http_req_failed, http_reqs, iteration_duration, iterations/,
    },
    {
      name: 'an unrelated metric: no suggestion',
      text: 'latency: p(95)<300',
      message: '"latency" is not a metric headroom measures',
      hint: /^headroom measures/,
    },
    {
      name: 'a k6 metric headroom does not measure',
      text: 'checks: rate>0.99',
      message: '"checks" is a k6 metric headroom does not measure',
    },
    {
      name: 'no metric at all',
      text: 'p(95)<300',
      message: '"p(95)<300": expected "metric: expression"',
      hint: /http_req_duration: p\(95\)<300/,
    },
    {
      name: 'an empty metric',
      text: ': p(95)<300',
      message: '": p(95)<300": expected "metric: expression"',
    },
    {
      name: 'an empty tag filter',
      text: 'http_req_duration{}: avg<1',
      message: '"http_req_duration{}": the tag filter is empty',
    },
    {
      name: 'a tag without a value',
      text: 'http_req_duration{name}: avg<1',
      message: '"http_req_duration{name}": "name" is not a tag:value pair',
      column: 19,
    },
    {
      name: 'a tag headroom does not select by',
      text: 'http_req_duration{expected_response:true}: avg<1',
      message:
        '"http_req_duration{expected_response:true}": headroom filters by name and status, not "expected_response"',
      hint: /status:200/,
    },
    {
      name: 'a tag given twice',
      text: 'http_req_duration{name:a,name:b}: avg<1',
      message: '"http_req_duration{name:a,name:b}": the tag name is given twice',
      column: 26,
    },
    {
      name: 'a status that is not one',
      text: 'http_req_failed{status:5xx}: rate<1',
      message: '"http_req_failed{status:5xx}": status "5xx" is not an HTTP status',
    },
    {
      name: 'an unclosed tag filter',
      text: 'http_req_duration{name:a: avg<1',
      message: '"http_req_duration{name:a: avg<1": the tag filter has no closing "}"',
    },
    {
      name: 'text after the tag filter',
      text: 'http_req_duration{name:a}x: avg<1',
      message: '"http_req_duration{name:a}x": unexpected "x" after the tag filter',
    },
    {
      name: 'tags on dropped_iterations',
      text: 'dropped_iterations{name:a}: count<1',
      message: '"dropped_iterations{name:a}": dropped_iterations has no tags',
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const e = failure(() => parseThresholdArg(c.text, '--threshold'));
      assert.equal(e.message, c.message);
      assert.equal(e.path, '--threshold');
      if (c.column !== undefined) assert.equal(e.column, c.column, 'column');
      if (c.hint) assert.match(e.hint, c.hint);
    });
  }

  it('columns of the plan form count from the expression itself', () => {
    const e = failure(() =>
      parseThreshold('http_req_duration', ' p(95)<<300', { source: 'loadtests.thresholds.x[0]' }),
    );
    assert.equal(e.message, '"p(95)<<300": expected a number after "<"');
    assert.equal(e.column, 8);
    assert.equal(e.path, 'loadtests.thresholds.x[0]');
  });
});

describe("parseThresholdSet: k6's options form", () => {
  it('reads strings and objects with abortOnFail and delayAbortEval, each with its own source', () => {
    const [a, b] = parseThresholdSet(
      'http_req_duration',
      ['p(95)<300', { threshold: 'p(99)<500', abortOnFail: true, delayAbortEval: '10s' }],
      'loadtests.thresholds.http_req_duration',
    );
    assert.deepEqual(
      [a!.abortOnFail, a!.delayAbortEvalMs, a!.source],
      [false, 0, 'loadtests.thresholds.http_req_duration[0]'],
    );
    assert.deepEqual(
      [b!.abortOnFail, b!.delayAbortEvalMs, b!.expr, b!.source],
      [true, 10_000, 'p(99)<500', 'loadtests.thresholds.http_req_duration[1]'],
    );
  });

  const good: { name: string; entries: unknown; want: Partial<Threshold>[] }[] = [
    { name: 'one string', entries: 'rate<0.01', want: [{ expr: 'rate<0.01', source: 's' }] },
    { name: 'an empty list', entries: [], want: [] },
    {
      name: 'one object',
      entries: { threshold: 'rate<0.1', abortOnFail: true },
      want: [{ abortOnFail: true, source: 's' }],
    },
    {
      name: 'a compound delay',
      entries: [{ threshold: 'rate<0.1', delayAbortEval: '1m30s' }],
      want: [{ delayAbortEvalMs: 90_000 }],
    },
    {
      name: 'a bare number of seconds, as in a plan',
      entries: [{ threshold: 'rate<0.1', delayAbortEval: 5 }],
      want: [{ delayAbortEvalMs: 5000 }],
    },
  ];
  for (const c of good) {
    it(`reads ${c.name}`, () => {
      const got = parseThresholdSet('http_req_failed', c.entries, 's');
      assert.equal(got.length, c.want.length);
      c.want.forEach((w, i) => {
        for (const [k, v] of Object.entries(w))
          assert.deepEqual(got[i]![k as keyof Threshold], v, k);
      });
    });
  }

  const bad: { name: string; entries: unknown; message: string; path: string }[] = [
    {
      name: 'a number',
      entries: [42],
      message: 'a threshold is a string or an object, not 42',
      path: 's[0]',
    },
    {
      name: 'null',
      entries: null,
      message: 'a threshold is a string or an object, not null',
      path: 's',
    },
    {
      name: 'an unknown field',
      entries: [{ threshold: 'rate<0.1', abortOnFial: true }],
      message: 'a threshold has no field "abortOnFial"',
      path: 's[0].abortOnFial',
    },
    {
      name: 'no threshold field',
      entries: [{ abortOnFail: true }],
      message: 'a threshold object needs `threshold`, the expression',
      path: 's[0]',
    },
    {
      name: 'abortOnFail not a boolean',
      entries: [{ threshold: 'rate<0.1', abortOnFail: 'yes' }],
      message: 'abortOnFail is true or false, not "yes"',
      path: 's[0].abortOnFail',
    },
    {
      name: 'delayAbortEval not a duration',
      entries: ['rate<0.2', { threshold: 'rate<0.1', delayAbortEval: 'soon' }],
      message: 'delayAbortEval "soon" is not a duration',
      path: 's[1].delayAbortEval',
    },
    {
      name: 'a negative delayAbortEval',
      entries: [{ threshold: 'rate<0.1', delayAbortEval: -1 }],
      message: 'delayAbortEval -1 is not a duration',
      path: 's[0].delayAbortEval',
    },
    {
      name: 'a bad expression in the second entry',
      entries: ['rate<0.1', 'rate<<0.1'],
      message: '"rate<<0.1": expected a number after "<"',
      path: 's[1]',
    },
  ];
  for (const c of bad) {
    it(`rejects ${c.name}`, () => {
      const e = failure(() => parseThresholdSet('http_req_failed', c.entries, 's'));
      assert.equal(e.message, c.message);
      assert.equal(e.path, c.path);
    });
  }
});

describe('evaluateThresholds: judging a view', () => {
  const judge = (text: string, view = VIEW) =>
    evaluateThresholds([parseThresholdArg(text, 't')], view)[0]!;
  const cases: { name: string; text: string; ok: boolean; value: number | undefined }[] = [
    {
      name: 'p(95) over every request',
      text: 'http_req_duration: p(95)<300',
      ok: true,
      value: 105,
    },
    { name: 'p(90) fails', text: 'http_req_duration: p(90)<90', ok: false, value: 90 },
    {
      name: 'p(90) at the limit with <=',
      text: 'http_req_duration: p(90)<=90',
      ok: true,
      value: 90,
    },
    { name: 'med is p(50)', text: 'http_req_duration: med<50', ok: false, value: 50 },
    {
      name: 'avg',
      text: 'http_req_duration: avg<60',
      ok: true,
      value: (45.5 * 90 + 105.5 * 10) / 100,
    },
    { name: 'min', text: 'http_req_duration: min>0', ok: true, value: 1 },
    { name: 'max', text: 'iteration_duration: max<100', ok: false, value: 110 },
    {
      name: 'a name tag selects its requests',
      text: 'http_req_duration{name:create}: min>=101',
      ok: true,
      value: 101,
    },
    {
      name: 'a tag that selects nothing has nothing measured',
      text: 'http_req_duration{name:typo}: p(95)<300',
      ok: false,
      value: undefined,
    },
    {
      name: 'failed share over every request',
      text: 'http_req_failed: rate<0.01',
      ok: false,
      value: 0.02,
    },
    {
      name: 'failed share of one name',
      text: 'http_req_failed{name:create}: rate<=0.2',
      ok: true,
      value: 0.2,
    },
    {
      name: 'failed share of one status',
      text: 'http_req_failed{status:500}: rate==1',
      ok: true,
      value: 1,
    },
    {
      name: 'a Counter rate is per second of the view',
      text: 'http_reqs: rate>=10',
      ok: true,
      value: 10,
    },
    {
      name: 'a Counter rate of one name',
      text: 'http_reqs{name:list}: rate>10',
      ok: false,
      value: 9,
    },
    { name: 'a Counter count', text: 'iterations: count===100', ok: true, value: 100 },
    { name: 'dropped iterations', text: 'dropped_iterations: count<1', ok: false, value: 3 },
    { name: 'dropped per second', text: 'dropped_iterations: rate<0.5', ok: true, value: 0.3 },
    { name: '!= holds', text: 'dropped_iterations: count!=0', ok: true, value: 3 },
    { name: '> fails at equality', text: 'dropped_iterations: count>3', ok: false, value: 3 },
    { name: '>= holds at equality', text: 'dropped_iterations: count>=3', ok: true, value: 3 },
    { name: '== fails off by one', text: 'dropped_iterations: count==2', ok: false, value: 3 },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const r = judge(c.text);
      assert.equal(r.ok, c.ok);
      if (c.value === undefined) assert.equal('value' in r, false);
      else assert.ok(Math.abs(r.value! - c.value) < 1e-9, `value ${r.value} ≠ ${c.value}`);
    });
  }

  const empty: { name: string; text: string; ok: boolean; value: number | undefined }[] = [
    {
      name: 'a Trend fails with nothing measured',
      text: 'http_req_duration: p(95)<300',
      ok: false,
      value: undefined,
    },
    { name: 'avg too', text: 'http_req_duration: avg<300', ok: false, value: undefined },
    {
      name: 'a Rate fails with nothing measured',
      text: 'http_req_failed: rate<0.01',
      ok: false,
      value: undefined,
    },
    { name: 'a Counter count is 0', text: 'http_reqs: count<1', ok: true, value: 0 },
    { name: 'a Counter rate is 0 per second', text: 'http_reqs: rate>0', ok: false, value: 0 },
  ];
  for (const c of empty) {
    it(`on an empty view: ${c.name}`, () => {
      const r = judge(c.text, EMPTY);
      assert.equal(r.ok, c.ok);
      assert.equal(r.value, c.value);
    });
  }

  it('a Counter rate over a view of no length has nothing measured', () => {
    const r = judge('http_reqs: rate>1', viewOf([], 0));
    assert.deepEqual(r, { metric: 'http_reqs', expr: 'rate>1', ok: false });
  });

  it('names each result by its metric key with the tag filter, in order', () => {
    const results = evaluateThresholds(
      [
        parseThresholdArg('http_req_duration{name:list,status:200}: max<100', 't'),
        parseThresholdArg('http_req_failed: rate<0.05', 't'),
      ],
      VIEW,
    );
    assert.deepEqual(results, [
      { metric: 'http_req_duration{name:list,status:200}', expr: 'max<100', ok: true, value: 90 },
      { metric: 'http_req_failed', expr: 'rate<0.05', ok: true, value: 0.02 },
    ]);
  });
});

describe('formatThresholdValue', () => {
  const cases: [string, string, number | undefined, string][] = [
    ['a Trend in ms', 'http_req_duration: p(95)<300', 412.4, 'p(95)=412 ms'],
    ['a sub-millisecond Trend', 'http_req_duration: avg<1', 0.8437, 'avg=0.844 ms'],
    ['a Rate as a share', 'http_req_failed: rate<0.01', 0.0345, 'rate=0.035'],
    ['a Counter rate per second', 'http_reqs: rate>100', 1234.5, 'rate=1,235/s'],
    ['a Counter count', 'dropped_iterations: count<1', 12, 'count=12'],
    ['nothing measured', 'http_req_duration: p(95)<300', undefined, 'nothing measured'],
  ];
  for (const [name, text, value, want] of cases) {
    it(name, () => assert.equal(formatThresholdValue(parseThresholdArg(text, 't'), value), want));
  }
});
