import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { fit } from './fit.ts';
import { regularize } from './hygiene.ts';
import type { Point } from './types.ts';

const FIXTURES = fileURLToPath(new URL('../../test/fixtures/forecast/', import.meta.url));

/** Reads a NAB CSV (`timestamp,value`, naive 'YYYY-MM-DD HH:MM:SS' read as UTC). */
function readNab(file: string): Point[] {
  const lines = readFileSync(FIXTURES + file, 'utf8')
    .trim()
    .split('\n')
    .slice(1);
  return lines.map((line) => {
    const [time, value] = line.split(',');
    return { t: Date.parse(`${time!.replace(' ', 'T')}Z`), v: Number(value) };
  });
}

describe('real series (NAB)', () => {
  it('EC2 disk writes: merges the 11 DST repeats at 2014-03-09 03:00 and forecasts', () => {
    const points = readNab('ec2_disk_write_bytes_1ef3de.csv');
    const model = fit(points);
    const h = model.hygiene;
    assert.equal(h.input, 4730);
    assert.equal(h.duplicates, 11);
    assert.equal(h.backwardSteps, 0);
    assert.ok(h.gaps >= 1 && h.filled >= 11, JSON.stringify(h));
    assert.equal(model.stepMs, 300_000);
    const forecast = model.predict(288);
    for (const p of forecast) {
      assert.ok([p.value, p.lower, p.upper].every(Number.isFinite));
      assert.ok(p.lower >= 0, 'byte counts never go negative');
    }
  });

  it('EC2 disk writes: 80 % interval holds most of the next day', () => {
    const points = readNab('ec2_disk_write_bytes_1ef3de.csv');
    const model = fit(points.slice(0, -288));
    const future = points.slice(-288);
    const inside = model
      .predictAt(future.map((p) => p.t))
      .filter((p, i) => future[i]!.v >= p.lower && future[i]!.v <= p.upper).length;
    assert.ok(inside / future.length >= 0.6, `coverage ${inside / future.length}`);
  });

  it('machine temperature: sorts the step back from 02:55 to 02:00 and merges the repeats', () => {
    const points = readNab('machine_temperature_system_failure_excerpt.csv');
    const series = regularize(points);
    assert.equal(series.report.backwardSteps, 1);
    assert.equal(series.report.duplicates, 12);
    assert.equal(series.report.gaps, 0);
    assert.equal(series.values.length, 288);
    const at0200 = Date.parse('2014-01-07T02:00:00Z');
    const cell = (at0200 - series.start) / series.stepMs;
    assert.ok(Math.abs(series.values[cell]! - (94.42340604 + 94.13972336) / 2) < 1e-9);
    const model = fit(points);
    assert.ok(model.predict(12).every((p) => Number.isFinite(p.value) && p.lower <= p.upper));
  });
});
