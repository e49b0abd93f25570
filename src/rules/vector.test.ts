import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  computeVector,
  formatLabels,
  indexVector,
  labelsKey,
  type VectorResult,
} from './vector.ts';
import type { Labels, Series } from './types.ts';

const s = (labels: Record<string, string>, value: number): Series => ({ labels, value });

function run(
  inputs: Record<string, Series[]>,
  compute: (v: Record<string, number>) => number,
): VectorResult {
  const names = Object.keys(inputs);
  return computeVector({
    inputs: names,
    compute,
    vectors: names.map((n) => indexVector(inputs[n]!)),
  });
}

const brief = (r: VectorResult) => r.elements.map((e) => `${formatLabels(e.labels)}=${e.value}`);

describe('labelsKey', () => {
  it('ignores property order', () => {
    assert.equal(labelsKey({ a: '1', b: '2' }), labelsKey({ b: '2', a: '1' }));
  });

  it('tells different label sets apart', () => {
    const sets: Labels[] = [{}, { a: '' }, { a: '1' }, { a: '1', b: '' }, { ab: '1' }, { a: 'b1' }];
    const keys = sets.map(labelsKey);
    assert.equal(new Set(keys).size, keys.length);
  });

  it('cannot be fooled by separator characters inside names or values', () => {
    const tricky = labelsKey({ a: '1\u0002b\u00012' });
    assert.notEqual(tricky, labelsKey({ a: '1', b: '2' }));
    assert.equal(tricky, labelsKey({ a: '1\u0002b\u00012' }));
  });
});

describe('computeVector', () => {
  it('maps a single metric series by series, keeping labels (fast path)', () => {
    const r = run({ depth: [s({ q: 'a' }, 10), s({ q: 'b' }, 20)] }, (v) => v.depth! * 2);
    assert.deepEqual(brief(r), ['{q="a"}=20', '{q="b"}=40']);
    assert.equal(r.error, undefined);
  });

  it('gives an empty result for an empty vector', () => {
    assert.deepEqual(run({ depth: [] }, (v) => v.depth!).elements, []);
    assert.deepEqual(run({ a: [s({ q: 'a' }, 1)], b: [] }, (v) => v.a! + v.b!).elements, []);
  });

  it('broadcasts an input with one unlabelled series like a scalar', () => {
    const r = run(
      { used: [s({ q: 'a' }, 30), s({ q: 'b' }, 90)], capacity: [s({}, 100)] },
      (v) => v.used! / v.capacity!,
    );
    assert.deepEqual(brief(r), ['{q="a"}=0.3', '{q="b"}=0.9']);
  });

  it('does not broadcast a single series that has labels', () => {
    const r = run(
      { used: [s({ q: 'a' }, 30), s({ q: 'b' }, 90)], capacity: [s({ q: 'b' }, 100)] },
      (v) => v.used! / v.capacity!,
    );
    assert.deepEqual(brief(r), ['{q="b"}=0.9']);
  });

  it('matches two metrics one-to-one on identical label sets and drops the rest', () => {
    const used = [s({ q: 'a' }, 1), s({ q: 'b' }, 2), s({ q: 'c' }, 3)];
    const limit = [s({ q: 'd' }, 10), s({ q: 'c' }, 30), s({ q: 'b' }, 20)];
    const r = run({ used, limit }, (v) => v.used! / v.limit!);
    assert.deepEqual(brief(r), ['{q="b"}=0.1', '{q="c"}=0.1']);
  });

  it('does not match label sets that only overlap', () => {
    const r = run({ a: [s({ q: 'a' }, 1)], b: [s({ q: 'a', host: 'h1' }, 2)] }, (v) => v.a! + v.b!);
    assert.deepEqual(r.elements, []);
  });

  it('matches three inputs, broadcasting the scalar one', () => {
    const r = run(
      {
        a: [s({ q: 'x' }, 1), s({ q: 'y' }, 2)],
        b: [s({ q: 'y' }, 10), s({ q: 'x' }, 20)],
        k: [s({}, 100)],
      },
      (v) => v.a! + v.b! + v.k!,
    );
    assert.deepEqual(brief(r), ['{q="x"}=121', '{q="y"}=112']);
  });

  it('gives one unlabelled element when every input is scalar-like', () => {
    const r = run({ a: [s({}, 2)], b: [s({}, 3)] }, (v) => v.a! * v.b!);
    assert.deepEqual(r.elements, [{ key: '', labels: {}, value: 6 }]);
  });

  it('drops NaN results and reports their labels', () => {
    const r = run(
      { a: [s({ q: 'a' }, 0), s({ q: 'b' }, 4)], b: [s({ q: 'a' }, 0), s({ q: 'b' }, 2)] },
      (v) => v.a! / v.b!,
    );
    assert.deepEqual(brief(r), ['{q="b"}=2']);
    assert.deepEqual(r.nan, [{ q: 'a' }]);
    assert.equal(r.error, undefined);
  });

  it('keeps infinite results (they compare like any number)', () => {
    const r = run({ a: [s({}, 1)] }, (v) => v.a! / 0);
    assert.deepEqual(brief(r), ['{}=Infinity']);
  });

  it('turns a throwing expression into an error, never a throw', () => {
    const r = run({ a: [s({ q: 'a' }, 1)] }, () => {
      throw new Error('Units do not match');
    });
    assert.deepEqual(r, { elements: [], nan: [], error: 'Units do not match' });
  });

  it('turns a non-number result into an error', () => {
    const r = run({ a: [s({ q: 'a' }, 1)] }, () => '5' as unknown as number);
    assert.match(r.error ?? '', /returned string instead of a number for \{q="a"\}/);
    assert.deepEqual(r.elements, []);
  });

  it('rejects duplicate label sets when matching, as PromQL does', () => {
    const r = run(
      { a: [s({ q: 'a' }, 1), s({ q: 'a' }, 2)], b: [s({ q: 'a' }, 1)] },
      (v) => v.a! + v.b!,
    );
    assert.match(r.error ?? '', /input a has more than one series with labels \{q="a"\}/);
  });

  it('passes each input under its metric name', () => {
    const seen: Record<string, number>[] = [];
    run({ used: [s({ q: 'a' }, 1)], limit: [s({ q: 'a' }, 2)] }, (v) => {
      seen.push({ ...v });
      return 0;
    });
    assert.deepEqual(seen, [{ used: 1, limit: 2 }]);
  });
});
