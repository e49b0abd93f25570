import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { streamRng } from './rng.ts';
import {
  drawServiceTimes,
  formatServiceTime,
  meanServiceSec,
  parseServiceTime,
} from './service.ts';

describe('service times', () => {
  it('parses every distribution', () => {
    assert.deepEqual(parseServiceTime('const:2s'), { kind: 'const', meanSec: 2 });
    assert.deepEqual(parseServiceTime('exp:500ms'), { kind: 'exp', meanSec: 0.5 });
    assert.deepEqual(parseServiceTime('2s'), { kind: 'exp', meanSec: 2 });
    assert.deepEqual(parseServiceTime('lognormal:4s, 0.8'), {
      kind: 'lognormal',
      meanSec: 4,
      sigma: 0.8,
    });
    assert.deepEqual(parseServiceTime('column:svc'), { kind: 'column', column: 'svc' });
    assert.equal(formatServiceTime(parseServiceTime('lognormal:4s,0.8')), 'lognormal:4s,0.8');
  });

  it('says what is wrong and names the flag', () => {
    for (const [text, message] of [
      ['gamma:2s', /unknown distribution "gamma"/],
      ['exp:fast', /"fast" is not a duration/],
      ['exp:0s', /must be > 0/],
      ['lognormal:4s', /takes a mean and a σ/],
      ['lognormal:4s,-1', /σ "-1"/],
      ['column:', /name the trace column/],
    ] as const) {
      assert.throws(
        () => parseServiceTime(text),
        (e: Error) => e.message.startsWith(`--service-time "${text}"`) && message.test(e.message),
      );
    }
  });

  it('draws exponential and lognormal times with the stated mean', () => {
    const n = 200_000;
    for (const text of ['exp:2s', 'lognormal:4s,0.8']) {
      const spec = parseServiceTime(text);
      const times = drawServiceTimes(spec, n, streamRng(1, 2));
      const mean = times.reduce((a, v) => a + v, 0) / n / 1000;
      assert.ok(Math.abs(mean / meanServiceSec(spec) - 1) < 0.01, `${text}: mean ${mean}`);
    }
    const logs = drawServiceTimes(parseServiceTime('lognormal:4s,0.8'), n, streamRng(3, 2)).map(
      Math.log,
    );
    const mu = logs.reduce((a, v) => a + v, 0) / n;
    const sd = Math.sqrt(logs.reduce((a, v) => a + (v - mu) ** 2, 0) / n);
    assert.ok(Math.abs(mu - (Math.log(4000) - 0.32)) < 0.01, `μ ${mu}`);
    assert.ok(Math.abs(sd - 0.8) < 0.01, `σ ${sd}`);
  });

  it('takes a column as it is', () => {
    const spec = parseServiceTime('column:svc');
    const values = Float64Array.from([1, 2.5]);
    assert.deepEqual(Array.from(drawServiceTimes(spec, 2, streamRng(1, 2), values)), [1000, 2500]);
    assert.equal(meanServiceSec(spec, values), 1.75);
  });
});
