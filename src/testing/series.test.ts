import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  expandInputSeries,
  parseSeries,
  parseSeriesSelector,
  parseSeriesSteps,
  withLookback,
} from './series.ts';

// Every expectation below was checked against `promtool test rules` (Prometheus 2.42).
describe('parseSeries', () => {
  const cases: [name: string, text: string, expected: (number | undefined)[]][] = [
    ['plain values, one per step', '75 85 70', [75, 85, 70]],
    ['a+bxn expands to n+1 values', '1+2x3', [1, 3, 5, 7]],
    ['a-bxn counts down', '3-1x2', [3, 2, 1]],
    ['axn repeats a n+1 times', '-1x2', [-1, -1, -1]],
    ['x0 is a single value', '1x0 2', [1, 2]],
    ['+0 increment repeats', '1+0x1', [1, 1]],
    ['_ is one missing sample', '1 _ 2', [1, undefined, 2]],
    ['_xn is n missing samples (not n+1)', '1 _x2 3', [1, undefined, undefined, 3]],
    ['_x0 is nothing', '_x0 1', [1]],
    ['stale reads as missing', '1 stale 2', [1, undefined, 2]],
    ['signed values and leading +', '1 +2 -3', [1, 2, -3]],
    ['negative start with positive step', '-2+1x3', [-2, -1, 0, 1]],
    ['fractions, bare dot and exponent forms', '.5 1. 1e1 1.e2 2.5e-1', [0.5, 1, 10, 100, 0.25]],
    ['repeat with exponent value', '1e-1x1', [0.1, 0.1]],
    ['Inf and NaN in any case', 'Inf -inf nan', [Infinity, -Infinity, NaN]],
    [
      'a leading 0 makes an integer octal, as in Go',
      '010 08 0777 010.5 -010',
      [8, 8, 511, 10.5, -8],
    ],
    ['repetition counts are decimal even with a leading 0', '7x01', [7, 7]],
    ['0x5 is 0 repeated, never hexadecimal', '0x2', [0, 0, 0]],
    ['tabs and runs of spaces separate items', '  1 \t  2 ', [1, 2]],
    ['empty notation is an empty series', '', []],
    ['underflow becomes 0', '1e-400', [0]],
  ];
  for (const [name, text, expected] of cases) {
    it(name, () => assert.deepEqual(parseSeries(text), expected));
  }

  it('adds the increment step by step like Go, not a + i*b', () => {
    let v = 0;
    const expected = [0];
    for (let i = 0; i < 10; i++) expected.push((v += 0.1));
    assert.deepEqual(parseSeries('0+0.1x10'), expected);
  });

  it('keeps stale markers apart from missing samples in parseSeriesSteps', () => {
    assert.deepEqual(parseSeriesSteps('1 _ stale'), [1, undefined, 'stale']);
  });

  it('turns stale plus an increment into ordinary NaN after the marker', () => {
    assert.deepEqual(parseSeriesSteps('stale+1x2'), ['stale', NaN, NaN]);
  });
});

describe('parseSeries rejects what promtool rejects', () => {
  const bad: [name: string, text: string, message: RegExp][] = [
    ['increment without repetition', '1+1', /expected "x"/],
    ['repetition without a value', 'x3', /expected a number/],
    ['repetition separated by a space', '1 x3', /expected a number/],
    ['stale glued to x', 'stalex2', /"stalex2"/],
    ['Inf glued to x', 'Infx2', /"Infx2"/],
    ['STALE in capitals', 'STALE', /"STALE"/],
    ['dangling exponent', '1e', /invalid number "1e"/],
    ['exponent without digits after the sign', '1e+', /invalid number/],
    ['overflowing number', '1e400', /out of range/],
    ['letters after a number', '1a', /bad number syntax/],
    ['underscore after a number', '1_', /bad number syntax/],
    ['hexadecimal', '0x1F', /bad number syntax/],
    ['binary prefix', '0b1', /bad number syntax/],
    ['comma separator', '1,2', /unexpected character ","/],
    ['negative repetition', '1x-1', /repetition count/],
    ['fractional repetition', '1x1.5', /invalid repetition "1.5"/],
    ['exponent repetition', '1x1e1', /invalid repetition "1e1"/],
    ['double repetition', '1x3x2', /expected whitespace/],
    ['spaced minus', '1 - 2', /expected a number/],
    ['two signs', '1+-1x2', /expected a number/],
    ['_ with increment', '_+1x2', /expected "x"/],
    ['_ glued to a number', '1 _1', /expected "x"/],
    ['x with no count', '1+1x', /repetition count/],
    ['two numbers glued', '1.5.5', /expected "x", "\+" or "-"/],
  ];
  for (const [name, text, message] of bad) {
    it(name, () => assert.throws(() => parseSeries(text), message));
  }

  it('says where the problem is', () => {
    assert.throws(() => parseSeries('1 2 3a'), /at column 5/);
  });

  it('refuses absurd repetition counts instead of exhausting memory', () => {
    assert.throws(() => parseSeries('1x99999999999'), /too many steps/);
  });

  it('refuses a non-string', () => {
    assert.throws(() => parseSeries(undefined as unknown as string), TypeError);
  });
});

describe('withLookback', () => {
  it('carries a sample for 5 minutes inclusive, as promtool shows for 1 _x6', () => {
    const seen = withLookback(parseSeriesSteps('1 _x6'), { intervalMs: 60_000 });
    assert.deepEqual(seen, [1, 1, 1, 1, 1, 1, undefined]);
  });

  it('drops a series at once from a stale marker', () => {
    const seen = withLookback(parseSeriesSteps('1 _ stale _ 4'), { intervalMs: 60_000 });
    assert.deepEqual(seen, [1, 1, undefined, undefined, 4]);
  });

  it('extends past the notation so the last sample ages out', () => {
    const seen = withLookback(parseSeriesSteps('2'), { intervalMs: 120_000, length: 5 });
    assert.deepEqual(seen, [2, 2, 2, undefined, undefined]);
  });

  it('honours a custom lookback', () => {
    const seen = withLookback(parseSeriesSteps('1 _ _'), {
      intervalMs: 60_000,
      lookbackMs: 60_000,
    });
    assert.deepEqual(seen, [1, 1, undefined]);
  });
});

describe('parseSeriesSelector and expandInputSeries', () => {
  it('reads a metric with labels', () => {
    assert.deepEqual(parseSeriesSelector('queue_depth{queue="sms", region=\'eu\',}'), {
      metric: 'queue_depth',
      labels: { queue: 'sms', region: 'eu' },
    });
  });

  it('reads a bare metric name and escaped label values', () => {
    assert.deepEqual(parseSeriesSelector('up'), { metric: 'up', labels: {} });
    assert.deepEqual(parseSeriesSelector('m{a="x\\"y\\\\z"}').labels, { a: 'x"y\\z' });
  });

  it('rejects other matchers and malformed selectors', () => {
    assert.throws(() => parseSeriesSelector('m{a!="x"}'), /bad label matcher/);
    assert.throws(() => parseSeriesSelector('m{a=x}'), /bad label matcher/);
    assert.throws(() => parseSeriesSelector('9m'), /expected name/);
  });

  it('expands promtool input_series entries', () => {
    const [s] = expandInputSeries([{ series: 'm{q="a"}', values: '1+1x2 _' }]);
    assert.deepEqual(s, { metric: 'm', labels: { q: 'a' }, steps: [1, 2, 3, undefined] });
  });
});
